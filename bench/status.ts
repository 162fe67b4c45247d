/**
 * `berth status --json` against `systemctl show` of the same units, in the same run, on a real systemd
 * system manager (the test harness's: systemd-nspawn, bus reachable from here).
 *
 *   node dist/bench/status.js [--defs N] [--running N] [--runs N] [--entry PATH]
 *
 * berth runs as dist/berth.mjs (the bundle packaging/bundle.mjs writes, as installed) and as
 * dist/src/cli/main.js (what Node loads module by module); --entry times one given entry only.
 *
 * N definitions (default 100): `--running` of them (default 10) installed and running, one failing, the
 * rest defined but never started; every other one has a [Checkpoint] schedule (a timer). Both commands run
 * here, as whole processes, over the same bus socket; wall times are the median (and min) of `--runs`
 * alternating runs (default 10). `node -e 0` is timed too, as the floor any Node command pays.
 *
 * Target: berth at most 150 ms wall for 100 containers; the ratio to systemctl show is reported.
 */
import { spawnSync } from 'node:child_process';
import { bootSystemdHost } from '../test/helpers/systemd-host.js';
import { loadNote, parseFlags, REPO, spread, timed } from './common.js';

const TARGET_MS = 150;

interface Options {
  defs: number;
  running: number;
  runs: number;
  entries: string[];
}

function parseArgs(argv: string[]): Options {
  const { entry, ...opts } = parseFlags(argv, { defs: 100, running: 10, runs: 10, entry: '' });
  if (!(opts.defs >= 1) || !(opts.runs >= 1) || opts.running > opts.defs) throw new Error('bad counts');
  return { ...opts, entries: entry ? [entry] : [`${REPO}dist/berth.mjs`, `${REPO}dist/src/cli/main.js`] };
}

const RUNS = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"\n`;

function definitions(opts: Options): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < opts.defs; i++) {
    const name = `c${String(i).padStart(3, '0')}`;
    let text = i === opts.running ? '[Container]\nImage=localhost/busybox:latest\nExec=sh -c "exit 3"\n' : RUNS;
    if (i % 2 === 1) text += '[Checkpoint]\nOnCalendar=hourly\n';
    if (i <= opts.running) text += '[Install]\nWantedBy=multi-user.target\n';
    files[`/etc/berth/definitions/${name}.container`] = text;
  }
  return files;
}

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  process.stdout.write(`booting a systemd host with ${opts.defs} definitions (${opts.running} running)…\n`);
  const host = await bootSystemdHost({
    files: definitions(opts),
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.mjs`, '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
  try {
    const env = { ...host.env, BERTH_UNIT_DIRS: host.hostPath('/etc/berth/definitions'), PODMAN: '/bin/false' };
    const units = Array.from({ length: opts.defs }, (_, i) => `c${String(i).padStart(3, '0')}.service`);
    // Let the boot settle: the running containers up, the failing one failed.
    for (let i = 0; i < 300; i++) {
      const jobs = spawnSync('systemctl', ['list-jobs', '--no-legend'], { env, encoding: 'utf8' }).stdout.trim();
      if (!jobs) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const berth = opts.entries.map(() => [] as number[]);
    const systemctl: number[] = [];
    const node: number[] = [];
    let rows = 0;
    let showBytes = 0;
    for (let i = 0; i < opts.runs + 1; i++) {
      const b = opts.entries.map((entry) => timed(process.execPath, [entry, 'status', '--json'], { env }));
      const s = timed('systemctl', ['show', ...units], { env });
      const n = timed(process.execPath, ['-e', '0'], { env });
      if (i === 0) {
        rows = (JSON.parse(b[0]!.stdout) as unknown[]).length;
        showBytes = s.stdout.length;
        continue; // warm-up: page cache, the units systemd loads on first ask
      }
      b.forEach((x, k) => berth[k]!.push(x.ms));
      systemctl.push(s.ms);
      node.push(n.ms);
    }
    const show = spread(systemctl);
    const lines = opts.entries.map((entry, k) => {
      const b = spread(berth[k]!);
      const label = entry.replace(REPO, '');
      return `berth status --json (${label}): median ${fmt(b.median)}, min ${fmt(b.min)}, ratio to systemctl show ${(b.median / show.median).toFixed(2)}, target <= ${TARGET_MS} ms ${b.median <= TARGET_MS ? 'met' : 'NOT met'}`;
    });
    process.stdout.write(
      [
        `${rows} containers, ${opts.runs} runs each, alternating; ${loadNote()}`,
        ...lines,
        `systemctl show (same units): median ${fmt(show.median)}, min ${fmt(show.min)} (${(showBytes / 1024).toFixed(0)} KiB)`,
        `node -e 0 (the floor of any Node command): median ${fmt(spread(node).median)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await host.stop();
  }
}

await main();
