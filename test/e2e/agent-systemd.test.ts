/**
 * The agent following a real systemd manager (the test harness's) through what the fake systemd stands in
 * for elsewhere (test/agent/agent.test.ts): a unit systemd drops from memory (UnitRemoved), definitions added
 * and removed before a daemon-reload, and systemd re-executing (daemon-reexec: a new connection owns its name).
 */
import test from 'ava';
import type { SignalMessage } from '../../src/systemd/bus.js';
import type { SystemdHost } from '../helpers/systemd-host.js';
import { requireSystemdHarness } from '../helpers/systemd-host.js';
import { AGENT, agentUnit, bootWithAgent, DEFS, INSTALL, RUNS, until, watchAgent } from './agent-host.js';

test.before(() => requireSystemdHarness());

/** The agent's Containers as "name load active sub", read with busctl (JSON). */
async function containers(host: SystemdHost): Promise<string[]> {
  const out = await host.runOk(['busctl', '--json=short', 'get-property', ...AGENT, 'Containers']);
  return (JSON.parse(out) as { data: unknown[][] }).data.map((c) => `${c[0]} ${c[2]} ${c[3]} ${c[4]}`);
}

/** Whether systemd holds the unit in memory. */
async function loaded(host: SystemdHost, unit: string): Promise<boolean> {
  const r = await host.run(['busctl', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'GetUnit', 's', unit]);
  return r.exitCode === 0;
}

const stateChanges = (signals: SignalMessage[], name: string) =>
  signals.filter((s) => s.member === 'ContainerStateChanged' && s.body[0] === name).map((s) => `${s.body[1]}/${s.body[2]}`);

test.serial('a unit systemd drops from memory after it stopped stays listed, stopped; after a daemon-reload new definitions are served and removed ones are gone', async (t) => {
  // once has no [Install]: nothing holds its unit once it stops, and systemd unloads it (UnitRemoved).
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL, 'once.container': RUNS });
  const { signals } = await watchAgent(host, t);
  t.deepEqual(await containers(host), ['once loaded inactive dead', 'web loaded active running']);

  t.is((await host.systemctl('start', 'once.service')).exitCode, 0);
  await until(async () => (await containers(host)).includes('once loaded active running'), 5000, 'once running');
  t.is((await host.systemctl('stop', 'once.service')).exitCode, 0);
  await until(async () => !(await loaded(host, 'once.service')), 10_000, 'systemd to unload once.service');
  t.deepEqual(await containers(host), ['once loaded inactive dead', 'web loaded active running']);
  t.deepEqual(stateChanges(signals, 'once').at(-1), 'inactive/dead');

  await host.writeFile(`${DEFS}/cache.container`, RUNS + INSTALL);
  await host.runOk(['rm', `${DEFS}/once.container`]);
  await host.daemonReload();
  await until(async () => (await containers(host)).some((c) => c.startsWith('cache ')), 5000, 'the new definition');
  t.deepEqual(await containers(host), ['cache loaded inactive dead', 'web loaded active running']);
  t.is((await host.systemctl('start', 'cache.service')).exitCode, 0);
  await until(() => stateChanges(signals, 'cache').includes('active/running'), 5000, 'cache started, relayed');
  t.deepEqual(await containers(host), ['cache loaded active running', 'web loaded active running']);
});

test.serial('when systemd re-executes (a new connection takes its name over) the same agent follows it again and relays its changes', async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL });
  const before = await agentUnit(host);
  const { signals } = await watchAgent(host, t);
  t.is((await host.systemctl('daemon-reexec')).exitCode, 0);
  // The new systemd takes the name over from the old one's connection: one NameOwnerChanged, to a new owner.
  const owners = await until(async () => {
    const found = [...(await host.journal('berth-agent.service')).matchAll(/berth agent: following systemd \((:1\.\d+)\)/g)].map((m) => m[1]);
    return found.length === 2 ? found : undefined;
  }, 10_000, 'the agent to follow systemd again');
  t.not(owners[1], owners[0]);
  t.is((await host.systemctl('stop', 'web.service')).exitCode, 0);
  await until(() => stateChanges(signals, 'web').includes('inactive/dead'), 5000, 'the stop relayed');
  t.deepEqual(await agentUnit(host), { ...before, state: 'active/running' });
  t.deepEqual(await containers(host), ['web loaded inactive dead']);
});
