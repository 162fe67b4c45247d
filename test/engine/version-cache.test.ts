import test, { type ExecutionContext } from 'ava';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VersionCache } from '../../src/engine/version-cache.js';

async function folder(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-versions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An executable file standing for a program, and a counter of how often its version was asked. */
async function program(dir: string, name: string): Promise<{ path: string; ask: () => Promise<string>; asked: () => number }> {
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
  let asked = 0;
  return { path, ask: async () => `1.${++asked}`, asked: () => asked };
}

test('a version is asked once, then read from the file, also by another process', async (t) => {
  const dir = await folder(t);
  const podman = await program(dir, 'podman');
  const file = join(dir, 'run', 'berth', 'versions.json');
  t.is(await new VersionCache(file).get(podman.path, podman.ask), '1.1');
  t.is(await new VersionCache(file).get(podman.path, podman.ask), '1.1');
  t.is(podman.asked(), 1);
  t.like(JSON.parse(await readFile(file, 'utf8')), { [podman.path]: { version: '1.1' } });
});

test('a program file that changed (an upgrade) is asked again', async (t) => {
  const dir = await folder(t);
  const podman = await program(dir, 'podman');
  const file = join(dir, 'versions.json');
  await new VersionCache(file).get(podman.path, podman.ask);
  await utimes(podman.path, new Date(), new Date(Date.now() + 5000));
  t.is(await new VersionCache(file).get(podman.path, podman.ask), '1.2');
  await writeFile(podman.path, '#!/bin/sh\n# a bigger one\n');
  t.is(await new VersionCache(file).get(podman.path, podman.ask), '1.3');
  t.is(await new VersionCache(file).get(podman.path, podman.ask), '1.3');
});

test('two programs asked at once are both remembered', async (t) => {
  const dir = await folder(t);
  const [podman, criu] = await Promise.all([program(dir, 'podman'), program(dir, 'criu')]);
  const file = join(dir, 'versions.json');
  const cache = new VersionCache(file, { PATH: `/nonexistent:${dir}` });
  t.deepEqual(await Promise.all([cache.get(podman.path, podman.ask), cache.get('criu', criu.ask)]), ['1.1', '1.1']);
  t.deepEqual(Object.keys(JSON.parse(await readFile(file, 'utf8'))).sort(), [criu.path, podman.path].sort());
});

test('a damaged cache file is read as empty, and an unwritable one fails nothing', async (t) => {
  const dir = await folder(t);
  const podman = await program(dir, 'podman');
  const file = join(dir, 'versions.json');
  await writeFile(file, '{"cut');
  t.is(await new VersionCache(file).get(podman.path, podman.ask), '1.1');
  t.like(JSON.parse(await readFile(file, 'utf8')), { [podman.path]: { version: '1.1' } });

  await writeFile(join(dir, 'a-file'), '');
  t.is(await new VersionCache(join(dir, 'a-file', 'versions.json')).get(podman.path, podman.ask), '1.2');
});

test('a program that is not there, or whose version cannot be told, is an error and is not remembered', async (t) => {
  const dir = await folder(t);
  const file = join(dir, 'versions.json');
  const cache = new VersionCache(file, { PATH: dir });
  await t.throwsAsync(cache.get('criu', async () => '4.2'), { message: 'criu is not on PATH' });
  await mkdir(join(dir, 'criu'));
  await t.throwsAsync(cache.get('criu', async () => '4.2'), { message: 'criu is not on PATH' }, 'a folder is not a program');
  const podman = await program(dir, 'podman');
  await t.throwsAsync(cache.get(podman.path, async () => Promise.reject(new Error('no answer'))), { message: 'no answer' });
  t.is(await cache.get(podman.path, async () => ''), '');
  t.is(await cache.get(podman.path, podman.ask), '1.1');
});
