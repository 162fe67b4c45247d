import test, { type ExecutionContext } from 'ava';
import { Bus } from '../../src/systemd/bus.js';
import { SystemdManager } from '../../src/systemd/manager.js';
import { BusUnitControl } from '../../src/systemd/unit-control.js';
import { EngineError } from '../../src/errors.js';
import { FakeSystemd } from './fake-systemd.js';
import { matchRulesOf, startPrivateBus } from './private-bus.js';

async function setup(t: ExecutionContext) {
  const bus = await startPrivateBus(t);
  const fake = await FakeSystemd.start(bus.address);
  const manager = await SystemdManager.connect({ address: bus.address });
  const observer = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await manager.close();
    await observer.close();
    await fake.close();
  });
  return { bus, fake, manager, observer };
}

test('readUnits answers in the order asked, lists units systemd does not know as not-found, and reads only what each state leaves open', async (t) => {
  const { fake, manager } = await setup(t);
  fake.define('web.service', { active: 'active', sub: 'running', unit: { ActiveEnterTimestamp: 2_000_000n }, service: { MainPID: 42, NRestarts: 1 } });
  fake.define('db.service', { unit: { InactiveEnterTimestamp: 3_000_000n } });
  fake.define('bad.service', { active: 'failed', sub: 'failed', service: { Result: 'exit-code', NRestarts: 3 } });
  fake.define('web-checkpoint.timer', { active: 'active', sub: 'waiting', timer: { NextElapseUSecRealtime: 9_000_000n } });
  // Not in memory: systemd loads it fresh for the asking, so nothing of it needs reading.
  fake.define('idle.service', { resident: false, unit: { InactiveEnterTimestamp: 5_000_000n }, service: { NRestarts: 9 } });
  fake.calls.clear();
  const { services, timers } = await manager.readUnits(['web.service', 'gone.service', 'db.service', 'bad.service', 'idle.service'], ['web-checkpoint.timer']);
  t.deepEqual(services.map((s) => [s.unit, s.loadState, s.activeState, s.result, s.mainPid, s.restarts, s.since?.getTime() ?? null]), [
    ['web.service', 'loaded', 'active', 'success', 42, 1, 2000],
    ['gone.service', 'not-found', 'inactive', '', 0, 0, null],
    ['db.service', 'loaded', 'inactive', 'success', 0, 0, 3000],
    ['bad.service', 'loaded', 'failed', 'exit-code', 0, 3, null],
    ['idle.service', 'loaded', 'inactive', 'success', 0, 0, null],
  ]);
  t.deepEqual(timers.map((x) => [x.unit, x.activeState, x.nextElapse?.getTime()]), [['web-checkpoint.timer', 'active', 9000]]);
  // Two lists sent together (those in memory; all, loading the rest), then 3 + 2 + 3 property reads for the resident services and 2 for the timer.
  t.is(fake.calls.get('ListUnitsByPatterns'), 1);
  t.is(fake.calls.get('ListUnitsByNames'), 1);
  t.is(fake.calls.get('Get'), 10);
});

test('start, stop and restart wait for the job to end and return its result; an unknown unit is a remote error', async (t) => {
  const { fake, manager, observer } = await setup(t);
  fake.define('web.service');
  fake.jobDelayMs = 150;
  const started = Date.now();
  t.is(await manager.startUnit('web.service'), 'done');
  t.true(Date.now() - started >= 140);
  t.is((await manager.readService('web.service')).activeState, 'active');
  t.is(await manager.restartUnit('web.service'), 'done');
  t.is(await manager.stopUnit('web.service'), 'done');
  fake.define('bad.service', { service: { FailOnStart: true } });
  t.is(await manager.startUnit('bad.service'), 'failed');
  const err = await t.throwsAsync(manager.startUnit('nope.service'));
  t.is((err as { remoteName?: string }).remoteName, 'org.freedesktop.systemd1.NoSuchUnit');
  // Every job's rule was removed again.
  t.is(await matchRulesOf(observer, manager.bus.uniqueName), 0);
});

test('a job that never ends times out', async (t) => {
  const { fake, manager } = await setup(t);
  fake.define('slow.service');
  fake.jobDelayMs = 5000;
  const err = await t.throwsAsync(manager.startUnit('slow.service', { timeoutMs: 200 }));
  t.is((err as { code?: string }).code, 'timeout');
});

test('subscribe relays unit changes, manager signals and reloads; close() unsubscribes and leaves no match rule', async (t) => {
  const { fake, manager, observer } = await setup(t);
  fake.define('web.service');
  const seen: string[] = [];
  const sub = await manager.subscribe({
    unitChanged: (unit, iface, changed) => {
      if (iface.endsWith('.Unit')) seen.push(`${unit} ${String(changed['ActiveState'])}/${String(changed['SubState'])}`);
    },
    unitRemoved: (unit) => seen.push(`removed ${unit}`),
    reloading: (active) => seen.push(`reloading ${active}`),
  });
  t.is(fake.subscribers.size, 1);
  t.is(await matchRulesOf(observer, manager.bus.uniqueName), 2);
  fake.set('web.service', 'active', 'running');
  fake.remove('web.service');
  fake.reload();
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(seen, ['web.service active/running', 'removed web.service', 'reloading true', 'reloading false']);
  await sub.close();
  t.is(fake.subscribers.size, 0);
  t.is(await matchRulesOf(observer, manager.bus.uniqueName), 0);
  // Subscribing and closing many times leaks nothing either.
  for (let i = 0; i < 20; i++) await (await manager.subscribe({})).close();
  t.is(await matchRulesOf(observer, manager.bus.uniqueName), 0);
  t.deepEqual(manager.bus.matchRules(), []);
});

test('the systemctl-shaped control restoreUnit uses answers over D-Bus: jobs, failures and is-active', async (t) => {
  const { fake, manager } = await setup(t);
  fake.define('web.service');
  fake.define('bad.service', { service: { FailOnStart: true } });
  const control = new BusUnitControl(manager);
  t.false(await control.isActive('web.service'));
  await control.must('start', 'web.service');
  t.true(await control.isActive('web.service'));
  t.is((await control.run('is-active', '--quiet', 'web.service')).exitCode, 0);
  const failed = await control.run('start', 'bad.service');
  t.is(failed.exitCode, 1);
  t.regex(failed.stderr, /Job for bad\.service failed \(Result: exit-code\)/);
  await t.throwsAsync(control.must('start', 'bad.service'), { instanceOf: EngineError });
  t.is((await control.run('stop', 'nope.service')).exitCode, 1);
  t.false(await control.isActive('nope.service'));
  await t.throwsAsync(control.run('daemon-reload'), { message: /cannot run/ });
});
