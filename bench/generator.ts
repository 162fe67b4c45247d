/**
 * The generator benchmark: berth's generator against Podman's own Quadlet generator (podman 5.4), both run
 * as whole processes the way systemd runs them: the bundle the package installs, no --podman-version (berth
 * finds podman's version, remembered from the run before as at every daemon-reload after the first), units
 * written into a fresh folder on a tmpfs as under /run/systemd.
 *
 *   npm run bench [-- --runs N] [--defs N] [--growth N,N,…] [--entry PATH]
 *   node dist/bench/generator.js --write-defs DIR [--defs N]   (only writes the definitions)
 *
 * The first line is the ratio on --defs definitions (default 1,000) against Quadlet measured in the same
 * run. Then: the same with podman asked (the first run after a boot, when /run is empty); one definition
 * against `node -e 0` (Node's own start); growth to 10,000 definitions; peak RSS against 2× Quadlet's plus
 * Node's own. Wall times are the median (and min) of N alternating runs, after one unmeasured run of each;
 * max RSS and CPU time come from /usr/bin/time. Missed targets are reported, not failed on.
 *
 * Quadlet is podman 5's, which test/host/setup.sh unpacks into its own folder (test/helpers/quadlet-binary.ts);
 * BERTH_QUADLET names a quadlet binary to use instead. BERTH_BENCH_OUT names the folder to write units in.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quadletBinary } from '../test/helpers/quadlet-binary.js';
import { loadNote, median, parseFlags, REPO, run, runOk, spread } from './common.js';

const TIME = '/usr/bin/time';
/** berth at most Quadlet's wall time on --defs definitions. */
const TARGET_RATIO = 1.0;
/** One definition at most this much above `node -e 0`. */
const TARGET_ONE_DEF_ABOVE_NODE_S = 0.03;
/** Linear growth: the time per definition at the largest count at most this much above the smallest's. */
const TARGET_GROWTH = 1.25;

function parseArgs(argv: string[]) {
  // entry: what the installed generator links point at; writeDefs: only write the definitions there (for
  // profiling by hand).
  const opts = parseFlags(argv, { runs: 10, defs: 1000, growth: '1000,2500,5000,10000', entry: join(REPO, 'dist/berth-generator.cjs'), writeDefs: '' });
  if (!(opts.runs >= 1) || !(opts.defs >= 1)) throw new Error('--runs and --defs must be at least 1');
  const growth = opts.growth === '' ? [] : opts.growth.split(',').map(Number);
  if (growth.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--growth takes counts of definitions, like 1000,10000, not "${opts.growth}"`);
  return { ...opts, growth };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A small deterministic PRNG, so every run benchmarks the same definitions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const IMAGES = [
  'docker.io/library/nginx:1.27',
  'docker.io/library/redis:7.4-alpine',
  'docker.io/library/postgres:16',
  'quay.io/prometheus/node-exporter:v1.8.2',
  'ghcr.io/home-assistant/home-assistant:2025.1',
  'registry.example.com/team/api:3.2.1',
  'localhost/busybox:latest',
];
const EXECS = ['', 'httpd -f -v -p 8080 -h /www', '--config /etc/app/config.yaml --log-level=info', 'redis-server --appendonly yes', 'sleep infinity'];
const HEALTH = [
  "/bin/sh -c 'wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1'",
  'pg_isready -U postgres',
  'redis-cli ping',
  'curl -fsS http://localhost/ready',
];

/** One realistic .container definition, varied by its index; valid for Quadlet 5.4 and for berth. */
export function definition(i: number): string {
  const r = rng(i + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const image = pick(IMAGES);
  const hostNet = r() < 0.25;
  const lines: string[] = [];
  lines.push('[Unit]', `Description=Benchmark service ${i} (${image.split('/').pop()})`);
  if (r() < 0.5) lines.push('After=local-fs.target', 'Wants=time-sync.target');
  lines.push('', '[Container]', `Image=${image}`);
  if (r() < 0.5) lines.push(`ContainerName=app-${i}`);
  const exec = pick(EXECS);
  if (exec) lines.push(`Exec=${exec}`);
  lines.push(`Environment=APP_ID=${i} TZ=UTC`, `Environment="APP_NAME=service ${i}" LOG_FORMAT=json`);
  if (r() < 0.5) lines.push(`Environment=CACHE_SIZE=${64 + Math.floor(r() * 960)}M`);
  if (hostNet) lines.push('Network=host');
  else {
    lines.push(`PublishPort=127.0.0.1:${10000 + i}:8080`);
    if (r() < 0.3) lines.push(`PublishPort=${20000 + i}:9090/udp`);
  }
  lines.push(`Volume=app-${i}-data:/var/lib/app:Z`, `Volume=/srv/app-${i}/config:/etc/app:ro,z`);
  if (r() < 0.4) lines.push('Tmpfs=/run:rw,size=64m');
  lines.push(`Label=com.example.team=team-${i % 17}`, `Label="com.example.description=benchmark app ${i}"`);
  lines.push(`HealthCmd=${pick(HEALTH)}`, `HealthInterval=${pick(['10s', '30s', '1m'])}`, 'HealthRetries=3');
  if (r() < 0.5) lines.push('HealthStartPeriod=20s', 'HealthOnFailure=kill');
  if (!image.startsWith('localhost/') && r() < 0.5) lines.push('AutoUpdate=registry');
  if (r() < 0.5) lines.push('NoNewPrivileges=true', 'DropCapability=ALL', 'AddCapability=NET_BIND_SERVICE CHOWN');
  if (r() < 0.3) lines.push(`User=${1000 + (i % 50)}`, `Group=${1000 + (i % 50)}`);
  if (r() < 0.3) lines.push('RunInit=yes');
  if (r() < 0.3) lines.push(`PodmanArgs=--memory=${pick(['256m', '512m', '1g'])}`, 'PidsLimit=512');
  if (r() < 0.2) lines.push('LogDriver=journald', 'StopTimeout=30');
  lines.push('', '[Service]', `Restart=${pick(['always', 'on-failure'])}`, 'TimeoutStartSec=900');
  lines.push('', '[Install]', `WantedBy=${r() < 0.8 ? 'multi-user.target' : 'multi-user.target default.target'}`);
  return lines.join('\n') + '\n';
}

function writeDefinitions(dir: string, from: number, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = from; i < from + count; i++) writeFileSync(join(dir, `app-${String(i).padStart(4, '0')}.container`), definition(i));
}

/**
 * Where the generators write. systemd hands generators folders under /run, a tmpfs; quadlet fsyncs every
 * unit it writes, so on a disk its time would be mostly the disk's. BERTH_BENCH_OUT overrides.
 */
function outputBase(): { dir: string; fs: string } {
  const override = process.env['BERTH_BENCH_OUT'];
  if (override) return { dir: override, fs: fsType(override) };
  for (const dir of ['/run', '/dev/shm']) {
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      continue;
    }
    if (fsType(dir) === 'tmpfs') return { dir, fs: 'tmpfs' };
  }
  return { dir: tmpdir(), fs: fsType(tmpdir()) };
}

/** The file system type of the mount that holds a path, from /proc/self/mounts. */
function fsType(path: string): string {
  let best = '';
  let type = 'unknown';
  let mounts = '';
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return type;
  }
  for (const line of mounts.split('\n')) {
    const [, mountPoint, fs] = line.split(' ');
    if (!mountPoint || !fs) continue;
    const inside = path === mountPoint || path.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/');
    if (inside && mountPoint.length >= best.length) {
      best = mountPoint;
      type = fs;
    }
  }
  return type;
}

interface Sample {
  seconds: number;
  cpuSeconds: number;
  rssKiB: number;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ['SYSTEMD_SCOPE', 'BERTH_PODMAN_VERSION', 'BERTH_UNIT_DIRS', 'QUADLET_UNIT_DIRS', 'PODMAN', 'NODE_OPTIONS']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

interface Tool {
  readonly name: string;
  readonly argv: string[];
  readonly env: NodeJS.ProcessEnv;
  /** Runs before each of its runs, unmeasured. */
  readonly before?: () => void;
}

/**
 * One whole-process run under /usr/bin/time (max RSS, CPU time), into a fresh output folder, checked to
 * hold the expected number of units. Wall time is measured here, around the process.
 */
function sample(tool: Tool, outBase: string, work: string, expect: number): Sample {
  const out = mkdtempSync(join(outBase, 'berth-bench-out-'));
  const timeFile = join(work, 'time');
  tool.before?.();
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(TIME, ['-f', '%M %U %S', '-o', timeFile, ...tool.argv, out], {
      env: tool.env,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 << 20,
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${tool.name} exited ${r.status}: ${r.stderr.trim().slice(0, 2000)}`);
    const units = readdirSync(out).filter((f) => f.endsWith('.service')).length;
    if (units !== expect) throw new Error(`${tool.name} generated ${units} units, not ${expect}: ${r.stderr.trim().slice(0, 2000)}`);
    const [rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
    return { seconds, cpuSeconds: user + sys, rssKiB: rss };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface Stats {
  median: number;
  min: number;
  cpu: number;
  rssMiB: number;
}

function stats(samples: Sample[]): Stats {
  return {
    ...spread(samples.map((s) => s.seconds)),
    cpu: median(samples.map((s) => s.cpuSeconds)),
    rssMiB: Math.max(...samples.map((s) => s.rssKiB)) / 1024,
  };
}

/**
 * Runs two tools alternately (who goes first flips every round), after one unmeasured run each. `expect`
 * is how many units each must write (none for the `node -e 0` anchor).
 */
function compare(tools: readonly [Tool, Tool], runs: number, outBase: string, work: string, expect: readonly [number, number]): [Stats, Stats] {
  tools.forEach((t, k) => sample(t, outBase, work, expect[k]!));
  const samples: [Sample[], Sample[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) samples[k]!.push(sample(tools[k]!, outBase, work, expect[k]!));
  }
  return [stats(samples[0]), stats(samples[1])];
}

const secs = (x: number): string => x.toFixed(x < 0.1 ? 3 : 2);
const mib = (x: number): string => x.toFixed(0);
const times = (x: number): string => x.toFixed(x < 10 ? 2 : 1);

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.writeDefs) {
    writeDefinitions(opts.writeDefs, 0, opts.defs);
    return 0;
  }
  if (!executable(TIME)) throw new Error(`${TIME} is missing (apt-get install time; test/host/setup.sh installs it)`);
  if (!existsSync(opts.entry)) throw new Error(`${opts.entry} is missing: npm run build first`);
  const quadlet = quadletBinary();
  const qversion = runOk(quadlet, ['-version']).trim();
  const podman = run('/usr/bin/podman', ['--version']);
  const found = podman.status === 0 ? podman.stdout.trim() : 'no /usr/bin/podman: berth falls back to its newest';
  const out = outputBase();
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  // berth's runtime folder (where podman's version is remembered), private to this bench and on the tmpfs.
  const runtime = mkdtempSync(join(out.dir, 'berth-bench-run-'));
  const definitions = (count: number): string => {
    const dir = join(work, `defs-${count}`);
    if (!existsSync(dir)) writeDefinitions(dir, 0, count);
    return dir;
  };
  const berth = (dir: string, remembered: boolean): Tool => ({
    name: 'berth',
    // Run as systemd runs it: the file itself, with the Node flags on its #! line.
    argv: [opts.entry, '--no-kmsg-log'],
    env: cleanEnv({ BERTH_UNIT_DIRS: dir, BERTH_RUNTIME_DIR: runtime }),
    ...(remembered ? {} : { before: () => rmSync(join(runtime, 'podman-version'), { force: true }) }),
  });
  const quadletTool = (dir: string): Tool => ({ name: 'quadlet', argv: [quadlet, '-no-kmsg-log'], env: cleanEnv({ QUADLET_UNIT_DIRS: dir }) });
  const node: Tool = { name: 'node -e 0', argv: ['node', '-e', '0'], env: cleanEnv({}) };
  const detail = (b: Stats, q: Stats, other = 'quadlet'): string =>
    `  (min berth ${secs(b.min)} s, ${other} ${secs(q.min)} s, ratio ${times(b.min / q.min)}x; ` +
    `CPU user+sys berth ${secs(b.cpu)} s, ${other} ${secs(q.cpu)} s; max RSS berth ${mib(b.rssMiB)} MiB, ${other} ${mib(q.rssMiB)} MiB)`;
  // The ratio line goes first (CI logs show a regression at a glance); the rest follows it.
  const lines: string[] = [];
  try {
    const many = definitions(opts.defs);
    const [bm, qm] = compare([berth(many, true), quadletTool(many)], opts.runs, out.dir, work, [opts.defs, opts.defs]);
    const ratio = bm.median / qm.median;
    lines.push(
      `bench: ${opts.runs} alternating runs each (median, min); berth ${opts.entry.replace(REPO, '')} on node ${process.version}, ` +
        `quadlet ${qversion}, ${found}; units written to ${out.dir} (${out.fs}); ${loadNote()}`,
      `generator ${opts.defs} defs, podman's version remembered: berth ${secs(bm.median)} s, quadlet ${secs(qm.median)} s, ratio ${times(ratio)}x`,
      detail(bm, qm),
    );
    const [bc, qc] = compare([berth(many, false), quadletTool(many)], opts.runs, out.dir, work, [opts.defs, opts.defs]);
    lines.push(
      `generator ${opts.defs} defs, podman asked (first run after a boot): berth ${secs(bc.median)} s, quadlet ${secs(qc.median)} s, ratio ${times(bc.median / qc.median)}x`,
      detail(bc, qc),
    );
    const one = definitions(1);
    const [b1, n1] = compare([berth(one, true), node], opts.runs, out.dir, work, [1, 0]);
    const above = b1.median - n1.median;
    lines.push(
      `generator 1 def: berth ${secs(b1.median)} s, node -e 0 ${secs(n1.median)} s: ${(above * 1000).toFixed(0)} ms above Node's own start ` +
        `(CPU ${((b1.cpu - n1.cpu) * 1000).toFixed(0)} ms above)`,
      detail(b1, n1, 'node'),
    );
    // RSS: berth may use twice what Quadlet does, on top of what Node itself takes.
    const rssLimit = 2 * qm.rssMiB + n1.rssMiB;
    const targets = [
      `${opts.defs} defs at most ${TARGET_RATIO.toFixed(1)}x quadlet: ${verdict(ratio <= TARGET_RATIO)}`,
      `1 def at most ${(TARGET_ONE_DEF_ABOVE_NODE_S * 1000).toFixed(0)} ms above node -e 0: ${verdict(above <= TARGET_ONE_DEF_ABOVE_NODE_S)}`,
      `peak RSS at ${opts.defs} defs at most 2x quadlet + node (${mib(rssLimit)} MiB): ${verdict(bm.rssMiB <= rssLimit)}`,
    ];
    if (opts.growth.length > 1) {
      // Fewer runs: the largest counts take seconds each.
      const runs = Math.max(3, Math.ceil(opts.runs / 3));
      const perDef: number[] = [];
      let last: [Stats, Stats] | undefined;
      for (const count of opts.growth) {
        const dir = definitions(count);
        last = compare([berth(dir, true), quadletTool(dir)], runs, out.dir, work, [count, count]);
        const [b, q] = last;
        perDef.push(b.median / count);
        lines.push(
          `growth ${count} defs: berth ${secs(b.median)} s (${((b.median / count) * 1000).toFixed(3)} ms a definition), quadlet ${secs(q.median)} s, ` +
            `ratio ${times(b.median / q.median)}x; max RSS berth ${mib(b.rssMiB)} MiB, quadlet ${mib(q.rssMiB)} MiB`,
        );
      }
      const growth = perDef[perDef.length - 1]! / perDef[0]!;
      const [bl, ql] = last!;
      const largest = opts.growth[opts.growth.length - 1]!;
      targets.push(
        `linear to ${largest} defs (time a definition at most ${TARGET_GROWTH}x that at ${opts.growth[0]}; it is ${times(growth)}x): ${verdict(growth <= TARGET_GROWTH)}`,
        `peak RSS at ${largest} defs at most 2x quadlet + node (${mib(2 * ql.rssMiB + n1.rssMiB)} MiB; it is ${mib(bl.rssMiB)} MiB): ${verdict(bl.rssMiB <= 2 * ql.rssMiB + n1.rssMiB)}`,
      );
    }
    console.log(`ratio: generator ${opts.defs} defs as systemd runs it: berth ${secs(bm.median)} s / quadlet ${secs(qm.median)} s = ${times(ratio)}x (target ${TARGET_RATIO.toFixed(1)}x)`);
    for (const line of lines) console.log(line);
    console.log(`targets: ${targets.join('; ')}`);
    console.log(`bench: done; ${loadNote()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
