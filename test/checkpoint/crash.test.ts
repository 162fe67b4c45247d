/**
 * SIGKILL during a real commit (in a child process) never leaves an archive that looks valid without
 * being complete, and never harms the archives already there: at random moments on a big export (the
 * moments are seeded: replay with BERTH_CRASH_SEED=<seed>), and, with strace (which needs ptrace, so this
 * is a host test), exactly before each file-system step of the commit.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CheckpointStore } from '../../src/checkpoint/store.js';
import { prng, seedFromEnv } from '../helpers/random-argv.js';
import { at, fields, tempDir, writeExport } from './fixtures.js';

const CHILD = new URL('./commit-child.js', import.meta.url).pathname;
const KILLS = 20;

const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Run {
  /** ms from spawn to "ready" (export in place) and to "done" (committed), when reached. */
  readonly ready?: number;
  readonly done?: number;
  readonly killedAt?: number;
}

/** Runs the child; kills it `killAfter(readyMs)` ms after spawn (undefined: let it finish). */
function runChild(args: string[], killAfter?: (ready: number | undefined) => number | undefined): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const run: { ready?: number; done?: number; killedAt?: number } = {};
    let timer: NodeJS.Timeout | undefined;
    const arm = (ready: number | undefined): void => {
      clearTimeout(timer);
      const at = killAfter?.(ready);
      if (at === undefined) return;
      timer = setTimeout(() => {
        run.killedAt = performance.now() - start;
        child.kill('SIGKILL');
      }, Math.max(0, at - (performance.now() - start)));
    };
    arm(undefined);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('ready ')) {
        run.ready = performance.now() - start;
        arm(run.ready);
      } else if (line === 'done') run.done = performance.now() - start;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve(run);
      else reject(new Error(`commit child failed (${code ?? signal}): ${stderr}`));
    });
  });
}

test('a SIGKILL at any moment of a commit never leaves a valid-looking incomplete archive nor harms older ones', async (t) => {
  const root = await tempDir(t);
  const store = new CheckpointStore(join(root, 'checkpoints'), 'web');
  const older = [];
  for (const day of [1, 2]) {
    const pending = await store.prepare('zstd', at(day));
    await writeExport(pending.tmpPath, 'zstd');
    older.push(await pending.commit(fields()));
  }
  const olderSums = await Promise.all(older.map((o) => sha256(o.path)));

  const source = join(root, 'export.tar.zst');
  await writeExport(source, 'zstd', { payload: 48 * 1024 * 1024 });
  const sourceSum = await sha256(source);
  const args = (i: number): string[] => [store.directory, 'web', source, String(at(10, i).getTime())];

  // One undisturbed run for the timings (and one more complete archive that must survive the rest).
  const calm = await runChild(args(0));
  t.not(calm.ready, undefined, 'the undisturbed child reported ready');
  t.not(calm.done, undefined, 'the undisturbed child reported done');
  // The machine's speed varies (other tests run at once): the estimate follows the runs that finish.
  let commitMs = calm.done! - calm.ready!;
  t.log(`commit of 48 MiB took ${commitMs.toFixed(0)} ms after ${calm.ready!.toFixed(0)} ms of start-up and copy`);

  const seed = seedFromEnv('BERTH_CRASH_SEED');
  t.log(`kill times: seed ${seed} (replay with BERTH_CRASH_SEED=${seed})`);
  const random = prng(seed);
  const outcomes: Record<string, number> = {};
  let committed = 0;
  for (let i = 1; i <= KILLS; i++) {
    // Kills land inside commit (after "ready"), half of them near its end, where the files take their names;
    // every fourth lands anywhere from spawn on (start-up, prepare, copy).
    const run = await runChild(args(i), (ready) =>
      i % 4 === 0
        ? ready === undefined
          ? random() * (calm.ready! + commitMs)
          : undefined
        : ready === undefined
          ? undefined
          : ready + commitMs * (i % 4 === 1 ? random() * 1.2 : 0.85 + random() * 0.25), // the end: fsync, renames
    );
    if (run.done !== undefined) commitMs = (commitMs + (run.done - run.ready!)) / 2;

    const listed = await store.list({ verify: true });
    for (const info of listed) {
      if (!info.valid) continue;
      const isOlder = older.some((o) => o.path === info.path);
      t.true(isOlder || info.manifest!.sha256 === sourceSum, `${info.path} is valid, so it must be the complete export`);
    }
    for (const [k, o] of older.entries()) {
      t.true(listed.find((l) => l.path === o.path)?.valid, `older archive ${o.path} is still valid`);
      t.is(await sha256(o.path), olderSums[k]!);
    }
    const mine = listed.find((l) => l.createdAt.getTime() === at(10, i).getTime());
    const stamp = mine ? mine.path.slice(store.dir.length + 1) : `web-${at(10, i).toISOString().replace(/[-:.]/g, '')}.tar.zst`;
    const present = new Set(await readdir(store.dir));
    const temp = [...present].find((n) => n.startsWith(`.${stamp}.tmp-`));
    const inTemp = new Set(temp ? await readdir(join(store.dir, temp)) : []);
    const state = [
      present.has(stamp) && 'archive',
      present.has(`${stamp}.json`) && 'manifest',
      inTemp.has(stamp) && 'temp archive',
      inTemp.has(`${stamp}.json`) && 'temp manifest',
      temp !== undefined && inTemp.size === 0 && 'empty temp folder',
    ]
      .filter(Boolean)
      .join(' + ') || 'nothing';
    outcomes[state] = (outcomes[state] ?? 0) + 1;
    // Valid exactly when archive and manifest have their names; what is left of the temporary folder does not count.
    t.is(mine?.valid ?? false, state.startsWith('archive + manifest'), state);
    if (mine?.valid) committed++;
    t.true(run.done === undefined || mine?.valid === true, 'a child that reported done has a valid archive');
  }
  t.log('where the kills left the archive:', outcomes);

  // Cleaning up after the dead children leaves only complete archives and their manifests.
  await store.prune(100);
  const after = await readdir(store.dir);
  t.false(after.some((n) => n.includes('.tmp-')), `no temp files of dead pids remain: ${after.join(' ')}`);
  const final = await store.list({ verify: true });
  t.true(final.filter((f) => f.createdAt > at(10)).every((f) => f.valid || f.problem!.includes('no manifest')));
  t.is(final.filter((f) => f.valid).length, older.length + 1 + committed, 'the older two, the undisturbed one and every commit that finished');
});

/** strace kills a process at a chosen system call (`-e inject=…:signal=KILL`); it needs ptrace. */
function requireStrace(): void {
  const probe = spawnSync('strace', ['-qq', '-o', '/dev/null', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`strace cannot trace here (${probe.error?.message ?? probe.stderr.trim()}): it must be installed (test/host/setup.sh) and ptrace allowed`);
  }
}

type CommitFile = 'temp folder' | 'temp archive' | 'temp manifest' | 'archive' | 'manifest';

interface CrashPoint {
  readonly before: string;
  /** Which of the commit's files (or the container's folder) the system call touches. */
  readonly file: CommitFile | 'folder';
  readonly syscalls: readonly string[];
  /** Whether the archive is complete (and must then be valid) when the process dies there. */
  readonly committed: boolean;
  /** The commit's files that exist at that moment. */
  readonly left: readonly CommitFile[];
}

const CRASH_POINTS: readonly CrashPoint[] = [
  { before: 'the export is fsynced', file: 'temp archive', syscalls: ['fsync', 'fdatasync'], committed: false, left: ['temp folder', 'temp archive'] },
  { before: 'the manifest temp file is created', file: 'temp manifest', syscalls: ['open', 'openat'], committed: false, left: ['temp folder', 'temp archive'] },
  { before: 'the manifest is written', file: 'temp manifest', syscalls: ['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2'], committed: false, left: ['temp folder', 'temp archive', 'temp manifest'] },
  { before: 'the manifest is fsynced', file: 'temp manifest', syscalls: ['fsync', 'fdatasync'], committed: false, left: ['temp folder', 'temp archive', 'temp manifest'] },
  { before: 'the archive is linked to its name', file: 'archive', syscalls: ['link', 'linkat', 'rename', 'renameat', 'renameat2'], committed: false, left: ['temp folder', 'temp archive', 'temp manifest'] },
  { before: "the archive's temp name is removed", file: 'temp archive', syscalls: ['unlink', 'unlinkat'], committed: false, left: ['temp folder', 'temp archive', 'temp manifest', 'archive'] },
  { before: 'the manifest is linked to its name', file: 'manifest', syscalls: ['link', 'linkat', 'rename', 'renameat', 'renameat2'], committed: false, left: ['temp folder', 'temp manifest', 'archive'] },
  { before: "the manifest's temp name is removed", file: 'temp manifest', syscalls: ['unlink', 'unlinkat'], committed: true, left: ['temp folder', 'temp manifest', 'archive', 'manifest'] },
  { before: 'the temporary folder is removed', file: 'temp folder', syscalls: ['rmdir', 'unlinkat'], committed: true, left: ['temp folder', 'archive', 'manifest'] },
  { before: 'the folder is fsynced', file: 'folder', syscalls: ['fsync', 'fdatasync'], committed: true, left: ['archive', 'manifest'] },
];

/** Resolves once every thread of `pid` is traced. */
async function traced(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const tasks = await readdir(`/proc/${pid}/task`);
    const tracers = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/status`, 'utf8')));
    if (tracers.every((status) => !/^TracerPid:\s+0$/m.test(status))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`strace did not attach to ${pid}`);
}

test('a SIGKILL just before each file-system step of a commit leaves it invalid until the manifest has its name', async (t) => {
  requireStrace();
  const root = await tempDir(t);
  const store = new CheckpointStore(join(root, 'checkpoints'), 'web');
  const pending = await store.prepare('zstd', at(1));
  await writeExport(pending.tmpPath, 'zstd');
  const older = await pending.commit(fields());
  const olderSum = await sha256(older.path);
  const source = join(root, 'export.tar.zst');
  await writeExport(source, 'zstd', { payload: 1024 * 1024 });
  const sourceSum = await sha256(source);

  for (const [i, point] of CRASH_POINTS.entries()) {
    const stamp = at(10, i);
    const child = spawn(process.execPath, [CHILD, store.directory, 'web', source, String(stamp.getTime()), 'wait'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exit = new Promise<NodeJS.Signals | number | null>((r) => child.on('exit', (code, signal) => r(signal ?? code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = (await lines.next()).value as string;
    const [, pidText, tmpPath] = ready.split(' ') as [string, string, string];
    const finalPath = join(store.dir, basename(tmpPath));
    const paths = {
      'temp folder': dirname(tmpPath),
      'temp archive': tmpPath,
      'temp manifest': `${tmpPath}.json`,
      archive: finalPath,
      manifest: `${finalPath}.json`,
      folder: store.dir,
    };
    const syscalls = point.syscalls.map((s) => `?${s}`).join(',');
    const strace = spawn('strace', ['-f', '-qq', '-o', '/dev/null', '-p', pidText, '-P', paths[point.file], '-e', `trace=${syscalls}`, '-e', `inject=${syscalls}:signal=KILL`], { stdio: 'ignore' });
    const straceExit = new Promise((r) => strace.on('exit', r));
    await traced(Number(pidText));
    child.stdin.end('go\n');
    t.is(await exit, 'SIGKILL', `killed before ${point.before}`);
    await straceExit;

    const left: CommitFile[] = [];
    for (const f of ['temp folder', 'temp archive', 'temp manifest', 'archive', 'manifest'] as const) if (await exists(paths[f])) left.push(f);
    t.deepEqual(left, point.left, `killed before ${point.before}`);
    const listed = await store.list({ verify: true });
    const mine = listed.find((l) => l.path === finalPath);
    t.is(mine?.valid ?? false, point.committed, `killed before ${point.before}: ${mine?.problem ?? 'no archive listed'}`);
    if (mine?.valid) t.is(await sha256(finalPath), sourceSum);
    t.true(listed.find((l) => l.path === older.path)?.valid);
    t.is(await sha256(older.path), olderSum);
  }

  // Afterwards prune clears every leftover of the dead children; only complete archives remain.
  await store.prune(100);
  const names = await readdir(store.dir);
  t.false(names.some((n) => n.includes('.tmp-')), names.join(' '));
  t.true((await store.list({ verify: true })).every((l) => l.valid));
});
