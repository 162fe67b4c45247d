import test from 'ava';
import type { ContainerStatus } from '../../src/containers/status.js';
import { runStatus } from '../../src/cli/status-command.js';
import { BusError, UsageError } from '../../src/errors.js';
import { io, scene, useDefinitions } from './status-scene.js';

const { archives: ARCHIVES } = useDefinitions();

test('--json has one row per definition, the not-loaded one included, with what systemd says', async (t) => {
  const { bus } = await scene(t);
  const o = io();
  t.is(await runStatus([], { json: true, address: bus.address }, o.io), 0);
  const rows = JSON.parse(o.text()) as ContainerStatus[];
  t.deepEqual(rows.map((r) => [r.name, r.load, r.active, r.sub, r.result, r.mainPid, r.restarts, r.since]), [
    ['db', 'loaded', 'failed', 'failed', 'exit-code', 0, 0, new Date(1_700_000_100_000).toISOString()],
    ['gone', 'not-found', 'inactive', 'dead', '', 0, 0, null],
    ['web', 'loaded', 'active', 'running', 'success', 321, 1, new Date(1_700_000_000_000).toISOString()],
  ]);
  const web = rows.find((r) => r.name === 'web')!;
  t.deepEqual(web.checkpoint, {
    directory: ARCHIVES, last: null, next: new Date(1_900_000_000_000).toISOString(), lastTrigger: null, timer: 'web-checkpoint.timer', timerState: 'active',
  });
  t.is(web.health, null);
  t.is(rows.find((r) => r.name === 'db')!.checkpoint, null);
});

test('names pick rows in the order given; an unknown name is a usage error that names it', async (t) => {
  const { bus } = await scene(t);
  const o = io();
  await runStatus(['web.service', 'db'], { json: true, address: bus.address }, o.io);
  t.deepEqual((JSON.parse(o.text()) as ContainerStatus[]).map((r) => r.name), ['web', 'db']);
  const err = await t.throwsAsync(runStatus(['web', 'nope'], { address: bus.address }, io().io), { instanceOf: UsageError });
  t.regex(err.message, /no container definition named nope on the search path/);
});

test('the table shows state, PID, restarts and checkpoints, and says "not loaded" for a unit systemd does not know', async (t) => {
  const { bus } = await scene(t);
  const o = io();
  await runStatus([], { address: bus.address }, o.io);
  const lines = o.text().trimEnd().split('\n');
  t.regex(lines[0]!, /^NAME +STATE +PID +SINCE +RESTARTS +HEALTH +LAST CHECKPOINT +NEXT CHECKPOINT$/);
  t.regex(lines[1]!, /^db +failed \(failed\): exit-code +- +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +0 +- +- +-$/);
  t.regex(lines[2]!, /^gone +not loaded +- +- +- +- +- +-$/);
  t.regex(lines[3]!, /^web +active \(running\) +321 +\S+ \S+ +1 +- +none +\d{4}-/);
});

test('where no bus is, status fails with a clear error', async (t) => {
  const err = await t.throwsAsync(runStatus([], { address: 'unix:path=/nonexistent/bus' }, io().io), { instanceOf: BusError });
  t.regex(err.message, /cannot reach the D-Bus system bus at unix:path=\/nonexistent\/bus/);
});

