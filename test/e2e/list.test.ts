/**
 * `berth list` on a real systemd system manager (the test harness's) with the agent installed as the RPM
 * installs it: a good definition and a broken one, generated at boot. The list shows the good one active and
 * the broken one not loaded, with the generator's file:line and key from its record of the run; the agent's
 * ListDefinitions answers the same, also to a user who is not root, and its Definitions follow a fix and a
 * daemon-reload.
 */
import test from 'ava';
import { AGENT_IFACE, AGENT_NAME, AGENT_PATH } from '../../src/agent/names.js';
import type { DefinitionRow } from '../../src/definitions/listing.js';
import type { ContainerStatus } from '../../src/containers/status.js';
import { PROPERTIES_IFACE, type Bus } from '../../src/systemd/bus.js';
import { requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';
import { AGENT, bootWithAgent, DEFS, INSTALL, NOBODY, RUNS, until, watchAgent } from './agent-host.js';

test.before(() => requireSystemdHarness());

/** systemd-run looks an absolute command up on the host, where berth is not installed: go through sh. */
const berth = (host: SystemdHost, ...args: string[]) => host.run(['/bin/sh', '-c', '/usr/bin/berth "$@"', 'berth', ...args]);

const listDefinitions = async (bus: Bus): Promise<DefinitionRow[]> =>
  JSON.parse(String((await bus.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: AGENT_IFACE, member: 'ListDefinitions' }))[0])) as DefinitionRow[];

const definitionsProperty = async (bus: Bus): Promise<string[][]> => {
  const [v] = await bus.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: PROPERTIES_IFACE, member: 'Get', signature: 'ss', body: [AGENT_IFACE, 'Definitions'] });
  return (v as { value: string[][] }).value;
};

test("berth list shows the good definition active and the broken one not loaded at its line and key, as the agent's ListDefinitions does", async (t) => {
  // RUNS is three lines: the unknown key is on the fourth.
  const host = await bootWithAgent(t, { 'good.container': RUNS + INSTALL, 'broken.container': `${RUNS}PublishPorts=8080:80\n${INSTALL}` });
  t.is((await host.systemctl('is-active', 'good.service')).stdout.trim(), 'active', await host.journal('good.service'));

  // The record of the run is in the generator's own folder, root's alone.
  t.is((await host.runOk(['stat', '-c', '%U %a', '/run/systemd/generator/berth/last-run.json'])).trim(), 'root 644');

  const r = await berth(host, 'list', '--json');
  t.is(r.exitCode, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as DefinitionRow[];
  const reason = `${DEFS}/broken.container:4:1: PublishPorts: unknown key in [Container]`;
  t.deepEqual(rows.map((x) => [x.name, x.kind, x.source, x.unit, x.state, x.reason]), [
    ['broken.container', 'container', `${DEFS}/broken.container`, 'broken.service', 'not loaded', reason],
    ['good.container', 'container', `${DEFS}/good.container`, 'good.service', 'active', null],
  ]);
  t.like(rows[0], { load: 'not-found', problems: [{ severity: 'error', file: `${DEFS}/broken.container`, line: 4, column: 1, key: 'PublishPorts', message: 'unknown key in [Container]' }] });
  t.like(rows[1], { load: 'loaded', sub: 'running', problems: [] });

  const table = await berth(host, 'list');
  t.is(table.exitCode, 0, table.stderr);
  t.regex(table.stdout, /\nbroken\.container +container +broken\.service +not loaded +\/etc\/berth\/definitions\/broken\.container\n {2}\/etc\/berth\/definitions\/broken\.container:4:1: PublishPorts: unknown key in \[Container\]\n/);
  t.regex(table.stdout, /\ngood\.container +container +good\.service +active \(running\) +\/etc\/berth\/definitions\/good\.container\n/);

  // The agent: the same rows, and the same to a local user who is not root.
  const { bus, signals } = await watchAgent(host, t);
  t.deepEqual(await listDefinitions(bus), rows);
  const asNobody = await host.run([...NOBODY, 'busctl', 'call', ...AGENT, 'ListDefinitions']);
  t.is(asNobody.exitCode, 0, asNobody.stderr);
  t.regex(asNobody.stdout, /PublishPorts: unknown key in \[Container\]/);

  // berth status says why the broken container is not loaded, through the agent and without it.
  const brokenStatus = async () => {
    const status = await berth(host, 'status', '--json');
    t.is(status.exitCode, 0, status.stderr);
    return (JSON.parse(status.stdout) as ContainerStatus[]).find((s) => s.name === 'broken');
  };
  t.like(await brokenStatus(), { load: 'not-found', refused: reason });
  t.is((await host.systemctl('stop', 'berth-agent.service')).exitCode, 0);
  t.like(await brokenStatus(), { load: 'not-found', refused: reason });
  t.regex((await berth(host, 'status', 'broken')).stdout, /\nbroken +not loaded .*\n {2}\/etc\/berth\/definitions\/broken\.container:4:1: PublishPorts: unknown key in \[Container\]\n/);
  t.is((await host.systemctl('start', 'berth-agent.service')).exitCode, 0);

  // Fixed and reloaded: the agent reads the new record and says so.
  await host.writeFile(`${DEFS}/broken.container`, RUNS + INSTALL);
  await host.daemonReload();
  await until(() => signals.some((s) => s.member === 'PropertiesChanged' && (s.body[2] as string[]).includes('Definitions')), 5000, 'Definitions to be invalidated');
  await until(async () => (await definitionsProperty(bus))[0]![4] === 'inactive', 5000, 'broken.service to be loaded');
  t.deepEqual(await definitionsProperty(bus), [
    ['broken.container', 'container', `${DEFS}/broken.container`, 'broken.service', 'inactive', ''],
    ['good.container', 'container', `${DEFS}/good.container`, 'good.service', 'active', ''],
  ]);

  t.is((await host.systemctl('stop', 'berth-agent.service')).exitCode, 0);
  t.is((await host.systemctl('start', 'broken.service')).exitCode, 0);
  const after = JSON.parse((await berth(host, 'list', '--json')).stdout) as DefinitionRow[];
  t.like(after[0], { state: 'active', reason: null, problems: [] });
});
