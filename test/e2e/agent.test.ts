/**
 * The berth agent as installed: its unit (units/berth-agent.service, Type=dbus), D-Bus activation file and
 * bus policy (packaging/dbus/) on a real systemd system manager and its system bus (the test harness's).
 */
import test, { type ExecutionContext } from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';
import { Bus, matchRule, type SignalMessage } from '../../src/systemd/bus.js';
import { AGENT_PATH } from '../../src/agent/interface.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const DEFS = '/etc/berth/definitions';
const RUNS = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 1 & wait; done"\n`;
const INSTALL = '[Install]\nWantedBy=multi-user.target\n';
const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
const AGENT = ['io.berth.Manager1', '/io/berth/Manager1', 'io.berth.Manager1'];

test.before(() => requireSystemdHarness());

async function bootWithAgent(t: ExecutionContext, defs: Record<string, string>): Promise<SystemdHost> {
  const files: Record<string, string> = {
    '/etc/dbus-1/system.d/io.berth.Manager1.conf': readFileSync(`${REPO}packaging/dbus/io.berth.Manager1.conf`, 'utf8'),
    '/usr/share/dbus-1/system-services/io.berth.Manager1.service': readFileSync(`${REPO}packaging/dbus/system-services/io.berth.Manager1.service`, 'utf8'),
    '/etc/systemd/system/berth-agent.service': readFileSync(`${REPO}units/berth-agent.service`, 'utf8'),
  };
  for (const [name, text] of Object.entries(defs)) files[`${DEFS}/${name}`] = text;
  const host = await bootSystemdHost({
    t,
    files,
    symlinks: {
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.mjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
      '/etc/systemd/system/multi-user.target.wants/berth-agent.service': '/etc/systemd/system/berth-agent.service',
    },
  });
  t.is((await host.systemctl('is-active', 'berth-agent.service')).stdout.trim(), 'active', await host.journal('berth-agent.service'));
  return host;
}

async function agentUnit(host: SystemdHost): Promise<{ pid: string; restarts: string; state: string }> {
  const out = (await host.systemctl('show', 'berth-agent.service', '-p', 'MainPID,NRestarts,ActiveState,SubState')).stdout;
  const p = Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
  return { pid: p['MainPID']!, restarts: p['NRestarts']!, state: `${p['ActiveState']}/${p['SubState']}` };
}

async function watchAgent(host: SystemdHost, t: { teardown(fn: () => unknown): void }): Promise<{ bus: Bus; signals: SignalMessage[] }> {
  const bus = await Bus.connect({ address: host.busAddress });
  t.teardown(() => bus.close());
  const signals: SignalMessage[] = [];
  await bus.addMatch(matchRule({ type: 'signal', path: AGENT_PATH }));
  bus.onSignal((s) => {
    if (s.path === AGENT_PATH) signals.push(s);
  });
  return { bus, signals };
}

async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test.serial("on the system bus with berth's policy, nobody reads the agent's state but gets AccessDenied for Checkpoint, Restore and the name; root may do all three", async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + '[Checkpoint]\nKeep=3\n' + INSTALL });
  t.is((await host.systemctl('is-active', 'web.service')).stdout.trim(), 'active', await host.journal('web.service'));
  const { signals } = await watchAgent(host, t);

  // Any local user may read.
  const version = await host.run([...NOBODY, 'busctl', 'get-property', ...AGENT, 'Version']);
  t.is(version.exitCode, 0, version.stderr);
  t.is(version.stdout.trim(), 's "0.1.0"');
  const containers = await host.run([...NOBODY, 'busctl', 'get-property', ...AGENT, 'Containers']);
  t.regex(containers.stdout, /^a\(ssssssutus\) 1 "web" "web.service" "loaded" "active" "running" "success" \d+ \d+ 0 ""/);
  const get = await host.run([...NOBODY, 'busctl', 'call', ...AGENT, 'GetContainer', 's', 'web']);
  t.is(get.exitCode, 0, get.stderr);
  t.regex(get.stdout, /"ActiveState" s "active"/);
  t.is((await host.run([...NOBODY, 'busctl', 'call', ...AGENT, 'ListCheckpoints', 's', 'web'])).exitCode, 0);

  // Nothing that changes anything, and not the name.
  for (const argv of [
    ['busctl', 'call', ...AGENT, 'Checkpoint', 's', 'web'],
    ['busctl', 'call', ...AGENT, 'Restore', 'ss', 'web', ''],
    ['busctl', 'call', 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'RequestName', 'su', 'io.berth.Manager1', '4'],
  ]) {
    const r = await host.run([...NOBODY, ...argv]);
    t.not(r.exitCode, 0, argv.join(' '));
    t.regex(r.stderr, /Access denied|AccessDenied|not allowed to own/, argv.join(' '));
  }

  // Root: the name is taken (3 = exists), not refused; a checkpoint, then a restore from it.
  t.is((await host.runOk(['busctl', 'call', 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'RequestName', 'su', 'io.berth.Manager1', '4'])).trim(), 'u 3');
  const taken = await host.run(['busctl', '--timeout=300', 'call', ...AGENT, 'Checkpoint', 's', 'web'], { timeoutMs: 310_000 });
  t.is(taken.exitCode, 0, `${taken.stderr}\n${await host.journal('berth-agent.service')}`);
  const archive = /^s "(.+)"$/.exec(taken.stdout.trim())?.[1];
  t.regex(archive ?? '', /^\/var\/lib\/berth\/checkpoints\/web\/web-\d{8}T\d{9}Z\.tar\.zst$/);
  await until(() => signals.find((s) => s.member === 'CheckpointFinished'), 2000, 'CheckpointFinished');
  t.deepEqual(signals.find((s) => s.member === 'CheckpointFinished')!.body, ['web', true, archive, '']);
  t.is((await host.run(['test', '-s', archive!])).exitCode, 0);

  const restored = await host.run(['busctl', '--timeout=300', 'call', ...AGENT, 'Restore', 'ss', 'web', ''], { timeoutMs: 310_000 });
  t.is(restored.exitCode, 0, `${restored.stderr}\n${await host.journal('web.service')}`);
  t.is(restored.stdout.trim(), `s "${archive}"`);
  t.is((await host.systemctl('is-active', 'web.service')).stdout.trim(), 'active');
  t.regex(await host.journal('web.service'), /berth start: restored systemd-web from /);

  // `berth restore` stops and starts the unit over D-Bus too (no systemctl).
  const cli = await host.run(['/bin/sh', '-c', '/usr/bin/berth restore web'], { timeoutMs: 310_000 });
  t.is(cli.exitCode, 0, cli.stderr);
  t.regex(cli.stdout, new RegExp(`^web\\.service is active, restored from ${archive!.replaceAll('.', '\\.')} `));
});

test.serial("the agent signals a container's state change within one second of systemctl stop", async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL });
  const { signals } = await watchAgent(host, t);
  const started = Date.now();
  const stop = host.systemctl('stop', 'web.service');
  const first = await until(() => signals.find((s) => s.member === 'ContainerStateChanged'), 1000, 'the first state change');
  t.log(`first signal after ${Date.now() - started} ms: ${JSON.stringify(first.body)}`);
  t.is(first.body[0], 'web');
  t.is((await stop).exitCode, 0);
  const stopped = Date.now();
  const dead = await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[1] === 'inactive'), 1000, 'the inactive state');
  t.log(`inactive signal ${Date.now() - stopped} ms after systemctl stop returned`);
  t.deepEqual(dead.body, ['web', 'inactive', 'dead', 'success', 0]);
  t.true(signals.some((s) => s.member === 'PropertiesChanged' && (s.body[2] as string[]).includes('Containers')));
});

/** The PID (on this host) of the dbus-daemon running inside `host`. */
function busDaemonPid(host: SystemdHost): number {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (!readFileSync(`/proc/${e}/cmdline`, 'utf8').startsWith('/usr/bin/dbus-daemon\0--system')) continue;
      // The harness runs each host in a cgroup of its own, berth-host-<name>.
      if (readFileSync(`/proc/${e}/cgroup`, 'utf8').includes(`/berth-host-${host.name}/`)) return Number(e);
    } catch {
      /* gone */
    }
  }
  throw new Error(`no dbus-daemon inside ${host.name}`);
}

test.serial('kill the bus under the agent and start it again: the same agent process serves again and still relays systemd', async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL });
  const before = await agentUnit(host);
  t.is(before.state, 'active/running');

  for (const how of ['SIGKILL, then start', 'systemctl restart dbus']) {
    if (how.startsWith('SIGKILL')) {
      process.kill(busDaemonPid(host), 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      // The socket is systemd's: this (like the agent's own reconnection) starts the bus again.
      await host.systemctl('start', 'dbus.service');
    } else {
      await host.systemctl('restart', 'dbus.service');
    }
    await until(async () => (await host.run(['busctl', 'get-property', ...AGENT, 'Version'])).exitCode === 0, 10_000, `the agent to serve after ${how}`);
    const after = await agentUnit(host);
    t.deepEqual(after, before, `after ${how}: same process, no restart`);

    // It follows systemd again: a stop is relayed.
    const { signals } = await watchAgent(host, t);
    await until(async () => (await host.run(['busctl', 'get-property', ...AGENT, 'Containers'])).stdout.includes('"web"'), 5000, 'the containers');
    const wanted = how.startsWith('SIGKILL') ? 'inactive' : 'active';
    await host.systemctl(wanted === 'inactive' ? 'stop' : 'start', 'web.service');
    await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[1] === wanted), 5000, `the ${wanted} state relayed after ${how}`);
    t.pass(`relayed after ${how}`);
    await new Promise((r) => setTimeout(r, 2500)); // dbus.service's start rate limit
  }
  t.regex(await host.journal('berth-agent.service'), /reconnected after \d+ attempt/);
});
