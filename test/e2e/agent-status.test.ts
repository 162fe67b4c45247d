/**
 * `berth status` on a real systemd system manager (the test harness's), compared with what systemd itself
 * says through `systemctl show` and `busctl get-property` (the oracle), for a running, a stopped, a failed
 * and a not-loaded container, and a container whose checkpoint timer runs.
 */
import test from 'ava';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';
import type { ContainerStatus } from '../../src/containers/status.js';
import { sinceProperty, unitObjectPath } from '../../src/systemd/properties.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const DEFS = '/etc/berth/definitions';
const RUNS = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"\n`;
const INSTALL = '[Install]\nWantedBy=multi-user.target\n';

test.before(() => requireSystemdHarness());

/** systemd-run looks an absolute command up on the host, where berth is not installed: go through sh. */
const berth = (host: SystemdHost, ...args: string[]) => host.run(['/bin/sh', '-c', '/usr/bin/berth "$@"', 'berth', ...args]);

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
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.mjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
    },
  });
  // Defined after boot and not reloaded: systemd has no such unit.
  await host.writeFile(`${DEFS}/notloaded.container`, RUNS);
  t.is((await host.systemctl('stop', 'stopped.service')).exitCode, 0);
  for (let i = 0; i < 100 && (await show(host, 'failed.service'))['ActiveState'] !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
  const podmanHealth = async () => (await host.run(['podman', 'inspect', '--format', '{{.State.Health.Status}}', 'systemd-running'])).stdout.trim();
  for (let i = 0; i < 100 && (await podmanHealth()) !== 'healthy'; i++) await new Promise((r) => setTimeout(r, 200));

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
  t.is(by['running']!.health as string | null, await podmanHealth());
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
