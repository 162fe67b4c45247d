import test from 'ava';
import { cronSchedules, CronScheduler, onCalendarToCron } from '../../src/agent/schedule.js';
import type { ContainerEntry } from '../../src/containers/inventory.js';

test('calendar expressions cron can say are translated to 6-field cron, seconds first', (t) => {
  const cases: Array<[string, string]> = [
    ['hourly', '0 0 * * * *'],
    ['daily', '0 0 0 * * *'],
    ['weekly', '0 0 0 * * 1'],
    ['*-*-* 02:30:00', '0 30 2 * * *'],
    ['02:30', '0 30 2 * * *'],
    ['*:0/15', '0 0-59/15 * * * *'],
    ['*:*:0/20', '0-59/20 * * * * *'],
    ['Mon..Fri *-*-* 08:00', '0 0 8 * * 1-5'],
    ['Sat,Sun 12:00', '0 0 12 * * 6,0'],
    ['Fri..Sun 23:00', '0 0 23 * * 5-6,0'],
    ['*-01,07-01 00:00:00', '0 0 0 1 1,7 *'],
    ['*-*-1..7 04:00', '0 0 4 1-7 * *'],
    ['*-*-* *:*/2:00', '0 */2 * * * *'],
  ];
  for (const [calendar, cron] of cases) t.is(onCalendarToCron(calendar), cron, calendar);
});

test('calendar expressions cron cannot say are not translated', (t) => {
  for (const calendar of ['2025-*-* 00:00', '*-*-* 00:00 UTC', '*-02~03', '*:*:0.5', 'Sun..Mon 00:00', '*-*-32 00:00', 'soon']) {
    t.is(onCalendarToCron(calendar), undefined, calendar);
  }
});

const entry = (over: Partial<ContainerEntry>): ContainerEntry => ({
  name: 'web', unit: 'web.service', definition: '/d/web.container', container: 'systemd-web', healthCheck: false, cron: [], onCalendar: [], ...over,
});

test('a container is scheduled with its Cron= lines as written and its OnCalendar= lines translated, the rest reported', (t) => {
  t.deepEqual(cronSchedules({ cron: ['*/5 * * * *'], onCalendar: ['hourly', '2025-01-01'] }), { expressions: ['*/5 * * * *', '0 0 * * * *'], unsupported: ['2025-01-01'] });
});

test('the scheduler runs a container every tick but never twice at once, and knows the next run', async (t) => {
  let running = 0;
  let overlapped = false;
  let runs = 0;
  const logs: string[] = [];
  const scheduler = new CronScheduler({
    run: async () => {
      running++;
      if (running > 1) overlapped = true;
      runs++;
      await new Promise((r) => setTimeout(r, 1500));
      running--;
    },
    log: (l) => logs.push(l),
  });
  t.teardown(() => scheduler.stop());
  const settings = { schedules: [], directory: '/tmp', keep: 1, compress: 'none', leaveRunning: true, tcpEstablished: false, fileLocks: false, restoreOnStart: 'no', onStop: false, onStopTimeoutSec: 90, accuracySec: '1s', persistent: false } as const;
  await scheduler.schedule([
    entry({ checkpoint: settings, cron: ['* * * * * *', '*/1 * * * * *'], onCalendar: ['2030-01-01'] }),
    entry({ name: 'db', unit: 'db.service' }), // no [Checkpoint]: not scheduled
  ]);
  t.is(scheduler.count, 2);
  t.true(scheduler.has('web'));
  t.false(scheduler.has('db'));
  const next = scheduler.next('web');
  t.truthy(next);
  t.true(next!.getTime() - Date.now() <= 1000);
  t.is(scheduler.next('db'), null);
  await new Promise((r) => setTimeout(r, 3500));
  t.false(overlapped);
  t.true(runs >= 1 && runs <= 3, `${runs} runs`);
  t.true(logs.some((l) => /OnCalendar=2030-01-01 has no cron equivalent/.test(l)));
  await scheduler.stop();
  t.is(scheduler.count, 0);
});
