/**
 * A real ENOSPC during a commit, on a tmpfs small enough to fill: mounting it needs root (a host test,
 * test/ava.host.config.mjs), and where it cannot be mounted the test fails rather than pass untested.
 */
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../../src/checkpoint/store.js';
import { at, commitOne, fields, snapshot, writeExport } from './fixtures.js';

async function smallTmpfs(t: ExecutionContext, bytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-checkpoint-tmpfs-'));
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir], { reject: false });
  t.teardown(async () => {
    if (mounted.exitCode === 0) await execa('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });
  if (mounted.exitCode !== 0) throw new Error(`cannot mount a tmpfs (run as root): ${mounted.stderr}`);
  return dir;
}

test('a disk that fills up while the manifest is written leaves no archive and the older ones intact', async (t) => {
  const dir = await smallTmpfs(t, 4 * 1024 * 1024);
  const store = new CheckpointStore(dir, 'web');
  await commitOne(store, at(1), 'none', { payload: 300_000 });
  const before = await snapshot(store.dir);
  const pending = await store.prepare('none', at(2));
  await writeExport(pending.tmpPath, 'none', { payload: 300_000 });
  // Fill every remaining byte.
  const filler = join(dir, 'filler');
  const handle = await open(filler, 'w');
  const filled = await (async () => {
    try {
      for (;;) await handle.write(Buffer.alloc(64 * 1024));
    } catch (x) {
      return (x as NodeJS.ErrnoException).code;
    } finally {
      await handle.close();
    }
  })();
  t.is(filled, 'ENOSPC');
  await t.throwsAsync(pending.commit(fields()), { code: 'ENOSPC' });
  t.deepEqual(await snapshot(store.dir), before);
  const [only, ...rest] = await store.list({ verify: true });
  t.deepEqual(rest, []);
  t.true(only!.valid);
});
