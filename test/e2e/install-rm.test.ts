/**
 * berth install and berth rm against the real systemd manager of the test host (test/helpers/systemd-host.ts):
 * berth runs inside it (/usr/bin/berth → this checkout's dist), the generator linked as the system and user
 * generator. System scope: install → reloaded, loaded, active after start; a broken definition refused
 * with FILE:LINE and nothing written, written with --force; rm of an active unit refused, then with
 * --stop the unit is gone, the file gone, the archives kept. User scope: root's user manager (user@0.service,
 * its session bus from dbus-user-session), the same install → start → rm.
 */
import test from 'ava';
import { bootSystemdHost, requireSystemdHarness, type RunResult, type SystemdHost } from '../helpers/systemd-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const DEFS = '/etc/berth/definitions';
const SRC = '/var/tmp/src';
const STORE = '/var/lib/berth/checkpoints';
const USER_ENV = 'XDG_RUNTIME_DIR=/run/user/0 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus HOME=/root';

const WEB = `[Container]
Image=localhost/busybox:latest
Exec=sleep 1000
Network=web.network
[Checkpoint]
Keep=2
`;
const BROKEN = '[Container]\nImage=localhost/busybox:latest\nPublishPort 8080:80\n';

test.serial.before(() => requireSystemdHarness());

async function boot(t: { teardown(fn: () => unknown): void }): Promise<SystemdHost> {
  return bootSystemdHost({
    t,
    files: {
      [`${SRC}/web/web.container`]: WEB,
      [`${SRC}/web/web.network`]: '[Network]\n',
      [`${SRC}/web/web.container.d/10-env.conf`]: '[Container]\nEnvironment=FROM_DROPIN=1\n',
      [`${SRC}/broken.container`]: BROKEN,
      [`${SRC}/hello.container`]: '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n',
      ['/usr/share/berth/definitions/shipped.container']: '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n',
      // An archive of web from before: rm keeps it.
      [`${STORE}/web/web-20260101T000000000Z.tar.zst`]: { content: 'x', mode: 0o600 },
    },
    symlinks: {
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/local/lib/systemd/user-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
    },
  });
}

const sh = (host: SystemdHost, cmd: string): Promise<RunResult> => host.run(['/bin/sh', '-c', cmd]);
const show = async (host: SystemdHost, unit: string, user = false): Promise<string> =>
  (await sh(host, `${user ? `${USER_ENV} systemctl --user` : 'systemctl'} show -P LoadState,ActiveState ${unit}`)).stdout.trim().split('\n').join(' ');

test.serial('system scope: install, start, refuse a broken definition (or --force it), rm --stop leaves no unit and keeps the archives', async (t) => {
  const host = await boot(t);

  const installed = await sh(host, `berth install --json ${SRC}/web`);
  t.is(installed.exitCode, 0, installed.stderr);
  const report = JSON.parse(installed.stdout);
  t.true(report.reloaded);
  t.deepEqual(report.written.map((w: { path: string }) => w.path), [`${DEFS}/web.container`, `${DEFS}/web.container.d/10-env.conf`, `${DEFS}/web.network`]);
  t.deepEqual(report.units.map((u: { unit: string; loadState: string }) => `${u.unit} ${u.loadState}`).sort(), ['web-checkpoint.service loaded', 'web-network.service loaded', 'web.service loaded']);
  t.is((await host.systemctl('start', 'web.service')).exitCode, 0, await host.journal('web.service'));
  t.is(await show(host, 'web.service'), 'loaded active');
  t.regex(await host.runOk(['/usr/bin/podman', 'exec', 'systemd-web', 'env']), /FROM_DROPIN=1/);

  // A broken definition: refused at its line, nothing written; --force writes it (and it makes no unit).
  const refused = await sh(host, `berth install ${SRC}/broken.container`);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, new RegExp(`^${SRC}/broken.container:3:1: "PublishPort 8080:80" is not a key=value assignment`, 'm'));
  t.is((await sh(host, `test -e ${DEFS}/broken.container`)).exitCode, 1);
  const forced = await sh(host, `berth install --force ${SRC}/broken.container`);
  t.is(forced.exitCode, 0, forced.stderr);
  t.is((await sh(host, `test -e ${DEFS}/broken.container`)).exitCode, 0);
  // The same name again without --replace: refused.
  t.is((await sh(host, `berth install ${SRC}/web/web.network`)).exitCode, 1);

  // rm: an active unit needs --stop; a package's definition is refused, naming where it lives.
  const active = await sh(host, 'berth rm web');
  t.is(active.exitCode, 1);
  t.regex(active.stderr, /web\.service is active: nothing was removed; give --stop/);
  const shipped = await sh(host, 'berth rm shipped');
  t.is(shipped.exitCode, 1);
  t.regex(shipped.stderr, /shipped\.container lives in \/usr\/share\/berth\/definitions, not in \/etc\/berth\/definitions/);

  const removed = await sh(host, 'berth rm --stop --json web.service');
  t.is(removed.exitCode, 0, removed.stderr);
  const rm = JSON.parse(removed.stdout);
  t.deepEqual(rm.stopped, ['web.service']);
  t.true(rm.checkpoints.kept);
  t.is(await show(host, 'web.service'), 'not-found inactive');
  t.is((await sh(host, `ls ${DEFS}`)).stdout.split('\n').filter(Boolean).sort().join(' '), 'broken.container web.network');
  t.is((await sh(host, `ls ${STORE}/web`)).stdout.trim(), 'web-20260101T000000000Z.tar.zst');
  t.false((await host.systemctl('list-units', '--all', '--plain', '--no-legend', 'web*')).stdout.includes('web.service'));
  t.is((await sh(host, 'berth rm broken')).exitCode, 0);
  // web.service started its network's unit, which stays active (RemainAfterExit=yes).
  const network = await sh(host, 'berth rm web.network');
  t.is(network.exitCode, 1);
  t.regex(network.stderr, /web-network\.service is active/);
  t.is((await sh(host, 'berth rm --stop web.network')).exitCode, 0);
  t.is(await show(host, 'web-network.service'), 'not-found inactive');
  t.is((await sh(host, `ls -A ${DEFS}`)).stdout.trim(), '');

  // Installs at once take turns: the same name with --replace ends as one of them whole, two names both land.
  const big = (c: string) => `[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n${`# ${c.repeat(1000)}\n`.repeat(300)}`;
  for (const c of ['a', 'b']) {
    await host.writeFile(`${SRC}/${c}/same.container`, big(c));
    await host.writeFile(`${SRC}/${c}/only-${c}.container`, big(c));
  }
  const together = await sh(host, `pids=; for i in 1 2 3; do for c in a b; do berth install --replace ${SRC}/$c/same.container >/dev/null & pids="$pids $!"; done; done; for c in a b; do berth install ${SRC}/$c/only-$c.container >/dev/null & pids="$pids $!"; done; fail=0; for p in $pids; do wait $p || fail=1; done; exit $fail`);
  t.is(together.exitCode, 0, together.stderr);
  t.true([big('a'), big('b')].includes(await host.readFile(`${DEFS}/same.container`)));
  t.is(await host.readFile(`${DEFS}/only-a.container`), big('a'));
  t.is(await host.readFile(`${DEFS}/only-b.container`), big('b'));
  t.is(await show(host, 'only-b.service'), 'loaded inactive');

  // --remove-checkpoints takes the archives with the definition.
  t.is((await sh(host, `berth install ${SRC}/web/web.container ${SRC}/web/web.network`)).exitCode, 0);
  const all = await sh(host, 'berth rm --remove-checkpoints --json web');
  t.is(all.exitCode, 0, all.stderr);
  t.false(JSON.parse(all.stdout).checkpoints.kept);
  t.is((await sh(host, `test -e ${STORE}/web`)).exitCode, 1);
});

test.serial("user scope: root's user manager on its session bus: install, start, list, a broken file not loaded, enable|disable across the manager's restarts, rm --stop", async (t) => {
  const host = await boot(t);
  const started = await host.systemctl('start', 'user@0.service');
  t.is(started.exitCode, 0, started.stderr + (await host.journal('user@0.service')));
  // The session bus is socket-activated by the user manager (dbus-user-session).
  for (let i = 0; i < 50 && (await sh(host, 'test -S /run/user/0/bus')).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));

  const installed = await sh(host, `${USER_ENV} berth install --user ${SRC}/hello.container`);
  t.is(installed.exitCode, 0, installed.stderr);
  t.regex(installed.stdout, /installed \/root\/\.config\/berth\/definitions\/hello\.container/);
  t.regex(installed.stdout, /systemd reloaded: hello\.service loaded, inactive/);
  const start = await sh(host, `${USER_ENV} systemctl --user start hello.service`);
  t.is(start.exitCode, 0, start.stderr);
  t.is(await show(host, 'hello.service', true), 'loaded active');

  // berth list --user: hello active; a broken definition (written with --force) not loaded, at its line.
  t.is((await sh(host, `${USER_ENV} berth install --user --force ${SRC}/broken.container`)).exitCode, 0);
  const listed = await sh(host, `${USER_ENV} berth list --user --json`);
  t.is(listed.exitCode, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as Array<{ name: string; state: string; reason: string | null }>;
  t.is(rows.find((r) => r.name === 'hello.container')?.state, 'active', listed.stdout);
  const broken = rows.find((r) => r.name === 'broken.container');
  t.is(broken?.state, 'not loaded', listed.stdout);
  t.regex(broken?.reason ?? '', /\/root\/\.config\/berth\/definitions\/broken\.container:3/);
  t.is((await sh(host, `${USER_ENV} berth rm --user broken`)).exitCode, 0);

  // enable: started whenever the user manager starts (its "boot"); disable: not any more.
  const restartManager = async (): Promise<void> => {
    t.is((await host.systemctl('restart', 'user@0.service')).exitCode, 0);
    for (let i = 0; i < 50 && (await sh(host, 'test -S /run/user/0/bus')).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  };
  t.is((await sh(host, `${USER_ENV} berth enable --user hello`)).exitCode, 0);
  await restartManager();
  // The manager reaches default.target, and so starts the unit, a moment after its bus is up.
  let state = '';
  for (let i = 0; i < 100 && (state = await show(host, 'hello.service', true)) !== 'loaded active'; i++) await new Promise((r) => setTimeout(r, 200));
  t.is(state, 'loaded active', 'enabled: started with the user manager');
  t.is((await sh(host, `${USER_ENV} berth disable --user --now hello`)).exitCode, 0);
  await restartManager();
  t.is(await show(host, 'hello.service', true), 'loaded inactive', 'disabled: not started with the user manager');

  t.is((await sh(host, `${USER_ENV} systemctl --user start hello.service`)).exitCode, 0);
  t.is((await sh(host, `${USER_ENV} berth rm --user hello`)).exitCode, 1);
  const removed = await sh(host, `${USER_ENV} berth rm --user --stop hello`);
  t.is(removed.exitCode, 0, removed.stderr);
  t.is(await show(host, 'hello.service', true), 'not-found inactive');
  t.is((await sh(host, 'test -e /root/.config/berth/definitions/hello.container')).exitCode, 1);
  // The lock of user installs lives in the user's runtime folder.
  t.is((await sh(host, 'test -d /run/user/0/berth/locks/definitions/install.lock')).exitCode, 0);
});
