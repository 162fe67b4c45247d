import test from 'ava';
import { runStatus } from '../../src/cli/status-command.js';
import type { ContainerStatus } from '../../src/containers/status.js';
import { until } from '../agent/harness.js';
import { fakeSystemd, io, scene, useDefinitions } from './status-scene.js';

useDefinitions();

/** `berth status --watch --json` running until stop(); its lines so far, parsed. */
function watching(address: string) {
  let stop!: () => void;
  const o = io(new Promise<void>((r) => (stop = r)));
  const running = runStatus([], { json: true, watch: true, address }, o.io);
  const lines = (): ContainerStatus[] => o.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ContainerStatus);
  return { running, lines, errors: o.errors, stop: () => stop() };
}

const summary = (rows: ContainerStatus[]) => rows.map((r) => [r.name, r.active, r.mainPid]);

test('--watch --json prints the rows, then each row again as systemd signals it changed, and unsubscribes when stopped', async (t) => {
  const { bus, fake } = await scene(t);
  const w = watching(bus.address);
  await until(() => w.lines().length >= 3 && fake.subscribers.size === 1, 3000, 'the first rows');
  t.deepEqual(summary(w.lines()), [['db', 'failed', 0], ['gone', 'inactive', 0], ['web', 'active', 321]]);
  fake.set('web.service', 'inactive', 'dead', { MainPID: 0 });
  await until(() => w.lines().length > 3, 3000, 'the changed row');
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(summary(w.lines().slice(3)), [['web', 'inactive', 0]]);
  w.stop();
  t.is(await w.running, 0);
  t.is(fake.subscribers.size, 0);
  t.is(w.errors(), '');
});

test('--watch outlives the bus: killed and started again, it reconnects, shows what changed meanwhile, and relays changes again', async (t) => {
  const { bus, fake } = await scene(t);
  const w = watching(bus.address);
  await until(() => w.lines().length >= 3 && fake.subscribers.size === 1, 3000, 'the first rows');
  await bus.kill();
  await until(() => /lost the bus/.test(w.errors()), 3000, 'the watch to notice');
  await bus.start();
  // systemd is back too, and web stopped while the bus was away.
  const back = await fakeSystemd(t, bus.address);
  back.define('web.service', { active: 'inactive', sub: 'dead', service: { MainPID: 0 } });
  await until(() => w.lines().length > 3, 5000, 'the row that changed meanwhile');
  back.set('web.service', 'active', 'running', { MainPID: 77 });
  await until(() => w.lines().length > 4, 3000, 'the relayed start');
  w.stop();
  t.is(await w.running, 0);
  t.deepEqual(summary(w.lines().slice(3)), [['web', 'inactive', 0], ['web', 'active', 77]]);
  const said = w.errors().trimEnd().split('\n');
  t.is(said[0], 'berth: lost the bus; reconnecting');
  t.regex(said.at(-1)!, /^berth: reconnected after \d+ attempt\(s\)$/);
  // The new bus may not listen yet at the first attempts, and systemd may come back before or after the watch.
  for (const line of said.slice(1, -1)) t.regex(line, /^berth: (reconnecting \(attempt \d\): cannot reach the D-Bus system bus|org\.freedesktop\.systemd1 is not on the bus yet; waiting for it$)/);
  t.is(back.subscribers.size, 0);
});

test('--watch follows systemd when it leaves the bus and comes back, and reads every row again then', async (t) => {
  const { bus, fake } = await scene(t);
  const w = watching(bus.address);
  await until(() => w.lines().length >= 3 && fake.subscribers.size === 1, 3000, 'the first rows');
  await fake.close();
  await until(() => /systemd left the bus/.test(w.errors()), 3000, 'the watch to notice');
  const back = await fakeSystemd(t, bus.address);
  back.define('db.service', { active: 'active', sub: 'running', service: { MainPID: 55 } });
  await until(() => w.lines().length > 3, 3000, 'the row that changed meanwhile');
  await new Promise((r) => setTimeout(r, 200));
  w.stop();
  t.is(await w.running, 0);
  t.deepEqual(summary(w.lines().slice(3)), [['db', 'active', 55]]);
  t.is(w.errors(), 'berth: systemd left the bus\n');
});
