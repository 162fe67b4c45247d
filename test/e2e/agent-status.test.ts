/**
 * `berth status` on a real systemd system manager (the test harness's), compared with what systemd itself
 * says through `systemctl show` and `busctl get-property` (the oracle), for a running, a stopped, a failed
 * and a not-loaded container, and a container whose checkpoint timer runs; and with the agent running, its
 * one answer compared with what berth status reads from systemd without it.
 */
import test from 'ava';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';
import type { ContainerStatus } from '../../src/containers/status.js';
import { SystemdManager } from '../../src/systemd/manager.js';
import { sinceProperty, unitObjectPath } from '../../src/systemd/properties.js';
import { bootWithAgent, DEFS, INSTALL, NOBODY, REPO, RUNS, until } from './agent-host.js';

test.before(() => requireSystemdHarness());

/** systemd-run looks an absolute command up on the host, where berth is not installed: go through sh. */
const berth = (host: SystemdHost, ...args: string[]) => host.run(['/bin/sh', '-c', '/usr/bin/berth "$@"', 'berth', ...args]);
const berthAsNobody = (host: SystemdHost, ...args: string[]) => host.run([...NOBODY, '/bin/sh', '-c', '/usr/bin/berth "$@"', 'berth', ...args]);

async function show(host: SystemdHost, unit: string): Promise<Record<string, string>> {
  const out = await host.runOk(['systemctl', 'show', unit, '-p', 'LoadState,ActiveState,SubState,Result,MainPID,NRestarts']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** A property as busctl reads it: µs for timestamps. */
async function busctl(host: SystemdHost, unit: string, iface: string, prop: string): Promise<string> {
  const out = await host.runOk(['busctl', 'get-property', 'org.freedesktop.systemd1', unitObjectPath(unit), `org.freedesktop.systemd1.${iface}`, prop]);
  return out.trim().split(' ').slice(1).join(' ');
}

// 0 and UINT64_MAX (systemd's infinity: not scheduled) mean no time at all.
const isoOfUsec = (us: string): string | null =>
  us === '0' || us === '18446744073709551615' ? null : new Date(Number(BigInt(us) / 1000n)).toISOString();

/** Waits until podman says the container's health check passed. */
async function healthy(host: SystemdHost, container: string): Promise<void> {
  const health = async () => (await host.run(['podman', 'inspect', '--format', '{{.State.Health.Status}}', container])).stdout.trim();
  await until(async () => (await health()) === 'healthy', 20_000, `${container} to be healthy`);
}

test('berth status --json agrees with systemd for running, stopped, failed and not-loaded containers', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: {
      [`${DEFS}/running.container`]: RUNS + 'HealthCmd=true\nHealthInterval=1s\n' + INSTALL,
      [`${DEFS}/stopped.container`]: RUNS + INSTALL,
      [`${DEFS}/failed.container`]: '[Container]\nImage=localhost/busybox:latest\nExec=sh -c "sleep 1; exit 3"\n' + INSTALL,
      [`${DEFS}/never.container`]: RUNS,
      [`${DEFS}/timed.container`]: RUNS + '[Checkpoint]\nOnCalendar=*-*-* *:00/5:00\n' + INSTALL,
    },
    symlinks: {
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
    },
  });
  // Defined after boot and not reloaded: systemd has no such unit.
  await host.writeFile(`${DEFS}/notloaded.container`, RUNS);
  t.is((await host.systemctl('stop', 'stopped.service')).exitCode, 0);
  for (let i = 0; i < 100 && (await show(host, 'failed.service'))['ActiveState'] !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
  await healthy(host, 'systemd-running');

  const r = await berth(host, 'status', '--json');
  t.is(r.exitCode, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as ContainerStatus[];
  t.deepEqual(rows.map((x) => x.name), ['failed', 'never', 'notloaded', 'running', 'stopped', 'timed']);

  for (const row of rows) {
    const oracle = await show(host, row.unit);
    t.is(row.load, oracle['LoadState'] ?? '', `${row.name} LoadState`);
    t.is(row.active, oracle['ActiveState'] ?? '', `${row.name} ActiveState`);
    t.is(row.sub, oracle['SubState'] ?? '', `${row.name} SubState`);
    if (row.load === 'not-found') continue;
    t.is(row.result, oracle['Result'] ?? '', `${row.name} Result`);
    t.is(row.mainPid, Number(oracle['MainPID']), `${row.name} MainPID`);
    t.is(row.restarts, Number(oracle['NRestarts']), `${row.name} NRestarts`);
    const since = await busctl(host, row.unit, 'Unit', sinceProperty(row.active));
    t.is(row.since, isoOfUsec(since), `${row.name} since (${sinceProperty(row.active)})`);
  }
  const by = Object.fromEntries(rows.map((x) => [x.name, x]));
  t.like(by['running'], { load: 'loaded', active: 'active', sub: 'running', health: 'healthy' });
  t.is(by['running']!.health, 'healthy');
  t.is(by['stopped']!.health, null); // no HealthCmd
  t.true(by['running']!.mainPid > 0);
  t.like(by['stopped'], { active: 'inactive', sub: 'dead', mainPid: 0 });
  t.regex(by['stopped']!.since ?? 'never', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.like(by['failed'], { active: 'failed', result: 'exit-code' });
  t.like(by['notloaded'], { load: 'not-found' });

  // The checkpoint timer: next and last run as systemd has them.
  const timed = by['timed']!.checkpoint!;
  t.is(timed.timer, 'timed-checkpoint.timer');
  t.is(timed.timerState, 'active');
  t.is(timed.next, isoOfUsec(await busctl(host, 'timed-checkpoint.timer', 'Timer', 'NextElapseUSecRealtime')));
  t.is(timed.lastTrigger, isoOfUsec(await busctl(host, 'timed-checkpoint.timer', 'Timer', 'LastTriggerUSec')));
  t.is(timed.last, null);

  // The table says the same, "not loaded" included.
  const table = (await berth(host, 'status', 'notloaded', 'failed')).stdout;
  t.regex(table, /\nnotloaded +not loaded +- /);
  t.regex(table, /\nfailed +failed \(failed\): exit-code /);
});

test('with the agent running, berth status is its answer, the rows systemd gives without it, and loads no unit; a definition the agent has not read, or a user the bus policy does not let ask, is answered from systemd', async (t) => {
  const host = await bootWithAgent(t, {
    'running.container': RUNS + 'HealthCmd=true\nHealthInterval=1s\n' + INSTALL,
    'stopped.container': RUNS + INSTALL,
    'failed.container': '[Container]\nImage=localhost/busybox:latest\nExec=sh -c "sleep 1; exit 3"\n' + INSTALL,
    'never.container': RUNS,
    // No [Install]: nothing holds its unit once it stops, and systemd unloads it.
    'once.container': RUNS,
    // Once a year: the timer does not fire between the reads compared.
    'timed.container': RUNS + '[Checkpoint]\nOnCalendar=*-01-01 04:00:00\n' + INSTALL,
  });
  // The default archive folder, as the package makes it: root's alone.
  await host.runOk(['install', '-d', '-m', '0700', '/var/lib/berth/checkpoints']);
  t.is((await host.systemctl('stop', 'stopped.service')).exitCode, 0);
  t.is((await host.systemctl('start', 'once.service')).exitCode, 0);
  t.is((await host.systemctl('stop', 'once.service')).exitCode, 0);
  const inMemory = async (unit: string) => (await host.run(['busctl', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'GetUnit', 's', unit])).exitCode === 0;
  await until(async () => !(await inMemory('once.service')), 10_000, 'systemd to unload once.service');
  await until(async () => (await show(host, 'failed.service'))['ActiveState'] === 'failed', 10_000, 'failed.service to fail');
  await healthy(host, 'systemd-running');

  // Units systemd loads from disk while berth status runs: reading systemd loads those it does not hold.
  const observer = await SystemdManager.connect({ address: host.busAddress });
  t.teardown(() => observer.close());
  const loads: string[] = [];
  const subscription = await observer.subscribe({ unitNew: (unit) => loads.push(unit) });
  t.teardown(() => subscription.close());
  const containerUnits = () => loads.filter((u) => /^(running|stopped|failed|never|once|timed|notloaded)(-checkpoint)?\.(service|timer)$/.test(u));

  const viaAgent = await berth(host, 'status', '--json');
  t.is(viaAgent.exitCode, 0, viaAgent.stderr);
  t.deepEqual(containerUnits(), []);
  const agentRows = JSON.parse(viaAgent.stdout) as ContainerStatus[];

  // berth's bus policy (packaging/dbus) lets any user read the agent's properties and GetContainer, not call
  // GetStatus: systemd answers, and the archive folder, root's alone, is unreadable to this user. (Health is
  // podman's, and this user's podman does not know root's containers.)
  const asNobody = await berthAsNobody(host, 'status', '--json');
  t.is(asNobody.exitCode, 0, asNobody.stderr);
  t.true(containerUnits().includes('never.service'));
  const nobodyRows = JSON.parse(asNobody.stdout) as ContainerStatus[];
  const states = (rows: ContainerStatus[]) => rows.map((r) => [r.name, r.load, r.active, r.sub, r.result, r.mainPid, r.since, r.restarts]);
  t.deepEqual(states(nobodyRows), states(agentRows));
  const timed = agentRows.find((r) => r.name === 'timed')!.checkpoint!;
  t.deepEqual(nobodyRows.find((r) => r.name === 'timed')!.checkpoint, { ...timed, error: 'cannot read /var/lib/berth/checkpoints/timed (permission denied)' });
  t.deepEqual(timed.last, null);
  loads.length = 0;

  // Defined after the agent read its definitions, with no daemon-reload since: the agent does not know it.
  await host.writeFile(`${DEFS}/notloaded.container`, RUNS);
  const withNew = await berth(host, 'status', '--json');
  t.is(withNew.exitCode, 0, withNew.stderr);
  t.true(containerUnits().includes('never.service'));

  t.is((await host.systemctl('stop', 'berth-agent.service')).exitCode, 0);
  const direct = await berth(host, 'status', '--json');
  t.is(direct.exitCode, 0, direct.stderr);
  const rows = JSON.parse(direct.stdout) as ContainerStatus[];
  t.deepEqual(rows.map((r) => r.name), ['failed', 'never', 'notloaded', 'once', 'running', 'stopped', 'timed']);
  t.deepEqual(JSON.parse(withNew.stdout), rows);
  t.deepEqual(agentRows, rows.filter((r) => r.name !== 'notloaded'));
  t.like(rows.find((r) => r.name === 'once'), { load: 'loaded', active: 'inactive', result: 'success', restarts: 0, since: null });
});
