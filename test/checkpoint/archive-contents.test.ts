import test from 'ava';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { archiveContents } from '../../src/checkpoint/archive-contents.js';
import { CheckpointError } from '../../src/errors.js';
import { tempDir } from './fixtures.js';

const CRIU = new URL('../../../test/checkpoint/criu/', import.meta.url).pathname;

test("an archive's processes, with their command names, and its bytes of memory pages are read in one pass, for every compression", async (t) => {
  const dir = await tempDir(t);
  const src = await mkdtemp(join(tmpdir(), 'berth-contents-'));
  t.teardown(() => rm(src, { recursive: true, force: true }));
  await mkdir(join(src, 'checkpoint'));
  for (const f of ['pstree.img', 'core-1.img', 'core-7.img']) await copyFile(join(CRIU, f), join(src, 'checkpoint', f));
  await writeFile(join(src, 'checkpoint', 'pages-1.img'), Buffer.alloc(8192));
  await writeFile(join(src, 'checkpoint', 'pages-2.img'), Buffer.alloc(4096));
  await writeFile(join(src, 'config.dump'), '{}');
  for (const [compress, flag] of [['zstd', '--zstd'], ['gzip', '--gzip'], ['none', '']] as const) {
    const path = join(dir, `a-${compress}.tar`);
    await execa('tar', ['-c', ...(flag ? [flag] : []), '-f', path, '-C', src, 'config.dump', 'checkpoint']);
    const contents = await archiveContents(path, compress);
    t.is(contents.memoryBytes, 12288, compress);
    t.deepEqual(contents.processes.map((p) => [p.pid, p.ppid, p.comm]), [[1, 0, 'sh'], [6, 1, '?'], [10, 6, '?'], [7, 1, 'httpd']], compress);
  }
});

test('an archive without a process tree, or that is not what its compression says, is refused clearly', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a.tar.zst');
  await writeFile(join(dir, 'config.dump'), '{}');
  await execa('tar', ['-c', '--zstd', '-f', path, '-C', dir, 'config.dump']);
  await t.throwsAsync(archiveContents(path, 'zstd'), { instanceOf: CheckpointError, message: /holds no checkpoint\/pstree\.img/ });
  await t.throwsAsync(archiveContents(path, 'gzip'), { instanceOf: CheckpointError, message: /cannot be read as a checkpoint archive/ });
});
