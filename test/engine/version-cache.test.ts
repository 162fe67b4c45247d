import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedVersion, lookupVersion, rememberVersion, versionCacheDir } from '../../src/engine/version-cache.js';

/** A folder holding a stand-in podman binary and a runtime folder for the cache. */
function scene() {
  const root = mkdtempSync(join(tmpdir(), 'berth-vcache-'));
  const podman = join(root, 'podman');
  writeFileSync(podman, '#!/bin/sh\necho "podman version 4.3.1"\n');
  chmodSync(podman, 0o755);
  return { root, podman, cache: join(root, 'run') };
}

test('a remembered version is found again while the binary stays the same', (t) => {
  const { podman, cache } = scene();
  const first = lookupVersion(cache, podman);
  t.is(first.version, undefined);
  rememberVersion(cache, podman, first.key, '4.3.1');
  t.is(lookupVersion(cache, podman).version, '4.3.1');
  t.deepEqual(readdirSync(cache), ['podman-version'], 'no temporary file is left');
});

test('a binary rewritten in place, or another podman path, is a miss', (t) => {
  const { root, podman, cache } = scene();
  rememberVersion(cache, podman, lookupVersion(cache, podman).key, '4.3.1');
  writeFileSync(podman, '#!/bin/sh\necho "podman version 4.4.0"\n');
  t.is(lookupVersion(cache, podman).version, undefined);
  const other = join(root, 'podman2');
  writeFileSync(other, readFileSync(podman));
  t.is(lookupVersion(cache, other).version, undefined);
});

test('nothing is remembered when the binary changed while it was asked', (t) => {
  const { podman, cache } = scene();
  const { key } = lookupVersion(cache, podman);
  writeFileSync(podman, '#!/bin/sh\necho "podman version 5.0.0"\n');
  rememberVersion(cache, podman, key, '4.3.1');
  t.is(lookupVersion(cache, podman).version, undefined);
});

test('a cache in a folder others can write to, or behind a symlink, is not trusted', (t) => {
  const { root, podman, cache } = scene();
  const { key } = lookupVersion(cache, podman);
  rememberVersion(cache, podman, key, '4.3.1');
  chmodSync(cache, 0o777);
  t.is(lookupVersion(cache, podman).version, undefined);
  rememberVersion(cache, podman, key, '9.9.9');
  chmodSync(cache, 0o755);
  t.is(lookupVersion(cache, podman).version, '4.3.1', 'nothing was written into the open folder');

  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'podman-version'), readFileSync(join(cache, 'podman-version')));
  const linked = join(root, 'linked');
  mkdirSync(linked);
  symlinkSync(join(elsewhere, 'podman-version'), join(linked, 'podman-version'));
  t.is(lookupVersion(linked, podman).version, undefined);
  t.is(lookupVersion(join(root, 'link-to-folder'), podman).version, undefined);
  symlinkSync(elsewhere, join(root, 'link-to-folder'));
  t.is(lookupVersion(join(root, 'link-to-folder'), podman).version, undefined);
});

test('a cache that cannot be written, or holds garbage, is no error', (t) => {
  const { root, podman, cache } = scene();
  writeFileSync(join(root, 'file'), '');
  t.notThrows(() => rememberVersion(join(root, 'file', 'run'), podman, lookupVersion(cache, podman).key, '4.3.1'));
  mkdirSync(cache);
  writeFileSync(join(cache, 'podman-version'), '{"program": 3');
  t.is(lookupVersion(cache, podman).version, undefined);
  t.is(lookupVersion(cache, join(root, 'missing')).key, undefined);
});

test('the cache lives in the scope\'s runtime folder', (t) => {
  t.is(versionCacheDir(false, {}), '/run/berth');
  t.is(versionCacheDir(true, { XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/berth');
  t.is(versionCacheDir(true, {}), undefined);
  t.is(versionCacheDir(true, { BERTH_RUNTIME_DIR: '/tmp/x', XDG_RUNTIME_DIR: '/run/user/1000' }), '/tmp/x');
});

test('each program has its own entry, and a name is found on PATH before it is asked', async (t) => {
  const { root, podman, cache } = scene();
  const criu = join(root, 'criu');
  writeFileSync(criu, '#!/bin/sh\n');
  chmodSync(criu, 0o755);
  const asked: string[] = [];
  const ask = (version: string) => async (path: string) => {
    asked.push(path);
    return version;
  };
  const env = { PATH: `relative:${root}` };
  t.is(await cachedVersion(cache, podman, ask('4.3.1'), env), '4.3.1');
  t.is(await cachedVersion(cache, 'criu', ask('4.2'), env), '4.2');
  t.is(await cachedVersion(cache, podman, ask('wrong'), env), '4.3.1');
  t.is(await cachedVersion(cache, 'criu', ask('wrong'), env), '4.2');
  t.deepEqual(asked, [podman, criu]);
  t.deepEqual(readdirSync(cache).sort(), ['criu-version', 'podman-version']);
});

test('an empty answer is not remembered', async (t) => {
  const { podman, cache } = scene();
  t.is(await cachedVersion(cache, podman, async () => ''), '');
  t.is(lookupVersion(cache, podman).version, undefined);
});
