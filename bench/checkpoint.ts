/**
 * The checkpoint benchmark: `berth checkpoint NAME`, run as the RPM installs it (the launcher importing the
 * bundled command line), against its two anchors measured in the same run: a bare `podman container
 * checkpoint --export` of the same container, and the same followed by an fsync of its archive (which berth
 * must do and bare podman does not). Whole processes, in rotating order.
 *
 *   npm run bench:checkpoint [-- --rounds N] [--mib N] [--dir PATH] [--no-phases]
 *   --rounds N (7)      measured rounds of each of the three, after one warm-up round
 *   --mib N (256)       resident memory the container holds
 *   --dir PATH (/var/tmp) where the bench folder (unit definition, installed bundle, archive store) is made;
 *                       it must be on a disk file system, not a tmpfs, or fsync costs nothing
 *   --no-phases         skips the breakdown
 *
 * The first line printed is the ratio line, so that CI logs show a regression at a glance; the rounds and
 * the breakdown follow. Exit status 0 when both targets are met, 1 when not, 2 when the bench cannot run.
 * Targets (medians): berth ≤ 1.05 × (podman + fsync), and ≤ 1.25 × bare podman.
 *
 * The container (`berth-bench-ckpt`, image localhost/busybox:latest) runs
 *   sh -c '{ head -c BYTES /dev/urandom; exec sleep …; } | tail -c BYTES+1MiB'
 * busybox tail keeps everything it read in one heap buffer, and keeps waiting for more because the sleep
 * holds the pipe open: BYTES of incompressible process memory, which CRIU dumps into checkpoint/pages-N.img.
 * (/dev/shm would not do: podman gives it 64 MiB by default and dumps it itself as devshm-checkpoint.tar.)
 *
 * All three pass podman the same arguments (berth's: --export FILE --compress zstd --print-stats
 * --leave-running), into the same file system, with the environment systemd gives services (SERVICE_ENV).
 * berth finds the container through $BERTH_UNIT_DIRS (a .container definition with a [Checkpoint] section,
 * Keep=100), and after each of its rounds the bench removes all but the newest archive, so every run sees
 * one earlier archive, as in steady state. A global `sync` (not timed) precedes every timed command, so no
 * side pays for another's dirty pages.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashFile } from '../src/checkpoint/durable.js';
import { RECORD_FILE } from '../src/checkpoint/record.js';
import { exportCheck } from '../src/checkpoint/export-check.js';
import { ExportReader } from '../src/checkpoint/export-reader.js';
import { listTar } from '../src/checkpoint/verify.js';
import { loadNote, median, parseFlags, REPO, run, runOk, spread, timed } from './common.js';

const NAME = 'berth-bench-ckpt';
/**
 * The environment systemd gives the checkpoint service (systemd.exec(5): its PATH, and LANG), for every side,
 * rather than the shell's: that may hold what no service has, such as NODE_EXTRA_CA_CERTS, which makes every
 * Node start read a CA bundle (55 ms of each berth run on the test machine, where the shell sets it).
 */
const SERVICE_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ...(process.env['LANG'] ? { LANG: process.env['LANG'] } : {}),
};
const IMAGE = 'localhost/busybox:latest';
const TARGET_FSYNC = 1.05;
const TARGET_BARE = 1.25;
const MiB = 1024 * 1024;

type Side = 'podman' | 'podman+fsync' | 'berth';
const SIDES: readonly Side[] = ['podman', 'podman+fsync', 'berth'];

const secs = (x: number): string => `${x.toFixed(2)} s`;
const ms = (x: number): string => `${Math.round(x)} ms`;
const mibOf = (bytes: number): string => (bytes / MiB).toFixed(1);

/** Sum of the resident memory of the container's processes, in bytes (podman top reports KiB). */
function containerRss(): { total: number; biggest: string } {
  const lines = runOk('podman', ['top', NAME, 'pid', 'comm', 'rss']).trim().split('\n').slice(1);
  let total = 0;
  let biggest = '';
  let most = -1;
  for (const line of lines) {
    const [, comm, rss] = line.trim().split(/\s+/);
    const kib = Number(rss);
    if (!Number.isFinite(kib)) continue;
    total += kib * 1024;
    if (kib > most) {
      most = kib;
      biggest = `${comm} ${mibOf(kib * 1024)} MiB`;
    }
  }
  return { total, biggest };
}

function startContainer(bytes: number): string {
  run('podman', ['rm', '-f', '-t', '0', NAME]);
  const script = `{ head -c ${bytes} /dev/urandom; exec sleep 2147483647; } | tail -c ${bytes + MiB}`;
  runOk('podman', ['run', '-d', '--name', NAME, IMAGE, 'sh', '-c', script]);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const rss = containerRss();
    if (rss.total >= bytes) return `container RSS ${mibOf(rss.total)} MiB (largest: ${rss.biggest})`;
    if (Date.now() > deadline) throw new Error(`the container holds only ${mibOf(rss.total)} MiB after 3 minutes`);
    spawnSync('sleep', ['0.5']);
  }
}

/** The largest members of an exported archive: what CRIU (and podman) actually put into it. */
function largestMembers(path: string, count: number): string {
  const members = runOk('tar', ['-t', '-v', '--zstd', '-f', path])
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.trim().split(/\s+/);
      return { size: Number(f[2]), name: f.slice(5).join(' ') };
    })
    .sort((a, b) => b.size - a.size);
  return members
    .slice(0, count)
    .map((m) => `${m.name} ${mibOf(m.size)} MiB`)
    .join(', ');
}

function writeDefinition(bench: string, store: string): string {
  const units = join(bench, 'units');
  mkdirSync(units, { recursive: true });
  writeFileSync(
    join(units, `${NAME}.container`),
    ['[Container]', `ContainerName=${NAME}`, `Image=${IMAGE}`, '', '[Checkpoint]', `Directory=${store}`, 'Keep=100', 'Compress=zstd', 'LeaveRunning=yes', ''].join('\n'),
  );
  return units;
}

/** /usr/bin/berth and /usr/libexec/berth/berth.mjs as the RPM lays them out (packaging/berth-launcher). */
function install(bench: string): string {
  const launcher = join(bench, 'install', 'bin', 'berth');
  mkdirSync(join(bench, 'install', 'bin'), { recursive: true });
  mkdirSync(join(bench, 'install', 'libexec', 'berth'), { recursive: true });
  copyFileSync(join(REPO, 'packaging', 'berth-launcher'), launcher);
  copyFileSync(join(REPO, 'dist', 'berth.mjs'), join(bench, 'install', 'libexec', 'berth', 'berth.mjs'));
  return launcher;
}

/** The podman arguments berth uses (take.ts), so that every side asks podman for the same work. */
const podmanArgs = (target: string): string[] => [
  'container', 'checkpoint', '--export', target, '--compress', 'zstd', '--print-stats', '--leave-running', NAME,
];

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Keeps the newest archive (and its manifest) of the store folder, removes the rest. */
function trimStore(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  const archives = names.filter((n) => /\.tar\.zst$/.test(n)).sort();
  // berth's record of its archives stays too: without it, berth reads every archive again to adopt it.
  const keep = new Set([RECORD_FILE, ...archives.slice(-1).flatMap((a) => [a, `${a}.json`])]);
  for (const n of names) if (!keep.has(n)) rmSync(join(folder, n), { recursive: true, force: true });
}

interface Round {
  readonly secs: Record<Side, number>;
  /** The manifest's durationMs: berth's own time from preparing the export to writing the manifest. */
  berthExportMs: number;
}

interface Bench {
  readonly launcher: string;
  readonly units: string;
  readonly store: string;
  readonly scratch: string;
}

/** One timed run of a side, after a global sync (not timed). */
function side(b: Bench, which: Side): { secs: number; stdout: string } {
  runOk('sync', []);
  const target = join(b.scratch, 'x.tar.zst');
  const t0 = performance.now();
  let stdout: string;
  if (which === 'berth') {
    stdout = timed(process.execPath, [b.launcher, 'checkpoint', NAME], { env: { ...SERVICE_ENV, BERTH_UNIT_DIRS: b.units } }).stdout;
  } else {
    stdout = timed('podman', podmanArgs(target), { env: SERVICE_ENV }).stdout;
    if (which === 'podman+fsync') fsyncFile(target);
  }
  const secs = (performance.now() - t0) / 1000;
  if (which === 'berth') trimStore(join(b.store, NAME));
  else rmSync(target, { force: true });
  return { secs, stdout };
}

function rounds(b: Bench, count: number, label: string, lines: string[]): Round[] {
  const out: Round[] = [];
  for (let i = 0; i < count; i++) {
    // Each side takes each position in turn, so that none always follows the same one.
    const order = SIDES.map((_, k) => SIDES[(k + i) % SIDES.length]!);
    const r: Round = { secs: { podman: 0, 'podman+fsync': 0, berth: 0 }, berthExportMs: NaN };
    for (const which of order) {
      const t = side(b, which);
      r.secs[which] = t.secs;
      if (which === 'berth') r.berthExportMs = Number(/, (\d+) ms\)/.exec(t.stdout)?.[1] ?? NaN);
    }
    lines.push(
      `${label} ${i + 1} (${order.join(', ')}): podman ${secs(r.secs.podman)}, podman+fsync ${secs(r.secs['podman+fsync'])}, ` +
        `berth ${secs(r.secs.berth)} (its durationMs ${ms(r.berthExportMs)})`,
    );
    out.push(r);
  }
  return out;
}

async function clock<T>(lines: string[], label: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const v = await f();
  lines.push(`  ${label.padEnd(52)} ${ms(performance.now() - t0).padStart(8)}`);
  return v;
}

/** What berth's run is made of, each part alone: start-up, what runs beside the export, and the export's read. */
async function phases(b: Bench, lines: string[]): Promise<void> {
  lines.push('breakdown (each part alone, once):');
  const env = SERVICE_ENV;
  await clock(lines, 'node -e 0', () => runOk(process.execPath, ['-e', '0'], { env }));
  await clock(lines, 'node + installed berth (berth --version)', () => runOk(process.execPath, [b.launcher, '--version'], { env }));
  await clock(lines, 'podman --version + criu --version (once per binary)', () => [runOk('podman', ['--version'], { env }), runOk('criu', ['--version'], { env })]);
  const file = join(b.scratch, 'phases.tar.zst');
  runOk('sync', []);
  await clock(lines, 'podman container checkpoint --export', () => runOk('podman', podmanArgs(file), { env }));
  await clock(lines, 'its read (sha256, zstd frames, tar head) ‖ fsync', async () => (await new ExportReader(file, () => exportCheck(file, 'zstd'), Promise.resolve(), 0o600).result).durable);
  await clock(lines, 'sha256 alone (hashFile)', () => hashFile(file));
  await clock(lines, 'deep check: tar -t -R --zstd (restore, --verify)', () => listTar(file, 'zstd'));
  rmSync(file, { force: true });
  runOk('sync', []);
  const followed = join(b.scratch, 'followed.tar.zst');
  let tail = 0;
  await clock(lines, 'export read while written, until fsynced', async () => {
    const engine = new Promise<void>((resolve, reject) => {
      spawn('podman', podmanArgs(followed), { stdio: 'ignore', env }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`podman exit ${code}`))));
    });
    const reader = new ExportReader(followed, () => exportCheck(followed, 'zstd'), engine, 0o600);
    await engine;
    const exited = performance.now();
    await (await reader.result).durable;
    tail = performance.now() - exited;
  });
  lines.push(`  ${'  of which after podman exited'.padEnd(52)} ${ms(tail).padStart(8)}`);
  rmSync(followed, { force: true });
}

async function main(): Promise<number> {
  const opts = parseFlags(process.argv.slice(2), { rounds: 7, mib: 256, dir: '/var/tmp', phases: true });
  if (opts.rounds < 1 || opts.mib < 1) throw new Error('--rounds and --mib must be at least 1');
  if (process.getuid?.() !== 0) throw new Error('checkpoints need rootful podman: run as root');
  statSync(join(REPO, 'dist', 'berth.mjs'));
  const dir = mkdtempSync(join(opts.dir, 'berth-bench-ckpt-'));
  const b: Bench = { launcher: install(dir), units: writeDefinition(dir, join(dir, 'store')), store: join(dir, 'store'), scratch: join(dir, 'podman') };
  mkdirSync(b.scratch, { recursive: true });
  const details: string[] = [];
  try {
    const loadBefore = loadNote();
    details.push(`bench: ${NAME} holding ${opts.mib} MiB; ${opts.rounds} rotating rounds after a warm-up; folder ${dir}; node ${process.version}`);
    details.push(startContainer(opts.mib * MiB));
    const probe = join(b.scratch, 'probe.tar.zst');
    runOk('podman', podmanArgs(probe));
    const archiveBytes = statSync(probe).size;
    details.push(`archive ${mibOf(archiveBytes)} MiB; largest members: ${largestMembers(probe, 3)}`);
    rmSync(probe, { force: true });
    rounds(b, 1, 'warm-up', details);

    const rs = rounds(b, opts.rounds, 'round', details);
    const m = Object.fromEntries(SIDES.map((s) => [s, spread(rs.map((r) => r.secs[s]))])) as Record<Side, { median: number; min: number }>;
    const toFsync = m.berth.median / m['podman+fsync'].median;
    const toBare = m.berth.median / m.podman.median;
    const met = toFsync <= TARGET_FSYNC && toBare <= TARGET_BARE;
    const verdict = (x: number, target: number): string => `${x.toFixed(3)} (target ≤ ${target}: ${x <= target ? 'met' : 'MISSED'})`;
    process.stdout.write(
      `checkpoint ${opts.mib} MiB: berth/(podman+fsync) ${verdict(toFsync, TARGET_FSYNC)}, berth/podman ${verdict(toBare, TARGET_BARE)}; ` +
        `medians of ${opts.rounds}: berth ${secs(m.berth.median)}, podman+fsync ${secs(m['podman+fsync'].median)}, podman ${secs(m.podman.median)}; ` +
        `${loadNote()}\n`,
    );
    details.push(
      `min: berth ${secs(m.berth.min)}, podman+fsync ${secs(m['podman+fsync'].min)}, podman ${secs(m.podman.min)}; ` +
        `median per-round ratios ${median(rs.map((r) => r.secs.berth / r.secs['podman+fsync'])).toFixed(3)} and ${median(rs.map((r) => r.secs.berth / r.secs.podman)).toFixed(3)}; ` +
        `berth's durationMs median ${ms(median(rs.map((r) => r.berthExportMs)))}`,
    );
    details.push(`before: ${loadBefore}; after: ${loadNote()}`);
    if (opts.phases) await phases(b, details);
    process.stdout.write(details.join('\n') + '\n');
    return met ? 0 : 1;
  } catch (x) {
    process.stdout.write(details.join('\n') + '\n');
    throw x;
  } finally {
    run('podman', ['rm', '-f', '-t', '0', NAME]);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((x: unknown) => {
  process.stderr.write(`bench: ${x instanceof Error ? x.message : String(x)}\n`);
  return 2;
});
