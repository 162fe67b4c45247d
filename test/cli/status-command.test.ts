import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ContainerStatus } from '../../src/containers/status.js';
import { formatTable, runStatus, stateText } from '../../src/cli/status-command.js';
import { BusError, UsageError } from '../../src/errors.js';
import { FakeSystemd } from '../systemd/fake-systemd.js';
import { startPrivateBus } from '../systemd/private-bus.js';

const CONTAINER = '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n';
const DEFS = mkdtempSync(join(tmpdir(), 'berth-status-defs-'));
const ARCHIVES = mkdtempSync(join(tmpdir(), 'berth-status-archives-'));

test.before(() => {
  writeFileSync(join(DEFS, 'web.container'), `${CONTAINER}[Checkpoint]\nOnCalendar=hourly\nDirectory=${ARCHIVES}\n`);
  writeFileSync(join(DEFS, 'db.container'), CONTAINER);
  writeFileSync(join(DEFS, 'gone.container'), CONTAINER);
  process.env['BERTH_UNIT_DIRS'] = DEFS;
  process.env['PODMAN'] = '/bin/false';
});
test.after.always(() => {
  rmSync(DEFS, { recursive: true, force: true });
  rmSync(ARCHIVES, { recursive: true, force: true });
});

function io(stopped?: Promise<void>) {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  let errors = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  err.on('data', (b: Buffer) => (errors += b.toString()));
  return { io: { out, err, ...(stopped ? { stopped } : {}) }, text: () => text, errors: () => errors };
}

async function scene(t: ExecutionContext) {
  const bus = await startPrivateBus(t);
  const fake = await FakeSystemd.start(bus.address);
  t.teardown(() => fake.close());
  fake.define('web.service', { active: 'active', sub: 'running', unit: { ActiveEnterTimestamp: 1_700_000_000_000_000n }, service: { MainPID: 321, NRestarts: 1 } });
  fake.define('db.service', { active: 'failed', sub: 'failed', unit: { InactiveEnterTimestamp: 1_700_000_100_000_000n }, service: { Result: 'exit-code' } });
  fake.define('web-checkpoint.timer', { active: 'active', sub: 'waiting', timer: { NextElapseUSecRealtime: 1_900_000_000_000_000n } });
  return { bus, fake };
}

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

test('--watch --json prints the rows, then each row again as systemd signals it changed, and unsubscribes when stopped', async (t) => {
  const { bus, fake } = await scene(t);
  let stop!: () => void;
  const o = io(new Promise<void>((r) => (stop = r)));
  const running = runStatus([], { json: true, watch: true, address: bus.address }, o.io);
  const lines = () => o.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ContainerStatus);
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 300 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => lines().length >= 3 && fake.subscribers.size === 1);
  t.deepEqual(lines().map((r) => r.name), ['db', 'gone', 'web']);
  await new Promise((r) => setTimeout(r, 150)); // the catch-up read after subscribing
  fake.set('web.service', 'inactive', 'dead', { MainPID: 0 });
  await until(() => lines().some((r) => r.name === 'web' && r.active === 'inactive'));
  const changed = lines().slice(3);
  t.deepEqual(changed.map((r) => [r.name, r.active, r.mainPid]), [['web', 'inactive', 0]]);
  stop();
  t.is(await running, 0);
  t.is(fake.subscribers.size, 0);
});

test('state text and table cells for the states systemd has', (t) => {
  const row = (over: Partial<ContainerStatus>): ContainerStatus => ({
    name: 'x', unit: 'x.service', definition: '', container: null, load: 'loaded', active: 'active', sub: 'running', result: 'success',
    mainPid: 0, since: null, restarts: 0, health: null, checkpoint: null, ...over,
  });
  t.is(stateText(row({})), 'active (running)');
  t.is(stateText(row({ load: 'not-found' })), 'not loaded');
  t.is(stateText(row({ load: 'masked', active: 'inactive' })), 'masked (inactive)');
  t.is(stateText(row({ active: 'failed', sub: 'failed', result: 'timeout' })), 'failed (failed): timeout');
  const table = formatTable([row({ health: 'healthy', checkpoint: { directory: '/c', last: { at: new Date(0).toISOString(), size: 3 * 1024 * 1024, valid: false, path: '/c/x' }, next: null, lastTrigger: null, timer: 'x-checkpoint.timer', timerState: 'inactive' } })]);
  t.regex(table, /healthy +\S+ \S+ 3\.0M INVALID +- \(timer inactive\)\n$/);
});
