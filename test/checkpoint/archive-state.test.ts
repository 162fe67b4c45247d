import test from 'ava';
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveState } from '../../src/checkpoint/archive-state.js';
import { CheckpointError } from '../../src/errors.js';
import { tempDir } from './fixtures.js';

const CRIU = new URL('../../../test/checkpoint/criu-adopt/', import.meta.url).pathname;
const SHA_HELLO = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // "hello\n"

/** An archive as podman exports one: CRIU's images, the tmpfs /tmp (device 44) as CRIU packs it, /dev/shm as podman does. */
async function exported(t: import('ava').ExecutionContext, compress: 'zstd' | 'gzip' | 'none', big = 0): Promise<string> {
  const dir = await tempDir(t);
  const src = await mkdtemp(join(tmpdir(), 'berth-state-'));
  t.teardown(() => rm(src, { recursive: true, force: true }));
  await mkdir(join(src, 'checkpoint'));
  for (const f of ['pstree.img', 'core-1.img', 'core-8.img', 'mm-1.img', 'mm-8.img', 'mountpoints-13.img']) await copyFile(join(CRIU, f), join(src, 'checkpoint', f));
  const tmp = join(src, 'tmpfs');
  await mkdir(join(tmp, 'sub'), { recursive: true });
  await writeFile(join(tmp, 'greet'), 'hello\n');
  await writeFile(join(tmp, 'sub', 'big'), Buffer.alloc(big, 7));
  await execa('ln', ['-s', '/etc/passwd', join(tmp, 'link')]);
  await utimes(join(tmp, 'greet'), 1_700_000_000, 1_700_000_000);
  await execa('tar', ['-c', '--gzip', '-f', join(src, 'checkpoint', 'tmpfs-dev-44.tar.gz.img'), '-C', tmp, '.']);
  const shm = join(src, 'shm');
  await mkdir(shm);
  await writeFile(join(shm, 'segment'), 'hello\n');
  await execa('tar', ['-c', '-f', join(src, 'devshm-checkpoint.tar'), '-C', shm, '.']);
  await writeFile(join(src, 'config.dump'), '{}');
  const flag = { zstd: ['--zstd'], gzip: ['--gzip'], none: [] }[compress];
  const path = join(dir, `a-${compress}.tar`);
  await execa('tar', ['-c', ...flag, '-f', path, '-C', src, 'config.dump', 'devshm-checkpoint.tar', 'checkpoint']);
  return path;
}

test("an archive's processes with their memory mappings, and each tmpfs's files with their sha256, are read in one pass", async (t) => {
  for (const compress of ['zstd', 'gzip', 'none'] as const) {
    const state = await archiveState(await exported(t, compress), compress);
    t.deepEqual(state.processes.map((p) => [p.pid, p.comm, p.vmas.length]), [[1, 'sh', 11], [8, 'sleep', 11]], compress);
    t.deepEqual(state.processes[0]!.vmas[0], { start: 0x400000, end: 0x401000, prot: 1, flags: 2, status: 0x41 });
    t.deepEqual([...state.tmpfs.keys()].sort(), ['/dev/shm', '/tmp'], compress);
    const tmp = new Map(state.tmpfs.get('/tmp')!.map((f) => [f.path, f]));
    t.deepEqual(tmp.get('greet'), { path: 'greet', type: 'file', size: 6, mtime: 1_700_000_000, sha256: SHA_HELLO });
    t.is(tmp.get('')?.type, 'folder');
    t.is(tmp.get('sub')?.type, 'folder');
    t.is(tmp.get('link')?.type, 'link');
    t.is(tmp.get('sub/big')?.size, 0);
    t.is(state.tmpfs.get('/dev/shm')!.find((f) => f.path === 'segment')?.sha256, SHA_HELLO);
  }
});

test('a tmpfs far bigger than the reader keeps in memory is hashed as it streams by', async (t) => {
  const state = await archiveState(await exported(t, 'zstd', 64 << 20), 'zstd');
  const big = state.tmpfs.get('/tmp')!.find((f) => f.path === 'sub/big')!;
  t.is(big.size, 64 << 20);
  const { stdout } = await execa('sh', ['-c', `head -c ${64 << 20} /dev/zero | tr '\\0' '\\7' | sha256sum`]);
  t.is(big.sha256, stdout.split(' ')[0]);
});

test('an archive without a process tree is refused clearly', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a.tar.zst');
  await writeFile(join(dir, 'config.dump'), '{}');
  await execa('tar', ['-c', '--zstd', '-f', path, '-C', dir, 'config.dump']);
  await t.throwsAsync(archiveState(path, 'zstd'), { instanceOf: CheckpointError, message: /holds no checkpoint\/pstree\.img/ });
});
