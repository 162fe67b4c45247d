/**
 * A systemd test host (test/helpers/systemd-host.ts) with the berth agent installed as the RPM installs it:
 * its unit (units/berth-agent.service), D-Bus activation file and bus policy (packaging/dbus/), the
 * generator, /usr/bin/berth, and definitions in /etc/berth/definitions. Helpers read the agent's unit and
 * follow its signals from here.
 */
import type { ExecutionContext } from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { AGENT_PATH } from '../../src/agent/interface.js';
import { Bus, matchRule, type SignalMessage } from '../../src/systemd/bus.js';
import { bootSystemdHost, type SystemdHost } from '../helpers/systemd-host.js';

export const REPO = new URL('../../../', import.meta.url).pathname;
export const DEFS = '/etc/berth/definitions';
/** A container that runs until stopped. */
export const RUNS = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 1 & wait; done"\n`;
export const INSTALL = '[Install]\nWantedBy=multi-user.target\n';
/** Runs the rest of an argv as nobody (a local user who is not root). */
export const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
/** busctl's destination, path and interface of the agent. */
export const AGENT = ['io.berth.Manager1', '/io/berth/Manager1', 'io.berth.Manager1'];

/** Boots a host with the agent installed; `enabled` (default) starts it at boot, else only the bus starts it. */
export async function bootWithAgent(t: ExecutionContext, defs: Record<string, string>, opts: { enabled?: boolean } = {}): Promise<SystemdHost> {
  const enabled = opts.enabled ?? true;
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
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
      ...(enabled ? { '/etc/systemd/system/multi-user.target.wants/berth-agent.service': '/etc/systemd/system/berth-agent.service' } : {}),
    },
  });
  if (enabled) t.is((await host.systemctl('is-active', 'berth-agent.service')).stdout.trim(), 'active', await host.journal('berth-agent.service'));
  return host;
}

export async function agentUnit(host: SystemdHost): Promise<{ pid: string; restarts: string; state: string }> {
  const out = (await host.systemctl('show', 'berth-agent.service', '-p', 'MainPID,NRestarts,ActiveState,SubState')).stdout;
  const p = Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
  return { pid: p['MainPID']!, restarts: p['NRestarts']!, state: `${p['ActiveState']}/${p['SubState']}` };
}

/** A connection from here that collects the agent's signals. */
export async function watchAgent(host: SystemdHost, t: { teardown(fn: () => unknown): void }): Promise<{ bus: Bus; signals: SignalMessage[] }> {
  const bus = await Bus.connect({ address: host.busAddress });
  t.teardown(() => bus.close());
  const signals: SignalMessage[] = [];
  await bus.addMatch(matchRule({ type: 'signal', path: AGENT_PATH }));
  bus.onSignal((s) => {
    if (s.path === AGENT_PATH) signals.push(s);
  });
  return { bus, signals };
}

export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The PID (on this host) of the dbus-daemon running inside `host`. */
export function busDaemonPid(host: SystemdHost): number {
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
