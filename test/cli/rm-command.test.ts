import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRm } from '../../src/cli/rm-command.js';
import { InstallError, UsageError } from '../../src/errors.js';
import type { Units, UnitState } from '../../src/install/units.js';

/** A fake manager: units are loaded while their definition exists (as the generator would make them). */
function fakeUnits(active: Record<string, string>, calls: string[], exists: (unit: string) => boolean): Units {
  return {
    reload: async () => void calls.push('reload'),
    states: async (units) => units.map((unit): UnitState => ({ unit, loadState: exists(unit) ? 'loaded' : 'not-found', activeState: active[unit] ?? 'inactive', subState: '' })),
    stop: async (unit) => {
      calls.push(`stop ${unit}`);
      active[unit] = 'inactive';
      return 'done';
    },
    loadState: async (unit) => (exists(unit) ? 'loaded' : 'not-found'),
    resetFailed: async (unit) => void calls.push(`reset-failed ${unit}`),
    close: async () => undefined,
  };
}

function setup(active: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'berth-rm-'));
  const admin = join(root, 'etc');
  const pkg = join(root, 'usr');
  const store = join(root, 'checkpoints');
  for (const d of [admin, pkg, join(admin, 'web.container.d'), join(store, 'web')]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(join(admin, 'web.container'), `[Container]\nImage=localhost/busybox:latest\n[Checkpoint]\nDirectory=${store}\nOnCalendar=daily\n`);
  writeFileSync(join(admin, 'web.container.d/10.conf'), '[Container]\nPublishPort=80\n');
  writeFileSync(join(pkg, 'shipped.container'), '[Container]\nImage=localhost/busybox:latest\n');
  writeFileSync(join(store, 'web', 'web-20260101T000000000Z.tar.zst'), 'x', { mode: 0o600 });
  writeFileSync(join(store, 'web', 'web-20260101T000000000Z.tar.zst.json'), '{}', { mode: 0o600 });
  const calls: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const units = fakeUnits(active, calls, (unit) => unit.startsWith('web') && existsSync(join(admin, 'web.container')));
  const deps = {
    env: { BERTH_UNIT_DIRS: `${admin}:${pkg}`, BERTH_PODMAN_VERSION: '5.4' },
    connect: async () => units,
    lockDir: join(root, 'locks'),
    checkpointLockDir: join(root, 'locks'),
    out: (s: string) => void out.push(s),
    err: (s: string) => void err.push(s),
  };
  return { root, admin, store, calls, out, err, deps };
}

test('rm removes the definition and its drop-in folder, reloads, checks the units are gone, and keeps the archives', async (t) => {
  const s = setup({ 'web-checkpoint.timer': 'active' });
  t.is(await runRm('web', {}, s.deps), 0, s.err.join(''));
  t.false(existsSync(join(s.admin, 'web.container')));
  t.false(existsSync(join(s.admin, 'web.container.d')));
  t.deepEqual(s.calls, ['stop web-checkpoint.timer', 'reload']);
  t.deepEqual(readdirSync(join(s.store, 'web')).length, 2);
  t.regex(s.out.join(''), /kept the checkpoint archives in .*checkpoints\/web \(--remove-checkpoints removes them\)/);
});

test('an active unit refuses rm without --stop; with it the unit is stopped first; --json says it all', async (t) => {
  const s = setup({ 'web.service': 'active' });
  await t.throwsAsync(runRm('web.service', {}, s.deps), { instanceOf: InstallError, message: /web\.service is active: nothing was removed; give --stop/ });
  t.true(existsSync(join(s.admin, 'web.container')));
  t.is(await runRm('web.container', { stop: true, json: true, removeCheckpoints: true }, s.deps), 0, s.err.join(''));
  t.deepEqual(s.calls, ['stop web.service', 'reload']);
  const report = JSON.parse(s.out.join(''));
  t.true(report.ok);
  t.deepEqual(report.stopped, ['web.service']);
  t.true(report.reloaded);
  t.deepEqual(report.units, [{ unit: 'web.service', loadState: 'not-found' }, { unit: 'web-checkpoint.service', loadState: 'not-found' }, { unit: 'web-checkpoint.timer', loadState: 'not-found' }]);
  t.deepEqual(report.removed, [join(s.admin, 'web.container'), join(s.admin, 'web.container.d/10.conf'), join(s.admin, 'web.container.d')]);
  t.false(report.checkpoints.kept);
  t.false(existsSync(join(s.store, 'web')));
});

test("rm refuses a package's definition, naming where it lives, and unknown names", async (t) => {
  const s = setup();
  await t.throwsAsync(runRm('shipped', {}, s.deps), { instanceOf: InstallError, message: /shipped\.container lives in .*\/usr, not in .*\/etc/ });
  await t.throwsAsync(runRm('nothing', {}, s.deps), { instanceOf: UsageError });
  await t.throwsAsync(runRm('web', { removeCheckpoints: true, keepCheckpoints: true }, s.deps), { instanceOf: UsageError });
  t.deepEqual(s.calls, []);
});

test('a unit still loaded after the reload is a failure', async (t) => {
  const s = setup();
  s.deps.connect = async () => fakeUnits({}, s.calls, () => true);
  t.is(await runRm('web', {}, s.deps), 1);
  t.regex(s.err.join(''), /was removed and systemd reloaded, but web\.service is still loaded/);
});

test('a definition that does not parse can be removed too', async (t) => {
  const s = setup();
  writeFileSync(join(s.admin, 'broken.container'), '[Container]\nPublishPort 80\n');
  t.is(await runRm('broken', { json: true }, s.deps), 0, s.err.join(''));
  t.false(existsSync(join(s.admin, 'broken.container')));
  t.deepEqual(JSON.parse(s.out.join('')).units, [{ unit: 'broken.service', loadState: 'not-found' }]);
});
