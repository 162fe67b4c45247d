/**
 * `berth status --json` with and without the agent, against `node -e 0` measured in the same run, on a real
 * systemd system manager (the test harness's: systemd-nspawn, bus reachable from here).
 *
 *   node dist/bench/status.js [--defs N] [--running N] [--runs N] [--entry PATH]
 *
 * berth runs as dist/berth.mjs (the bundle packaging/bundle.mjs writes, as installed; --entry times another
 * entry, e.g. dist/src/cli/main.js). N definitions (default 100): `--running` of them (default 10) installed
 * and running, one failing, the rest defined but never started (systemd does not hold their units); every
 * other one has a [Checkpoint] schedule (a timer, yearly).
 *
 * Two rounds of `--runs` alternating runs (default 10): first with no agent, so berth reads systemd (the
 * units it does not hold are loaded for the asking); then with the agent running here, as root, on that bus,
 * with the same definitions and its unit's NODE_OPTIONS, so berth asks it. Each round times `node -e 0` (the floor any Node command
 * pays) alternately with berth, and the agent round is checked: its rows are the ones systemd gave, and
 * systemd loaded no unit while it ran. `systemctl show` of the same units is timed too, for reference.
 *
 * The first line is the ratio line, for CI logs: berth's median over node -e 0's, with and without the
 * agent. Target: berth at most 150 ms wall for 100 containers, with or without the agent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { bootSystemdHost } from '../test/helpers/systemd-host.js';
import { AGENT_NAME } from '../src/agent/names.js';
import { SystemdManager } from '../src/systemd/manager.js';
import { loadNote, parseFlags, REPO, sleep, spread, timed, unitNodeOptions } from './common.js';

const TARGET_MS = 150;

const RUNS = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"\n`;

const nameOf = (i: number): string => `c${String(i).padStart(3, '0')}`;

function definitions(defs: number, running: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < defs; i++) {
    let text = i === running ? '[Container]\nImage=localhost/busybox:latest\nExec=sh -c "exit 3"\n' : RUNS;
    // Once a year: no timer fires between the rounds, whose rows are compared.
    if (i % 2 === 1) text += '[Checkpoint]\nOnCalendar=*-01-01 04:00:00\n';
    if (i <= running) text += '[Install]\nWantedBy=multi-user.target\n';
    files[`/etc/berth/definitions/${nameOf(i)}.container`] = text;
  }
  return files;
}

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

interface Round {
  berth: { median: number; min: number };
  node: { median: number; min: number };
  stdout: string;
}

/** `runs` alternating runs of berth status and node -e 0 (after one of each not timed: page cache, first loads). */
function round(entry: string, runs: number, env: NodeJS.ProcessEnv): Round {
  const berth: number[] = [];
  const node: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs + 1; i++) {
    const b = timed(process.execPath, [entry, 'status', '--json'], { env });
    const n = timed(process.execPath, ['-e', '0'], { env });
    stdout = b.stdout;
    if (i === 0) continue;
    berth.push(b.ms);
    node.push(n.ms);
  }
  return { berth: spread(berth), node: spread(node), stdout };
}

/** Resolves once the agent says it serves (it owns its name, its first read done). */
function serving(agent: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`the agent did not come up within 30 s:\n${log}`)), 30_000);
    agent.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes(`serving ${AGENT_NAME}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    agent.once('exit', () => reject(new Error(`the agent exited:\n${log}`)));
  });
}

async function main(): Promise<void> {
  const opts = parseFlags(process.argv.slice(2), { defs: 100, running: 10, runs: 10, entry: `${REPO}dist/berth.mjs` });
  if (!(opts.defs >= 1) || !(opts.runs >= 1) || opts.running >= opts.defs) throw new Error('bad counts');
  process.stderr.write(`booting a systemd host with ${opts.defs} definitions (${opts.running} running)…\n`);
  const host = await bootSystemdHost({
    files: {
      ...definitions(opts.defs, opts.running),
      // The agent runs here as root and owns its name on that bus.
      '/etc/dbus-1/system.d/io.berth.Manager1.conf': readFileSync(`${REPO}packaging/dbus/io.berth.Manager1.conf`, 'utf8'),
    },
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs` },
  });
  const env = { ...host.env, BERTH_UNIT_DIRS: host.hostPath('/etc/berth/definitions'), PODMAN: '/bin/false' };
  let observer: SystemdManager | undefined;
  let agent: ChildProcess | undefined;
  try {
    observer = await SystemdManager.connect({ address: host.busAddress });
    // Let the boot settle: the running containers up, the failing one failed.
    for (let i = 0; i < 300; i++) {
      if (!spawnSync('systemctl', ['list-jobs', '--no-legend'], { env, encoding: 'utf8' }).stdout.trim()) break;
      await sleep(100);
    }
    const units = Array.from({ length: opts.defs }, (_, i) => `${nameOf(i)}.service`);
    const show: number[] = [];
    for (let i = 0; i < opts.runs + 1; i++) {
      const s = timed('systemctl', ['show', ...units], { env });
      if (i > 0) show.push(s.ms);
    }

    process.stderr.write('berth status without the agent…\n');
    const direct = round(opts.entry, opts.runs, env);

    process.stderr.write('starting the agent…\n');
    agent = spawn(process.execPath, [opts.entry, 'agent', '--address', host.busAddress, '--scheduler', 'systemd'], {
      env: { ...env, NODE_OPTIONS: unitNodeOptions() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await serving(agent);
    await sleep(1000); // the units its first read loaded are unloaded again
    const ours = new RegExp(`^c\\d{3}(-checkpoint)?\\.(service|timer)$`);
    const loads: string[] = [];
    const subscription = await observer.subscribe({ unitNew: (unit) => void (ours.test(unit) && loads.push(unit)) });
    process.stderr.write('berth status with the agent…\n');
    const withAgent = round(opts.entry, opts.runs, env);
    await subscription.close();
    if (loads.length > 0) throw new Error(`systemd loaded ${loads.length} unit(s) while the agent was there to ask (${loads.slice(0, 3).join(', ')}…): berth did not ask it`);
    if (withAgent.stdout !== direct.stdout) throw new Error('the agent gave other rows than systemd did');

    const rows = (JSON.parse(direct.stdout) as unknown[]).length;
    const ratio = (r: Round): string => (r.berth.median / r.node.median).toFixed(2);
    const met = (r: Round): string => (r.berth.median <= TARGET_MS ? 'met' : 'NOT met');
    const label = opts.entry.replace(REPO, '');
    process.stdout.write(
      [
        `status ratio to node -e 0: ${ratio(withAgent)} with the agent, ${ratio(direct)} without ` +
          `(${label} ${rows} containers: ${fmt(withAgent.berth.median)} / ${fmt(direct.berth.median)}; target <= ${TARGET_MS} ms ${met(withAgent)} / ${met(direct)})`,
        `with the agent:    berth median ${fmt(withAgent.berth.median)}, min ${fmt(withAgent.berth.min)}; node -e 0 median ${fmt(withAgent.node.median)}, min ${fmt(withAgent.node.min)}`,
        `without the agent: berth median ${fmt(direct.berth.median)}, min ${fmt(direct.berth.min)}; node -e 0 median ${fmt(direct.node.median)}, min ${fmt(direct.node.min)}`,
        `systemctl show of the same ${opts.defs} services: median ${fmt(spread(show).median)}, min ${fmt(spread(show).min)}`,
        `${opts.runs} runs each, alternating with node -e 0; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; ${loadNote()}`,
        '',
      ].join('\n'),
    );
  } finally {
    agent?.kill('SIGTERM');
    await observer?.close();
    await sleep(300);
    await host.stop();
  }
}

await main();
