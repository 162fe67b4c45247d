/**
 * SystemdManager's jobs and BusUnitControl (what `berth restore` and the agent's Restore use) against a
 * real systemd manager (the test harness's): a job that fails, one systemd times out, one berth stops
 * waiting for, and what each says.
 */
import test from 'ava';
import { BusError, EngineError } from '../../src/errors.js';
import { SystemdManager } from '../../src/systemd/manager.js';
import { BusUnitControl } from '../../src/systemd/unit-control.js';
import { bootSystemdHost, requireSystemdHarness } from '../helpers/systemd-host.js';

test.before(() => requireSystemdHarness());

const UNITS: Record<string, string> = {
  '/etc/systemd/system/fails.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
  '/etc/systemd/system/slow.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 30\nTimeoutStartSec=1s\n',
  '/etc/systemd/system/slower.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n',
  '/etc/systemd/system/queued.service': '[Unit]\nJobTimeoutSec=1s\n[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n',
  '/etc/systemd/system/works.service': '[Service]\nExecStart=/bin/sleep infinity\n',
  '/etc/systemd/system/needs-fails.service': '[Unit]\nRequires=fails.service\nAfter=fails.service\n[Service]\nExecStart=/bin/sleep infinity\n',
};

test('jobs on the real manager end as systemd says: done, failed (a start that timed out too), dependency, timeout; a job berth stops waiting for is a timeout error', async (t) => {
  const host = await bootSystemdHost({ t, files: UNITS });
  const manager = await SystemdManager.connect({ address: host.busAddress });
  t.teardown(() => manager.close());

  t.is(await manager.startUnit('works.service'), 'done');
  t.is((await manager.readService('works.service')).activeState, 'active');
  t.is(await manager.startUnit('fails.service'), 'failed');
  t.like(await manager.readService('fails.service'), { activeState: 'failed', result: 'exit-code' });
  t.is(await manager.startUnit('needs-fails.service'), 'dependency');
  // TimeoutStartSec= fails the start (the unit's result says why); JobTimeoutSec= times the job out.
  t.is(await manager.startUnit('slow.service'), 'failed');
  t.like(await manager.readService('slow.service'), { activeState: 'failed', result: 'timeout' });
  t.is(await manager.startUnit('queued.service'), 'timeout');

  const started = Date.now();
  const err = await t.throwsAsync(manager.startUnit('slower.service', { timeoutMs: 500 }), { instanceOf: BusError });
  t.is(err.code, 'timeout');
  t.regex(err.message, /^the StartUnit job of slower\.service \(\/org\/freedesktop\/systemd1\/job\/\d+\) did not finish within 500 ms$/);
  t.true(Date.now() - started < 5000);
  t.is(await manager.stopUnit('slower.service'), 'done');
  // Each job's match rule went with it.
  t.deepEqual(manager.bus.matchRules(), []);
});

test("BusUnitControl answers as systemctl would on the real manager: start, a failing start with the unit's result, is-active, an unknown unit", async (t) => {
  const host = await bootSystemdHost({ t, files: UNITS });
  const manager = await SystemdManager.connect({ address: host.busAddress });
  t.teardown(() => manager.close());
  const control = new BusUnitControl(manager);

  t.false(await control.isActive('works.service'));
  await control.must('start', 'works.service');
  t.true(await control.isActive('works.service'));
  t.deepEqual(await control.run('is-active', 'works.service'), { exitCode: 0, stdout: 'active\n', stderr: '' });

  t.deepEqual(await control.run('start', 'fails.service'), {
    exitCode: 1,
    stdout: '',
    stderr: 'Job for fails.service failed (Result: exit-code); the start did not complete.',
  });
  const err = await t.throwsAsync(control.must('start', 'slow.service'), { instanceOf: EngineError });
  t.is(err.message, 'start slow.service failed: Job for slow.service failed (Result: timeout); the start did not complete.');
  t.deepEqual(await control.run('start', 'queued.service'), {
    exitCode: 1,
    stdout: '',
    stderr: 'Job for queued.service ended with result "timeout" (Result: success); the start did not complete.',
  });
  t.deepEqual(await control.run('is-active', '--quiet', 'fails.service'), { exitCode: 3, stdout: '', stderr: '' });

  const unknown = await control.run('start', 'nope.service');
  t.is(unknown.exitCode, 1);
  t.regex(unknown.stderr, /^Failed to start nope\.service: .*org\.freedesktop\.systemd1\.NoSuchUnit: Unit nope\.service not found\.$/);
  t.false(await control.isActive('nope.service'));
});
