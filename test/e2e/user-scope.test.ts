/**
 * User scope on root's user manager in the test host (test/helpers/systemd-host.ts; user@0.service, its
 * session bus from dbus-user-session): a user's container waits for the system's network through berth's
 * own bounded unit (units/user/berth-user-wait-network-online.service) and starts anyway, with one journal
 * line, when network-online.target is never reached; `berth status --user` reads that manager, the user's
 * agent serves that manager's containers only, and `berth doctor --user` checks what they need.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { bootSystemdHost, requireSystemdHarness, type RunResult, type SystemdHost } from '../helpers/systemd-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const USER_ENV = 'XDG_RUNTIME_DIR=/run/user/0 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus HOME=/root';
const WAIT = 'berth-user-wait-network-online.service';
const WAIT_SEC = 4;

test.serial.before(() => requireSystemdHarness());

const sh = (host: SystemdHost, cmd: string): Promise<RunResult> => host.run(['/bin/sh', '-c', cmd]);
const userShow = async (host: SystemdHost, unit: string, props = 'LoadState,ActiveState'): Promise<string> =>
  (await sh(host, `${USER_ENV} systemctl --user show -P ${props} ${unit}`)).stdout.trim().split('\n').join(' ');
const userJournal = async (host: SystemdHost, unit: string): Promise<string> =>
  (await sh(host, `journalctl --no-pager -b -o cat --user-unit=${unit}`)).stdout;

async function boot(t: { teardown(fn: () => unknown): void }): Promise<SystemdHost> {
  return bootSystemdHost({
    t,
    files: {
      [`/etc/systemd/user/${WAIT}`]: readFileSync(`${REPO}units/user/${WAIT}`, 'utf8'),
      // A shorter bound than the shipped 90 s, as an administrator's drop-in would set it.
      [`/etc/systemd/user/${WAIT}.d/10-test.conf`]: `[Service]\nEnvironment=BERTH_NETWORK_WAIT_SEC=${WAIT_SEC}\n`,
      // A network that never comes online: network-online.target waits for this forever once started.
      '/etc/systemd/system/never-online.service': '[Unit]\nBefore=network-online.target\n[Service]\nType=oneshot\nExecStart=/bin/sleep infinity\nTimeoutStartSec=infinity\n',
      '/root/hello.container': '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n',
      // The system manager's container, which no user's agent or status may show.
      '/etc/berth/definitions/sys.container': '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n',
      '/etc/systemd/user/berth-agent.service': readFileSync(`${REPO}units/user/berth-agent.service`, 'utf8'),
    },
    symlinks: {
      '/etc/systemd/system/network-online.target.wants/never-online.service': '/etc/systemd/system/never-online.service',
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/local/lib/systemd/user-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
    },
  });
}

async function startUserManager(t: { is(a: unknown, b: unknown, m?: string): void }, host: SystemdHost): Promise<void> {
  const started = await host.systemctl('start', 'user@0.service');
  t.is(started.exitCode, 0, started.stderr + (await host.journal('user@0.service')));
  for (let i = 0; i < 50 && (await sh(host, 'test -S /run/user/0/bus')).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
}

test.serial("a user's container waits for network-online.target at most the bound, then starts with one journal line; status, the user's agent and doctor --user see that user's manager only", async (t) => {
  const host = await boot(t);
  const verify = await sh(host, `mkdir -p -m 0700 /tmp/xdg && XDG_RUNTIME_DIR=/tmp/xdg systemd-analyze --user verify /etc/systemd/user/${WAIT}`);
  t.deepEqual([verify.exitCode, verify.stdout, verify.stderr], [0, '', ''], 'systemd-analyze verify has nothing to say about the unit');
  // network-online.target: stopped if something reached it at boot, then started and left waiting forever.
  await host.systemctl('stop', 'network-online.target');
  t.is((await host.systemctl('start', '--no-block', 'network-online.target')).exitCode, 0);
  t.regex((await host.systemctl('list-jobs', '--no-legend', 'network-online.target')).stdout, /network-online\.target/);
  // What the wait asks of the system manager, any user may ask (over the system bus): a lingering user's unit works too.
  const asUser = await host.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '/bin/sh', '-c',
    'systemctl is-active network-online.target; systemctl list-jobs --no-legend network-online.target; systemctl is-system-running']);
  t.regex(asUser.stdout, /^inactive\n.*network-online\.target.*start.*\n(running|degraded)\n$/s, asUser.stderr);
  await startUserManager(t, host);

  const installed = await sh(host, `${USER_ENV} berth install --user /root/hello.container`);
  t.is(installed.exitCode, 0, installed.stderr);
  const unit = (await sh(host, `${USER_ENV} systemctl --user cat hello.service`)).stdout;
  t.regex(unit, new RegExp(`^Wants=${WAIT.replace(/\./g, '\\.')}$`, 'm'));
  t.regex(unit, new RegExp(`^After=${WAIT.replace(/\./g, '\\.')}$`, 'm'));

  const t0 = Date.now();
  const start = await sh(host, `${USER_ENV} systemctl --user start hello.service`);
  const took = Date.now() - t0;
  t.is(start.exitCode, 0, start.stderr + (await userJournal(host, WAIT)));
  // The deadline is in whole seconds (date +%s): a wait of N s lasts more than N - 1 s.
  t.true(took >= (WAIT_SEC - 1) * 1000, `started after ${took} ms: it waited for the network`);
  t.true(took < (WAIT_SEC + 20) * 1000, `started after ${took} ms: the wait is bounded`);
  t.is(await userShow(host, 'hello.service'), 'loaded active');
  t.deepEqual([await userShow(host, WAIT, 'ActiveState'), await userShow(host, WAIT, 'Result')], ['active', 'success'], 'the wait ends without failing');
  const lines = (await userJournal(host, WAIT)).split('\n').filter((l) => l.startsWith('berth:'));
  t.deepEqual(lines, [`berth: network-online.target is still not active after ${WAIT_SEC} s; the containers start without it`]);
  t.is((await host.systemctl('is-active', 'network-online.target')).stdout.trim(), 'inactive', 'the system is still waiting for it');

  // berth status --user reads root's user manager: the container runs.
  const status = await sh(host, `${USER_ENV} berth status --user --json`);
  t.is(status.exitCode, 0, status.stderr);
  const rows = JSON.parse(status.stdout) as Array<{ name: string; active: string; load: string }>;
  t.deepEqual(rows.map((r) => [r.name, r.load, r.active]), [['hello', 'loaded', 'active']], status.stdout);
  t.regex((await sh(host, `${USER_ENV} berth status --user`)).stdout, /^hello\s+active/m);

  // The user's agent, on the user's bus: the user's container only, not the system's; no other user reaches that bus.
  t.is((await host.systemctl('show', '-P', 'LoadState', 'sys.service')).stdout.trim(), 'loaded', 'the system has a container of its own');
  t.is((await sh(host, `${USER_ENV} systemctl --user start berth-agent.service`)).exitCode, 0, await userJournal(host, 'berth-agent.service'));
  const listed = await sh(host, `${USER_ENV} busctl --user call io.berth.Manager1 /io/berth/Manager1 io.berth.Manager1 ListContainers`);
  t.is(listed.exitCode, 0, listed.stderr);
  t.regex(listed.stdout, /^a\(ssssssutus\) 1 "hello" "hello\.service" "loaded" "active" "running" /, 'the user manager\'s container only');
  t.notRegex(listed.stdout, /"sys"/);
  t.notRegex((await sh(host, `${USER_ENV} berth status --user`)).stdout, /^sys\b/m);
  const other = await host.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'busctl', '--address=unix:path=/run/user/0/bus', 'call', 'io.berth.Manager1', '/io/berth/Manager1', 'io.berth.Manager1', 'ListContainers']);
  t.not(other.exitCode, 0, 'another user cannot reach this user\'s bus');

  // berth doctor --user, as root: the id checks are not needed, no linger, the agent on the user's bus.
  const doctor = await sh(host, `${USER_ENV} berth doctor --user --json`);
  const report = JSON.parse(doctor.stdout) as { scope: string; checks: Array<{ id: string; status: string; summary: string }> };
  t.is(report.scope, 'user');
  const verdicts = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  t.like(verdicts, { 'user-generator': 'ok', subuid: 'ok', subgid: 'ok', newuidmap: 'ok', newgidmap: 'ok', linger: 'warn', definitions: 'ok', quadlet: 'ok', agent: 'ok' }, doctor.stdout);
  t.regex(report.checks.find((c) => c.id === 'definitions')!.summary, /^1 definition\(s\) in /);

  // Nothing starting network-online.target any more (the job cancelled) on a running system: no wait at all.
  t.is((await host.systemctl('cancel')).exitCode, 0);
  const t1 = Date.now();
  t.is((await sh(host, `${USER_ENV} systemctl --user restart ${WAIT}`)).exitCode, 0);
  t.true(Date.now() - t1 < (WAIT_SEC - 1) * 1000, `no job for network-online.target: it ends at once (${Date.now() - t1} ms)`);
  // The unit's own line comes through its stdout stream, which journald may take in after the manager's "Finished".
  const line = /^berth: the system finished starting and nothing is starting network-online\.target; the containers start without waiting for it$/m;
  let journal = '';
  for (let i = 0; i < 50 && !line.test((journal = await userJournal(host, WAIT))); i++) await new Promise((r) => setTimeout(r, 100));
  t.regex(journal, line);
});
