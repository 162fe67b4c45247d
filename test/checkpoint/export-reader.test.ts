import test from 'ava';
import { open, readdir, readFile, readlink, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportCheck } from '../../src/checkpoint/export-check.js';
import { ExportReader } from '../../src/checkpoint/export-reader.js';
import { CheckpointError } from '../../src/errors.js';
import { CONFIG_DUMP, sha256, tempDir, writeExport } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes `source` to `target` as podman does, from start to end, in `pieces` writes with pauses between
 * them; `before` runs before the given piece (to disturb the export).
 */
async function engine(source: string, target: string, pieces: number, before?: Record<number, () => Promise<void>>): Promise<void> {
  const data = await readFile(source);
  await sleep(30); // the export file appears only after a while
  const file = await open(target, 'wx');
  try {
    const step = Math.ceil(data.length / pieces);
    for (let i = 0; i < pieces; i++) {
      await before?.[i]?.();
      await file.write(data, i * step, Math.min(step, data.length - i * step), i * step);
      await sleep(3);
    }
  } finally {
    await file.close();
  }
}

const reader = (path: string, run: Promise<unknown>) => new ExportReader(path, () => exportCheck(path, 'zstd'), run, 0o600);

/** How many times this process has `path` open. */
async function opened(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n++;
  return n;
}

test('an export read while the engine writes it gets the size, sha256 and config.dump of the finished file, mode 0600, and an fsync', async (t) => {
  const dir = await tempDir(t);
  const source = join(dir, 'source.tar.zst');
  // More than one flush's worth (32 MiB), so that the export is flushed while it is written too.
  await writeExport(source, 'zstd', { payload: 40 * 1024 * 1024 });
  const target = join(dir, 'export.tar.zst');
  const { durable, configDump, ...read } = await reader(target, engine(source, target, 40)).result;
  t.deepEqual(read, { size: (await stat(source)).size, sha256: await sha256(source) });
  t.deepEqual(JSON.parse(configDump.toString()), CONFIG_DUMP);
  t.is((await stat(target)).mode & 0o777, 0o600);
  await durable;
  t.is(await opened(target), 0, 'closed once fsynced');
});

test('an engine that fails ends the reading, and the file is closed', async (t) => {
  const dir = await tempDir(t);
  const source = join(dir, 'source.tar.zst');
  await writeExport(source, 'zstd', { payload: 1024 * 1024 });
  const target = join(dir, 'export.tar.zst');
  const run = engine(source, target, 10).then(() => Promise.reject(new Error('podman failed')));
  await t.throwsAsync(reader(target, run).result, { message: `reading ${target} stopped: the engine failed` });
  await t.throwsAsync(run);
  t.is(await opened(target), 0);
});

test('stop() ends a reading that waits for the file, or reads it, and closes it', async (t) => {
  const dir = await tempDir(t);
  const never = reader(join(dir, 'never.tar.zst'), new Promise(() => undefined));
  await sleep(50);
  await never.stop();
  await t.throwsAsync(never.result, { message: /was stopped$/ });

  const source = join(dir, 'source.tar.zst');
  await writeExport(source, 'zstd', { payload: 1024 * 1024 });
  const target = join(dir, 'export.tar.zst');
  const run = engine(source, target, 50);
  const reading = reader(target, run);
  await sleep(80);
  t.is(await opened(target), 2, 'the engine writes it, the reader reads it');
  await reading.stop();
  t.is(await opened(target), 1, 'only the engine has it open');
  await run;
});

test('an export replaced under its name while it is read, or never written, is refused', async (t) => {
  const dir = await tempDir(t);
  const source = join(dir, 'source.tar.zst');
  await writeExport(source, 'zstd', { payload: 1024 * 1024 });
  const target = join(dir, 'export.tar.zst');
  // Halfway, the file being written is renamed away, and the rest goes into it: what has the name is another file.
  const run = engine(source, target, 10, { 5: async () => {
    // Once the reader has the file open (on a busy machine it may not have found it yet).
    while ((await opened(target)) === 0) await sleep(5);
    await rename(target, join(dir, 'moved.tar.zst'));
    await writeFile(target, 'another file');
  } });
  const error = await t.throwsAsync(reader(target, run).result, { instanceOf: CheckpointError });
  t.is(error?.code, 'verify');
  t.regex(error!.message, /changed while it was read/);

  const none = join(dir, 'none.tar.zst');
  await t.throwsAsync(reader(none, sleep(20)).result, { instanceOf: CheckpointError, message: `${none} was not written: the engine exported nothing` });
});
