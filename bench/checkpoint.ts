/**
 * The checkpoint benchmark: `berth checkpoint NAME` against a bare `podman container checkpoint --export` of
 * the same container, both run as whole processes, alternating, in the same run.
 *
 *   npm run bench:checkpoint [-- --rounds N] [--mib N] [--dir PATH] [--no-phases]
 *   --rounds N (5)      measured rounds of each side, after one warm-up round of each
 *   --mib N (256)       resident memory the container holds
 *   --dir PATH (/var/tmp) where the bench folder (unit definition, archive store) is made; it must be on a
 *                       disk file system, not a tmpfs, or fsync costs nothing
 *   --no-phases         skips the phase breakdown
 *
 * The container (`berth-bench-ckpt`, image localhost/busybox:latest) runs
 *   sh -c '{ head -c BYTES /dev/urandom; exec sleep …; } | tail -c BYTES+1MiB'
 * busybox tail keeps everything it read in one heap buffer, and keeps waiting for more because the sleep
 * holds the pipe open: BYTES of incompressible process memory, which CRIU dumps into checkpoint/pages-N.img.
 * (/dev/shm would not do: podman gives it 64 MiB by default and dumps it itself as devshm-checkpoint.tar.)
 *
 * Both sides pass podman the same arguments (berth's: --export FILE --compress zstd --print-stats
 * --leave-running), into the same folder. berth finds the container through $BERTH_UNIT_DIRS (a
 * .container definition with a [Checkpoint] section, Keep=100), and after each of its rounds the bench
 * removes all but the newest archive, so every run sees one earlier archive, as in steady state. A global
 * `sync` (not timed) precedes every timed command, so no side pays for the other's dirty pages.
 * Target: berth's median wall time at most 10% over podman's, sha256 and fsync included.
 *
 * The phase breakdown repeats takeCheckpoint's steps in this process with the same modules and times each,
 * then times the parts of the commit on a fresh export: fsync, tar listing, sha256, and both together.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointLock } from '../src/checkpoint/lock.js';
import { hashFile } from '../src/checkpoint/durable.js';
import { CheckpointStore } from '../src/checkpoint/store.js';
import { runHash } from '../src/checkpoint/take.js';
import { listTar, verifyExport } from '../src/checkpoint/verify.js';
import { criuVersion, Podman } from '../src/engine/podman.js';
import { loadNote, median, parseFlags, REPO, run, runOk, spread, timed } from './common.js';

const MAIN = join(REPO, 'dist/src/cli/main.js');
const NAME = 'berth-bench-ckpt';
const IMAGE = 'localhost/busybox:latest';
const TARGET = 0.1;
const MiB = 1024 * 1024;

/** A command's wall time in seconds, after a global sync (not timed): no side pays for the other's dirty pages. */
function afterSync(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { secs: number; stdout: string } {
  runOk('sync', []);
  const t = timed(cmd, args, { env });
  return { secs: t.ms / 1000, stdout: t.stdout };
}

const secs = (x: number): string => x.toFixed(2);
const ms = (x: number): string => `${Math.round(x)} ms`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
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
    [
      '[Container]',
      `ContainerName=${NAME}`,
      `Image=${IMAGE}`,
      '',
      '[Checkpoint]',
      `Directory=${store}`,
      'Keep=100',
      'Compress=zstd',
      'LeaveRunning=yes',
      '',
    ].join('\n'),
  );
  return units;
}

/** The podman arguments berth uses (take.ts), so that both sides ask podman for the same work. */
const podmanArgs = (target: string): string[] => [
  'container', 'checkpoint', '--export', target, '--compress', 'zstd', '--print-stats', '--leave-running', NAME,
];

/** Keeps the newest archive (and its manifest) of the store folder, removes the rest. */
function trimStore(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  const archives = names.filter((n) => /\.tar\.zst$/.test(n)).sort();
  const keep = new Set(archives.slice(-1).flatMap((a) => [a, `${a}.json`]));
  for (const n of names) if (!keep.has(n)) rmSync(join(folder, n), { force: true });
}

interface Round {
  podman: number;
  berth: number;
  berthExportMs: number;
}

function rounds(units: string, store: string, scratch: string, count: number, label: string): Round[] {
  const env = { ...process.env, BERTH_UNIT_DIRS: units };
  const target = join(scratch, 'x.tar.zst');
  const out: Round[] = [];
  for (let i = 0; i < count; i++) {
    const sides: Array<'podman' | 'berth'> = i % 2 === 0 ? ['podman', 'berth'] : ['berth', 'podman'];
    const r: Round = { podman: 0, berth: 0, berthExportMs: 0 };
    for (const side of sides) {
      if (side === 'podman') {
        r.podman = afterSync('podman', podmanArgs(target)).secs;
        rmSync(target, { force: true });
      } else {
        const t = afterSync(process.execPath, [MAIN, 'checkpoint', NAME], env);
        r.berth = t.secs;
        r.berthExportMs = Number(/, (\d+) ms\)/.exec(t.stdout)?.[1] ?? NaN);
        trimStore(join(store, NAME));
      }
    }
    process.stdout.write(
      `${label} ${i + 1}: podman ${secs(r.podman)} s, berth ${secs(r.berth)} s (${sides.join(' first, ')} second; ` +
        `berth's export ${ms(r.berthExportMs)}), overhead ${pct(r.berth / r.podman - 1)}\n`,
    );
    out.push(r);
  }
  return out;
}

async function clock<T>(lines: string[], label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await f();
  lines.push(`  ${label.padEnd(44)} ${ms(performance.now() - t0).padStart(8)}`);
  return v;
}

/** takeCheckpoint's steps, one by one, with the same modules; then the commit's parts on a fresh export. */
async function phases(store: string, scratch: string): Promise<string[]> {
  const lines: string[] = [];
  const podman = new Podman();
  const t0 = performance.now();
  run(process.execPath, [MAIN, '--version']);
  lines.push(`  ${'node + berth modules (berth --version)'.padEnd(44)} ${ms(performance.now() - t0).padStart(8)}`);

  const total0 = performance.now();
  const lock = await clock(lines, 'lock', () => CheckpointLock.acquire('/run/berth/locks', NAME));
  try {
    const state = await clock(lines, 'podman container inspect', () => podman.inspect(NAME));
    if (!state?.running) throw new Error(`${NAME} is not running`);
    const cs = new CheckpointStore(store, NAME);
    await clock(lines, 'store: estimateNeed + freeBytes', async () => [await cs.estimateNeed(), await cs.freeBytes()]);
    const pending = await clock(lines, 'store: prepare', () => cs.prepare('zstd'));
    const started = Date.now();
    await clock(lines, 'podman container checkpoint --export', () => podman.run(podmanArgs(pending.tmpPath)));
    const durationMs = Date.now() - started;
    const podmanVersion = await clock(lines, 'podman version', () => podman.version());
    const criu = await clock(lines, 'criu --version', () => criuVersion());
    await clock(lines, 'commit (verify ‖ sha256, fsync, manifest, links)', () =>
      pending.commit({
        name: NAME, container: NAME, containerId: state.id, image: state.image, unit: `${NAME}.service`,
        podmanVersion, criuVersion: criu, durationMs, leaveRunning: true, tcpEstablished: false, fileLocks: false,
        runHash: runHash(state.createCommand),
      }),
    );
    await clock(lines, 'prune', () => cs.prune(100));
  } finally {
    await clock(lines, 'lock release', () => lock.release());
  }
  lines.push(`  ${'= in-process total'.padEnd(44)} ${ms(performance.now() - total0).padStart(8)}`);
  trimStore(join(store, NAME));

  lines.push('  commit parts, each alone, on a fresh export:');
  const file = join(scratch, 'phases.tar.zst');
  rmSync(file, { force: true });
  runOk('sync', []);
  await clock(lines, 'podman container checkpoint --export', async () => runOk('podman', podmanArgs(file)));
  await clock(lines, 'fsync (all of it still dirty)', async () => {
    const h = await open(file, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  });
  await clock(lines, 'tar listing (tar -t -R --zstd)', () => listTar(file, 'zstd'));
  await clock(lines, 'sha256 (hashFile)', () => hashFile(file));
  await clock(lines, 'verifyExport (listing ‖ sha256)', () => verifyExport(file, 'zstd'));
  rmSync(file, { force: true });
  return lines;
}

async function main(): Promise<number> {
  const opts = parseFlags(process.argv.slice(2), { rounds: 5, mib: 256, dir: '/var/tmp', phases: true });
  if (opts.rounds < 1 || opts.mib < 1) throw new Error('--rounds and --mib must be at least 1');
  if (process.getuid?.() !== 0) throw new Error('checkpoints need rootful podman: run as root');
  statSync(MAIN);
  const bench = mkdtempSync(join(opts.dir, 'berth-bench-ckpt-'));
  const store = join(bench, 'store');
  const scratch = join(bench, 'podman');
  mkdirSync(scratch, { recursive: true });
  const units = writeDefinition(bench, store);
  const bytes = opts.mib * MiB;
  try {
    process.stdout.write(
      `bench: ${NAME} holding ${opts.mib} MiB; ${opts.rounds} alternating rounds after a warm-up; folder ${bench}; ` +
        `node ${process.version}, ${loadNote()}\n`,
    );
    process.stdout.write(`${startContainer(bytes)}\n`);

    // Warm-up, and a look at what the export holds.
    const probe = join(scratch, 'probe.tar.zst');
    runOk('podman', podmanArgs(probe));
    const archiveBytes = statSync(probe).size;
    process.stdout.write(`archive ${mibOf(archiveBytes)} MiB; largest members: ${largestMembers(probe, 3)}\n`);
    rmSync(probe, { force: true });
    rounds(units, store, scratch, 1, 'warm-up');

    const rs = rounds(units, store, scratch, opts.rounds, 'round');
    const p = spread(rs.map((r) => r.podman));
    const b = spread(rs.map((r) => r.berth));
    const overhead = b.median / p.median - 1;
    const paired = median(rs.map((r) => r.berth / r.podman)) - 1;
    process.stdout.write(
      `checkpoint ${opts.mib} MiB: berth ${secs(b.median)} s, podman ${secs(p.median)} s, overhead ${pct(overhead)} ` +
        `(target ≤ ${pct(TARGET)}: ${overhead <= TARGET ? 'met' : 'MISSED'}); archive ${mibOf(archiveBytes)} MiB\n`,
    );
    process.stdout.write(
      `  min: berth ${secs(b.min)} s, podman ${secs(p.min)} s, overhead ${pct(b.min / p.min - 1)}; ` +
        `median of per-round overheads ${pct(paired)}; berth's own export (manifest durationMs) median ${ms(median(rs.map((r) => r.berthExportMs)))}\n`,
    );
    process.stdout.write(`  ${loadNote()}\n`);
    if (opts.phases) {
      process.stdout.write('phases (one run, in process):\n');
      process.stdout.write((await phases(store, scratch)).join('\n') + '\n');
    }
    return overhead <= TARGET ? 0 : 1;
  } finally {
    run('podman', ['rm', '-f', '-t', '0', NAME]);
    rmSync(bench, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((x: unknown) => {
  process.stderr.write(`bench: ${x instanceof Error ? x.message : String(x)}\n`);
  return 2;
});
