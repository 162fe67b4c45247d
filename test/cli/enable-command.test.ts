import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEnable, writeEnabledState, type UnitManager } from '../../src/cli/enable-command.js';
import { readEnabledState } from '../../src/generator/enabled.js';
import { InstallError, UsageError } from '../../src/errors.js';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'berth-enable-'));
  chmodSync(root, 0o755);
  mkdirSync(join(root, 'defs'));
  writeFileSync(join(root, 'defs', 'web.container'), '[Container]\nImage=img\n[Install]\nWantedBy=multi-user.target\n');
  writeFileSync(join(root, 'defs', 'plain.container'), '[Container]\nImage=img\n');
  writeFileSync(join(root, 'defs', 'tpl@.container'), '[Container]\nImage=img\n');
  const env = { BERTH_UNIT_DIRS: join(root, 'defs'), BERTH_ENABLED_DIR: join(root, 'enabled') };
  return { root, env, dir: join(root, 'enabled') };
}

/** A manager that records the calls; `fail` makes a job end with that result, `unreachable` the connection fail. */
function fake(opts: { result?: string; unreachable?: boolean; load?: string } = {}) {
  const calls: string[] = [];
  let out = '';
  let err = '';
  const manager: UnitManager = {
    reload: async () => void calls.push('reload'),
    loadState: async () => opts.load ?? 'loaded',
    startUnit: async (u) => (calls.push(`start ${u}`), opts.result ?? 'done'),
    stopUnit: async (u) => (calls.push(`stop ${u}`), opts.result ?? 'done'),
    close: async () => void calls.push('close'),
  };
  const io = {
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
    connect: async () => {
      if (opts.unreachable) throw new Error('no bus here');
      return manager;
    },
  };
  return { io, calls, out: () => out, err: () => err };
}

test('the state is written atomically as one empty entry, the other one removed; no temporary file is left', async (t) => {
  const { dir } = setup();
  t.is(await writeEnabledState(dir, 'web.container', 'disabled'), join(dir, 'web.container.disabled'));
  t.deepEqual(readdirSync(dir), ['web.container.disabled']);
  await writeEnabledState(dir, 'web.container', 'enabled');
  await writeEnabledState(dir, 'web.container', 'enabled');
  t.deepEqual(readdirSync(dir), ['web.container.enabled']);
  t.deepEqual([...readEnabledState(dir).states], [['web.container', 'enabled']]);
});

test('disable, then enable: the state, a reload each time, and what the unit does at boot', async (t) => {
  const { env, dir } = setup();
  const f = fake();
  t.is(await runEnable('web', 'disabled', {}, env, f.io), 0);
  t.deepEqual([...readEnabledState(dir).states], [['web.container', 'disabled']]);
  t.is(await runEnable('web.container', 'enabled', {}, env, f.io), 0);
  t.deepEqual([...readEnabledState(dir).states], [['web.container', 'enabled']]);
  t.deepEqual(f.calls, ['reload', 'close', 'reload', 'close']);
  t.is(f.out(), 'web.container: disabled: web.service does not start at boot\nweb.container: enabled: web.service starts at boot (WantedBy=multi-user.target)\n');
});

test('enable --now of a definition without [Install]: wanted by the default target, reloaded, then started; --json says so', async (t) => {
  const { env, dir } = setup();
  const f = fake();
  t.is(await runEnable('plain', 'enabled', { now: true, json: true }, env, f.io), 0);
  t.deepEqual(f.calls, ['reload', 'start plain.service', 'close']);
  t.deepEqual(JSON.parse(f.out()), {
    definition: join(env.BERTH_UNIT_DIRS, 'plain.container'), name: 'plain.container', unit: 'plain.service', state: 'enabled', previous: 'default',
    stateFile: join(dir, 'plain.container.enabled'), reloaded: true, started: true, job: 'done',
  });
  const text = fake();
  t.is(await runEnable('plain', 'enabled', {}, env, text.io), 0);
  t.is(text.out(), 'plain.container: enabled (it was already): plain.service starts at boot (wanted by multi-user.target: its [Install] names no WantedBy=, RequiredBy= or UpheldBy=)\n');
  const user = fake();
  t.is(await runEnable('plain', 'enabled', { user: true }, env, user.io), 0);
  t.regex(user.out(), /wanted by default\.target/);
});

test('disable --now stops the unit; a failed job or an unreachable manager with --now is exit status 1, without --now a warning', async (t) => {
  const { env } = setup();
  const f = fake();
  t.is(await runEnable('web', 'disabled', { now: true }, env, f.io), 0);
  t.deepEqual(f.calls, ['reload', 'stop web.service', 'close']);
  t.regex(f.out(), /web\.service stopped\n$/);
  const failed = fake({ result: 'failed' });
  t.is(await runEnable('web', 'enabled', { now: true }, env, failed.io), 1);
  t.regex(failed.err(), /the start job of web\.service ended with "failed"/);
  const away = fake({ unreachable: true });
  t.is(await runEnable('web', 'enabled', { now: true }, env, away.io), 1);
  t.regex(away.err(), /systemd could not be reloaded: no bus here/);
  const quiet = fake({ unreachable: true });
  t.is(await runEnable('web', 'disabled', {}, env, quiet.io), 0);
  t.regex(quiet.err(), /warning: systemd could not be reloaded \(no bus here\); the state is saved/);
});

test('an unknown name, a template without DefaultInstance=, and an untrusted state folder are refused', async (t) => {
  const { env, dir } = setup();
  await t.throwsAsync(runEnable('nope', 'enabled', {}, env, fake().io), { instanceOf: UsageError, message: /no definition named nope/ });
  await t.throwsAsync(runEnable('tpl@.container', 'enabled', {}, env, fake().io), { instanceOf: UsageError, message: /a template/ });
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  await t.throwsAsync(runEnable('web', 'enabled', {}, env, fake().io), { instanceOf: InstallError, message: /can be written by anyone/ });
});

test('enable warns when systemd has no unit of that name after the reload (the generator refused the definition)', async (t) => {
  const { env } = setup();
  const f = fake({ load: 'not-found' });
  t.is(await runEnable('web', 'enabled', {}, env, f.io), 0);
  t.regex(f.err(), /warning: systemd has no unit web\.service to start \(load state not-found\): the generator made none from web\.container; `berth print web\.container --unit` says why/);
});
