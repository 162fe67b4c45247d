import test from 'ava';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CheckpointLock } from '../../src/checkpoint/lock.js';
import { CheckpointError } from '../../src/errors.js';
import { tempDir } from './fixtures.js';

const CHILD = new URL('./lock-child.js', import.meta.url).pathname;

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** The next line the child prints. */
  line(): Promise<string>;
}

function startChild(dir: string, name: string): Child {
  const child = spawn(process.execPath, [CHILD, dir, name], { stdio: 'pipe' });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    process: child,
    line: async () => {
      const next = await lines.next();
      if (next.done) throw new Error('the child exited');
      return next.value;
    },
  };
}

const exited = (child: Child): Promise<unknown> =>
  child.process.exitCode !== null || child.process.signalCode !== null ? Promise.resolve() : new Promise((r) => child.process.once('exit', r));

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

test('the lock refuses a second holder, naming the pid that holds it, until it is released', async (t) => {
  const dir = await tempDir(t);
  const lock = await CheckpointLock.acquire(dir, 'web');
  const error = await t.throwsAsync(CheckpointLock.acquire(dir, 'web'), { instanceOf: CheckpointError });
  t.is(error?.message, `another checkpoint of web is running (pid ${process.pid})`);
  t.is(error?.code, 'locked');
  const other = await CheckpointLock.acquire(dir, 'db');
  await lock.release();
  await lock.release();
  const again = await CheckpointLock.acquire(dir, 'web');
  await again.release();
  await other.release();
  t.deepEqual(await readdir(join(dir, 'web.lock')), ['2'], 'one file stays, marked free, so numbers keep growing');
  t.is(await readFile(join(dir, 'web.lock', '2'), 'utf8'), 'free\n');
});

test('two acquisitions at once in one process: exactly one wins', async (t) => {
  const dir = await tempDir(t);
  const results = await Promise.allSettled([CheckpointLock.acquire(dir, 'web'), CheckpointLock.acquire(dir, 'web')]);
  t.is(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'fulfilled') await r.value.release();
});

test('the lock is taken over when its pid is dead, or alive but started at another time (reused)', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'web.lock'));
  await writeFile(join(dir, 'web.lock', '7'), `${deadPid()} 12345\n`);
  const lock = await CheckpointLock.acquire(dir, 'web');
  t.is(lock.path, join(dir, 'web.lock', '8'));
  t.deepEqual(await readdir(join(dir, 'web.lock')), ['8'], 'the stale lock is tidied away');

  await writeFile(join(dir, 'web.lock', '9'), `${process.pid} 1\n`); // our pid, but not our start time
  const taken = await CheckpointLock.acquire(dir, 'web');
  t.is(taken.path, join(dir, 'web.lock', '10'));
  await taken.release();
});

test('a lock held by a process that is SIGKILLed is taken over', async (t) => {
  const dir = await tempDir(t);
  const child = startChild(dir, 'web');
  t.teardown(() => void child.process.kill('SIGKILL'));
  t.is(await child.line(), 'ready');
  child.process.stdin.write('go\n');
  t.is(await child.line(), 'acquired');
  await t.throwsAsync(CheckpointLock.acquire(dir, 'web'), { message: `another checkpoint of web is running (pid ${child.process.pid})` });
  child.process.kill('SIGKILL');
  await exited(child);
  const lock = await CheckpointLock.acquire(dir, 'web');
  t.is(lock.path, join(dir, 'web.lock', '2'), 'the next number after the dead holder');
  await lock.release();
});

test('processes racing for a stale lock: exactly one wins each round', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'web.lock'));
  for (let round = 0; round < 5; round++) {
    const files = await readdir(join(dir, 'web.lock'));
    const top = Math.max(0, ...files.filter((f) => /^\d+$/.test(f)).map(Number));
    await writeFile(join(dir, 'web.lock', String(top + 1)), `${deadPid()} 4242\n`);
    const children = Array.from({ length: 6 }, () => startChild(dir, 'web'));
    t.teardown(() => children.forEach((c) => c.process.kill('SIGKILL')));
    for (const c of children) t.is(await c.line(), 'ready');
    for (const c of children) c.process.stdin.write('go\n');
    const outcomes = await Promise.all(children.map((c) => c.line()));
    t.is(outcomes.filter((o) => o === 'acquired').length, 1, `round ${round}: ${outcomes.join(' | ')}`);
    t.true(outcomes.filter((o) => o !== 'acquired').every((o) => /^locked another checkpoint of web is running \(pid \d+\)$/.test(o)));
    for (const c of children) c.process.stdin.end();
    await Promise.all(children.map(exited));
  }
});
