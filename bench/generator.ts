/**
 * The generator benchmark: berth's generator against Podman's own Quadlet generator (podman 5.4), both run
 * as whole processes the way systemd runs them, over the same 1,000 .container definitions and over one.
 *
 *   npm run bench [-- --runs N] [--defs N] [--entry PATH] [--no-detect]
 *   node dist/bench/generator.js --write-defs DIR [--defs N]   (only writes the definitions)
 *
 * berth runs as `node <entry> --no-kmsg-log --podman-version 5.4 OUT` (the configured path), then without
 * --podman-version (it asks /usr/bin/podman --version); quadlet as `quadlet -no-kmsg-log OUT`. Each run
 * writes into a fresh folder on a tmpfs, as generators do under /run (BERTH_BENCH_OUT overrides), and
 * must produce one unit per definition. Wall times are the median (and min) of N runs of each tool,
 * alternating; max RSS and CPU time come from /usr/bin/time.
 *
 * Quadlet is podman 5's, which test/host/setup.sh unpacks into its own folder (test/helpers/quadlet-binary.ts);
 * BERTH_QUADLET names a quadlet binary to use instead.
 *
 * Targets: berth at most 1.0x Quadlet's wall time on 1,000 definitions, at most 0.12 s on one.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quadletBinary } from '../test/helpers/quadlet-binary.js';
import { loadNote, median, parseFlags, REPO, run, runOk, spread } from './common.js';

const TIME = '/usr/bin/time';
const PODMAN_VERSION = '5.4';
const TARGET_RATIO = 1.0;
const TARGET_ONE_DEF_S = 0.12;

function parseArgs(argv: string[]) {
  // entry: what the installed generator links point at; writeDefs: only write the definitions there (for
  // profiling by hand).
  const opts = parseFlags(argv, { runs: 10, defs: 1000, entry: join(REPO, 'dist/berth-generator.mjs'), detect: true, writeDefs: '' });
  if (!(opts.runs >= 1) || !(opts.defs >= 1)) throw new Error('--runs and --defs must be at least 1');
  return opts;
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
}

/**
 * One whole-process run under /usr/bin/time (max RSS, CPU time), into a fresh output folder, checked to
 * hold the expected number of units. Wall time is measured here, around the process.
 */
function sample(tool: Tool, outBase: string, work: string, expect: number): Sample {
  const out = mkdtempSync(join(outBase, 'berth-bench-out-'));
  const timeFile = join(work, 'time');
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

/** Runs berth and quadlet alternately (who goes first flips every round), after one unmeasured run each. */
function compare(tools: readonly [Tool, Tool], runs: number, outBase: string, work: string, expect: number): [Stats, Stats] {
  for (const t of tools) sample(t, outBase, work, expect);
  const samples: [Sample[], Sample[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) samples[k]!.push(sample(tools[k]!, outBase, work, expect));
  }
  return [stats(samples[0]), stats(samples[1])];
}

const secs = (x: number): string => x.toFixed(x < 0.1 ? 3 : 2);
const mib = (x: number): string => x.toFixed(0);
const times = (x: number): string => x.toFixed(x < 10 ? 2 : 1);

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
  const out = outputBase();
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const manyDir = join(work, 'many');
  const oneDir = join(work, 'one');
  writeDefinitions(manyDir, 0, opts.defs);
  writeDefinitions(oneDir, 0, 1);
  console.log(
    `bench: ${opts.runs} alternating runs each (median, min); berth ${opts.entry.replace(REPO, '')} on node ${process.version}, ` +
      `quadlet ${qversion}; units written to ${out.dir} (${out.fs}); ${loadNote()}`,
  );

  const tools = (dir: string, detect: boolean): [Tool, Tool] => [
    {
      name: 'berth',
      argv: ['node', opts.entry, '--no-kmsg-log', ...(detect ? [] : ['--podman-version', PODMAN_VERSION])],
      env: cleanEnv({ BERTH_UNIT_DIRS: dir }),
    },
    { name: 'quadlet', argv: [quadlet, '-no-kmsg-log'], env: cleanEnv({ QUADLET_UNIT_DIRS: dir }) },
  ];
  const detail = (b: Stats, q: Stats): string =>
    `  (min berth ${secs(b.min)} s, quadlet ${secs(q.min)} s, ratio ${times(b.min / q.min)}x; ` +
    `CPU user+sys berth ${secs(b.cpu)} s, quadlet ${secs(q.cpu)} s)`;
  try {
    const [bm, qm] = compare(tools(manyDir, false), opts.runs, out.dir, work, opts.defs);
    const ratio = bm.median / qm.median;
    console.log(
      `generator ${opts.defs} defs: berth ${secs(bm.median)} s, quadlet ${secs(qm.median)} s, ratio ${times(ratio)}x; ` +
        `max RSS berth ${mib(bm.rssMiB)} MiB, quadlet ${mib(qm.rssMiB)} MiB`,
    );
    console.log(detail(bm, qm));
    const [b1, q1] = compare(tools(oneDir, false), opts.runs, out.dir, work, 1);
    console.log(
      `generator 1 def: berth ${secs(b1.median)} s (target ${secs(TARGET_ONE_DEF_S)} s), quadlet ${secs(q1.median)} s, ` +
        `ratio ${times(b1.median / q1.median)}x; max RSS berth ${mib(b1.rssMiB)} MiB, quadlet ${mib(q1.rssMiB)} MiB`,
    );
    console.log(detail(b1, q1));
    console.log(
      `targets (berth --podman-version ${PODMAN_VERSION}): ${opts.defs} defs at most ${TARGET_RATIO.toFixed(1)}x quadlet: ` +
        `${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}; 1 def at most ${secs(TARGET_ONE_DEF_S)} s: ` +
        `${b1.median <= TARGET_ONE_DEF_S ? 'met' : 'MISSED'}`,
    );
    if (opts.detect) {
      // Without --podman-version (or $BERTH_PODMAN_VERSION) berth asks /usr/bin/podman --version.
      const podman = run('/usr/bin/podman', ['--version']);
      const found = podman.status === 0 ? podman.stdout.trim() : 'no /usr/bin/podman: berth falls back to its newest';
      const [bd, qd] = compare(tools(manyDir, true), opts.runs, out.dir, work, opts.defs);
      console.log(
        `generator ${opts.defs} defs, podman version detected (${found}): berth ${secs(bd.median)} s, quadlet ${secs(qd.median)} s, ` +
          `ratio ${times(bd.median / qd.median)}x; max RSS berth ${mib(bd.rssMiB)} MiB, quadlet ${mib(qd.rssMiB)} MiB`,
      );
      console.log(detail(bd, qd));
      const [bd1, qd1] = compare(tools(oneDir, true), opts.runs, out.dir, work, 1);
      console.log(
        `generator 1 def, podman version detected: berth ${secs(bd1.median)} s, quadlet ${secs(qd1.median)} s, ` +
          `ratio ${times(bd1.median / qd1.median)}x; max RSS berth ${mib(bd1.rssMiB)} MiB, quadlet ${mib(qd1.rssMiB)} MiB`,
      );
      console.log(detail(bd1, qd1));
    }
    console.log(`bench: done; ${loadNote()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // Missed targets are reported, not failed on: timings depend on the machine and its load.
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
