import test from 'ava';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, link, mkdir, open, readdir, readFile, rm, rmdir, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Compression } from '../../src/compile/checkpoint-settings.js';
import { RECORD_FILE } from '../../src/checkpoint/record.js';
import { CheckpointStore, type ArchiveInfo } from '../../src/checkpoint/store.js';
import { CheckpointError } from '../../src/errors.js';
import { at, commitOne, CONFIG_DUMP, fields, sha256, snapshot, tempDir, writeExport } from './fixtures.js';

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

/** A pid that is certainly not running: a child that has exited (and been reaped). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

for (const compress of ['zstd', 'gzip', 'none'] as const) {
  test(`a ${compress} commit produces a valid archive and manifest, readable by the owner only`, async (t) => {
    const store = new CheckpointStore(join(await tempDir(t), 'checkpoints'), 'web');
    const pending = await store.prepare(compress, at(1, 5));
    const ext = { zstd: '.tar.zst', gzip: '.tar.gz', none: '.tar' }[compress];
    t.is(pending.finalPath, join(store.dir, `web-20250301T100000005Z${ext}`));
    t.is(pending.tempDir, join(store.dir, `.web-20250301T100000005Z${ext}.tmp-${process.pid}`));
    t.is(pending.tmpPath, join(pending.tempDir, `web-20250301T100000005Z${ext}`));
    t.is(await mode(pending.tempDir), 0o700, 'the export goes into a folder that is already private');
    await t.throwsAsync(stat(pending.tmpPath), { code: 'ENOENT' }, 'the engine creates the export file itself');
    await writeExport(pending.tmpPath, compress);

    const info = await pending.commit(fields());
    t.true(info.valid);
    t.is(info.path, pending.finalPath);
    t.is(info.manifestPath, `${pending.finalPath}.json`);
    t.is(await mode(store.dir), 0o700);
    t.is(await mode(info.path), 0o600);
    t.is(await mode(info.manifestPath), 0o600);
    t.deepEqual(await readdir(store.dir), [`web-20250301T100000005Z${ext}`, `web-20250301T100000005Z${ext}.json`].sort());

    const manifest = JSON.parse(await readFile(info.manifestPath, 'utf8'));
    t.like(manifest, {
      format: 1,
      name: 'web',
      unit: 'web.service',
      compress,
      createdAt: '2025-03-01T10:00:00.005Z',
      size: (await stat(info.path)).size,
      sha256: await sha256(info.path),
      runHash: 'a'.repeat(64),
      stats: { podman_checkpoint_duration: 1000 },
    });
    const [listed] = await store.list({ verify: true });
    t.like(listed, { path: info.path, valid: true, size: manifest.size });
    t.deepEqual(listed!.createdAt, at(1, 5));
    t.is((await store.latestValid())?.path, info.path);
    t.is(await store.estimateNeed(), manifest.size);
  });
}

test('an existing folder with loose permissions is tightened to 0700', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  await mkdir(store.dir, { mode: 0o755 });
  await (await store.prepare('zstd', at(1))).abort();
  t.is(await mode(store.dir), 0o700);
});

test('list flags a corrupted archive as invalid with a reason, and latestValid skips it', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const older = await commitOne(store, at(1));
  const newer = await commitOne(store, at(2));
  const handle = await open(newer.path, 'r+');
  const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, 700);
  await handle.write(Buffer.from([buffer[0]! ^ 0xff]), 0, 1, 700);
  await handle.close();

  const [first, second] = await store.list({ verify: true });
  t.is(first!.path, newer.path);
  t.false(first!.valid);
  t.regex(first!.problem!, /sha256 does not match/);
  t.true(second!.valid);
  t.is((await store.latestValid())?.path, older.path);
  // Valid means the same without verify: the file changed since its sha256 was found right, so it is read again.
  t.regex((await store.list())[0]!.problem!, /sha256 does not match/);
  await appendFile(newer.path, 'x');
  t.regex((await store.list())[0]!.problem!, /has \d+ bytes, its manifest records \d+/);
});

test('an archive without manifest, a stray manifest, a bad manifest or a temp file is never listed as valid', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const a = await commitOne(store, at(1));
  const b = await commitOne(store, at(2));
  const c = await commitOne(store, at(3));
  const d = await commitOne(store, at(4));
  await unlink(a.manifestPath);
  await unlink(b.path);
  await writeFile(c.manifestPath, '{"format": 1, "name": "web"');
  await writeFile(d.manifestPath, JSON.stringify({ ...JSON.parse(await readFile(d.manifestPath, 'utf8')), compress: 'gzip' }));
  // A complete export under a temporary name, as a commit killed before its renames leaves it.
  const pending = await store.prepare('zstd', at(5));
  await writeExport(pending.tmpPath, 'zstd');

  const list = await store.list({ verify: true });
  t.deepEqual(
    list.map((i) => [i.path, i.valid]),
    [d, c, b, a].map((i) => [i.path, false]),
  );
  t.regex(list[3]!.problem!, /no manifest/);
  t.regex(list[2]!.problem!, /archive file is missing/);
  t.regex(list[1]!.problem!, /not JSON/);
  t.regex(list[0]!.problem!, /manifest says gzip/);
  t.is(await store.latestValid(), undefined);
  t.is(await store.estimateNeed(), 0);
});

test('every state a commit can be interrupted in is invalid, up to the manifest taking its name', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const pending = await store.prepare('zstd', at(1));
  await writeExport(pending.tmpPath, 'zstd');
  const manifestTmp = join(store.dir, `.web-20250301T100000000Z.tar.zst.tmp-${process.pid}`, 'web-20250301T100000000Z.tar.zst.json');
  const info = await pending.commit(fields());
  const manifestText = await readFile(info.manifestPath);
  const archiveBytes = await readFile(info.path);
  await rm(info.path);
  await rm(info.manifestPath);

  const states: Array<() => Promise<void>> = [
    () => mkdir(pending.tempDir).then(() => writeFile(pending.tmpPath, archiveBytes)), // exported, read, fsynced
    () => writeFile(manifestTmp, manifestText), // manifest written to its temp name
    () => link(pending.tmpPath, info.path), // archive linked to its final name
    () => unlink(pending.tmpPath), // archive's temp name removed
    () => link(manifestTmp, info.manifestPath).then(() => unlink(manifestTmp)), // manifest in place: committed
    () => rmdir(pending.tempDir), // the private folder removed
  ];
  const validity: boolean[] = [];
  for (const step of states) {
    await step();
    validity.push((await store.list({ verify: true })).some((i) => i.valid));
  }
  t.deepEqual(validity, [false, false, false, false, true, true]);
});

test('prune keeps exactly the newest N valid archives', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const infos: ArchiveInfo[] = [];
  for (let day = 1; day <= 5; day++) infos.push(await commitOne(store, at(day)));
  const removed = await store.prune(3);
  t.deepEqual(removed.sort(), [infos[0]!, infos[1]!].flatMap((i) => [i.path, i.manifestPath]).sort());
  const left = await store.list({ verify: true });
  t.deepEqual(left.map((i) => i.path), [infos[4]!, infos[3]!, infos[2]!].map((i) => i.path));
  t.true(left.every((i) => i.valid));
  t.deepEqual(await store.prune(3), []);
});

test('prune respects maxTotalSize without ever deleting the newest valid archive', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const infos: ArchiveInfo[] = [];
  for (let day = 1; day <= 4; day++) infos.push(await commitOne(store, at(day), 'none', { payload: 50_000 }));
  const size = infos[3]!.size;
  t.true(infos.every((i) => i.size === size));

  await store.prune(10, Math.floor(size * 2.5));
  t.deepEqual((await store.list()).map((i) => i.path), [infos[3]!.path, infos[2]!.path]);

  await store.prune(10, 1);
  t.deepEqual((await store.list()).map((i) => i.path), [infos[3]!.path], 'the newest stays even when alone it is too big');
});

test('prune removes recorded archives gone bad and unrecorded leftovers older than the newest valid archive, never newer ones', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const old = await commitOne(store, at(1));
  const broken = await commitOne(store, at(2));
  const valid = await commitOne(store, at(3));
  // A newer archive whose commit has not placed its manifest (nor recorded it) yet.
  const inFlight = { path: join(store.dir, 'web-20250304T100000000Z.tar.zst') };
  await copyFile(valid.path, inFlight.path);
  await unlink(old.manifestPath);
  await writeFile(broken.manifestPath, 'garbage');

  const removed = await store.prune(5);
  t.deepEqual(removed.sort(), [old.path, broken.manifestPath, broken.path].sort());
  t.deepEqual((await readdir(store.dir)).sort(), [RECORD_FILE, ...[valid.path, valid.manifestPath, inFlight.path].map((p) => p.slice(store.dir.length + 1))].sort());
});

test('prune keeps every invalid archive while there is no valid one', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const a = await commitOne(store, at(1));
  await unlink(a.manifestPath);
  t.deepEqual(await store.prune(1), []);
  t.deepEqual((await readdir(store.dir)).sort(), [RECORD_FILE, a.path.slice(store.dir.length + 1)].sort());
});

test('prune removes temporary folders (and files) of dead or reused pids, not those of a live process', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  await commitOne(store, at(1));
  const dead = deadPid();
  const folders = {
    dead: join(store.dir, `.web-20250302T100000000Z.tar.zst.tmp-${dead}`),
    live: join(store.dir, `.web-20250303T100000000Z.tar.zst.tmp-${process.pid}`),
  };
  const files = {
    // What berth wrote before archives had private folders.
    deadManifest: join(store.dir, `.web-20250302T100000000Z.tar.zst.json.tmp-${dead}`),
    // pid 1 runs, but it started long after this file was last written: the pid was reused.
    reused: join(store.dir, `.web-20250304T100000000Z.tar.tmp-1`),
    foreign: join(store.dir, `.other-20250304T100000000Z.tar.tmp-${dead}`),
  };
  for (const path of Object.values(folders)) {
    await mkdir(path);
    await writeFile(join(path, 'web-20250302T100000000Z.tar.zst'), 'partial');
  }
  for (const path of Object.values(files)) await writeFile(path, 'partial');
  await utimes(files.reused, new Date('2000-01-01'), new Date('2000-01-01'));

  const removed = await store.prune(5);
  t.deepEqual(removed.sort(), [folders.dead, files.deadManifest, files.reused].sort());
  t.true((await readdir(store.dir)).includes(folders.live.slice(store.dir.length + 1)));
  t.deepEqual(await readdir(folders.live), ['web-20250302T100000000Z.tar.zst']);
  t.true((await readdir(store.dir)).includes(files.foreign.slice(store.dir.length + 1)), "files not named like this container's are not berth's");
});

const badExports: Array<[string, Compression, (path: string) => Promise<void>, RegExp]> = [
  ['no file (the engine wrote none)', 'zstd', async () => undefined, /was not written: the engine exported nothing/],
  ['an empty file', 'zstd', (p) => writeFile(p, ''), /is empty/],
  ['random bytes', 'none', (p) => writeFile(p, randomBytes(100_000)), /not a complete tar archive/],
  ['random bytes said to be zstd', 'zstd', (p) => writeFile(p, randomBytes(100_000)), /not a complete zstd-compressed tar archive/],
  ['a truncated zstd archive', 'zstd', async (p) => {
    await writeExport(p, 'zstd', { payload: 200_000 });
    await truncate(p, (await stat(p)).size - 1000);
  }, /not a complete zstd/],
  ['a truncated gzip archive', 'gzip', async (p) => {
    await writeExport(p, 'gzip', { payload: 200_000 });
    await truncate(p, (await stat(p)).size - 8);
  }, /not a complete gzip/],
  ['a tar cut inside a member', 'none', async (p) => {
    await writeExport(p, 'none', { payload: 200_000 });
    await truncate(p, 100_000);
  }, /not a complete tar/],
  ['a tar cut at a member boundary (which tar -t alone accepts)', 'none', async (p) => {
    await writeExport(p, 'none', { omit: ['checkpoint'] });
    await truncate(p, 2048); // two members of one header and one data block each, no end-of-archive blocks
  }, /ends before the end-of-archive marker/],
  ['a zstd archive committed as none', 'none', (p) => writeExport(p, 'zstd'), /not a complete tar archive/],
  ['a gzip archive committed as zstd', 'zstd', (p) => writeExport(p, 'gzip'), /not a complete zstd/],
  ['a tar without spec.dump', 'zstd', (p) => writeExport(p, 'zstd', { omit: ['spec.dump'] }), /lacks spec\.dump/],
  ['zstd data that is no tar archive', 'zstd', async (p) => {
    await execa('zstd', ['-q', '-o', p], { input: randomBytes(100_000) });
  }, /not a complete zstd-compressed tar archive: block 0 is not a tar header/],
  ['random bytes said to be gzip', 'gzip', (p) => writeFile(p, randomBytes(100_000)), /not a complete gzip-compressed tar archive: it does not start like gzip data/],
];

for (const [what, compress, make, message] of badExports) {
  test(`a commit of ${what} fails verification, leaves no file behind and older archives untouched`, async (t) => {
    const store = new CheckpointStore(await tempDir(t), 'web');
    await commitOne(store, at(1));
    const before = await snapshot(store.dir);
    const pending = await store.prepare(compress, at(2));
    await make(pending.tmpPath);
    const error = await t.throwsAsync(pending.commit(fields()), { instanceOf: CheckpointError, message });
    t.is(error?.code, 'verify');
    t.deepEqual(await snapshot(store.dir), before);
    t.true((await store.list({ verify: true }))[0]!.valid);
    await pending.abort(); // still safe
  });
}

test('a zstd export whose config.dump and spec.dump come after the memory images is read on until they are found', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const src = await tempDir(t);
  await mkdir(join(src, 'checkpoint'));
  await writeFile(join(src, 'checkpoint', 'pages-1.img'), randomBytes(3 * 1024 * 1024));
  await writeFile(join(src, 'config.dump'), JSON.stringify(CONFIG_DUMP));
  await writeFile(join(src, 'spec.dump'), '{}');
  const pending = await store.prepare('zstd', at(1));
  await execa('tar', ['-c', '--zstd', '-f', pending.tmpPath, '-C', src, 'checkpoint', 'spec.dump', 'config.dump']);
  t.deepEqual(JSON.parse((await pending.checked()).configDump.toString()), CONFIG_DUMP);
  t.true((await pending.commit(fields())).valid);
});

test('the deep check finds what a commit does not read: damage inside the compressed data under a matching sha256', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const older = await commitOne(store, at(1));
  const newer = await commitOne(store, at(2), 'zstd', { payload: 300_000 });
  // A byte in the middle of the compressed memory image changed, and the manifest made to agree.
  const handle = await open(newer.path, 'r+');
  const middle = Math.floor(newer.size / 2);
  const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, middle);
  await handle.write(Buffer.from([buffer[0]! ^ 0xff]), 0, 1, middle);
  await handle.close();
  const forged = await sha256(newer.path);
  await writeFile(newer.manifestPath, JSON.stringify({ ...JSON.parse(await readFile(newer.manifestPath, 'utf8')), sha256: forged }));
  const recordPath = join(store.dir, RECORD_FILE);
  const record = JSON.parse(await readFile(recordPath, 'utf8')) as { archives: { archive: string; sha256: string }[] };
  for (const e of record.archives) if (join(store.dir, e.archive) === newer.path) e.sha256 = forged;
  await writeFile(recordPath, JSON.stringify(record));

  t.true((await store.list({ verify: true }))[0]!.valid, 'its sha256 matches');
  const [deep] = await store.list({ deep: true });
  t.false(deep!.valid);
  t.regex(deep!.problem!, new RegExp(`^${newer.path.replaceAll('.', '\\.')} is not a complete zstd-compressed tar archive: `));
  t.is((await store.latestValid())?.path, older.path, 'a restore takes the older archive');
  t.like(await store.find(newer.path), { valid: false, problem: deep!.problem });
  t.like(await store.find(older.path), { valid: true });
  t.is(await store.find(join(store.dir, 'web-20250301T100000000Z.tar.gz')), undefined);
});

test('the tar of a commit that passes verification really is complete', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const info = await commitOne(store, at(1), 'zstd', { payload: 300_000 });
  const { stdout } = await execa('tar', ['-t', '--zstd', '-f', info.path]);
  t.deepEqual(stdout.split('\n').sort(), ['checkpoint/', 'checkpoint/inventory.img', 'checkpoint/pages-1.img', 'config.dump', 'spec.dump']);
});

test('abort removes the private folder, and the container folder it made, is safe twice, and is a no-op after commit; commit after abort is refused', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const aborted = await store.prepare('zstd', at(1));
  await writeExport(aborted.tmpPath, 'zstd');
  await aborted.abort();
  await aborted.abort();
  await t.throwsAsync(stat(store.dir), { code: 'ENOENT' }, 'the first archive of a container made its folder: an abort leaves none');
  await t.throwsAsync(aborted.commit(fields()), { instanceOf: CheckpointError, message: /already aborted/ });

  const info = await commitOne(store, at(2));
  const again = await store.prepare('zstd', at(4));
  await again.abort();
  t.deepEqual((await readdir(store.dir)).sort(), [RECORD_FILE, ...[info.path, info.manifestPath].map((p) => p.slice(store.dir.length + 1))].sort(), 'a folder that holds archives stays');

  const committed = await store.prepare('zstd', at(3));
  await writeExport(committed.tmpPath, 'zstd');
  const [, second] = await Promise.all([store.commit(committed, fields()), committed.abort()]);
  t.is(second, undefined);
  await committed.abort();
  t.deepEqual((await store.list({ verify: true })).map((i) => [i.path, i.valid]), [[committed.finalPath, true], [info.path, true]]);
});

test('prepare refuses a time whose archive exists, and commit never replaces an existing file', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const info = await commitOne(store, at(1));
  const error = await t.throwsAsync(store.prepare('zstd', at(1)), { instanceOf: CheckpointError });
  t.is(error?.code, 'exists');

  // Another writer (ignoring the lock) takes the name between prepare and commit.
  const before = await sha256(info.path);
  const pending = await store.prepare('zstd', at(2));
  await writeExport(pending.tmpPath, 'zstd');
  await copyFile(info.path, pending.finalPath);
  const clash = await t.throwsAsync(pending.commit(fields()), { instanceOf: CheckpointError, message: /already exists/ });
  t.is(clash?.code, 'exists');
  t.is(await sha256(pending.finalPath), before, 'the file that was there is intact');
  t.false((await readdir(store.dir)).some((n) => n.includes('.tmp-')));
});

test('names that cannot be a folder, and bad prune arguments, are refused', async (t) => {
  for (const name of ['', '.', '..', '.hidden', 'a/b']) {
    t.throws(() => new CheckpointStore('/tmp', name), { instanceOf: CheckpointError }, name);
  }
  const store = new CheckpointStore(await tempDir(t), 'web');
  await t.throwsAsync(store.prune(0), { instanceOf: CheckpointError });
  await t.throwsAsync(store.prune(1.5), { instanceOf: CheckpointError });
});

test('list of a container without a folder is empty, and freeBytes falls back to the nearest parent', async (t) => {
  const store = new CheckpointStore(join(await tempDir(t), 'not', 'yet'), 'web');
  t.deepEqual(await store.list(), []);
  t.deepEqual(await store.prune(1), []);
  t.true((await store.freeBytes()) > 0);
});

/** Copies an archive and its manifest under another time's name, as someone planting one would. */
async function plant(store: CheckpointStore, from: ArchiveInfo, when: Date): Promise<string> {
  const name = `web-${when.toISOString().replace(/[-:.]/g, '')}.tar.zst`;
  const path = join(store.dir, name);
  await copyFile(from.path, path);
  const manifest = JSON.parse(await readFile(from.manifestPath, 'utf8'));
  await writeFile(`${path}.json`, JSON.stringify({ ...manifest, createdAt: when.toISOString() }), { mode: 0o600 });
  return path;
}

test("an archive berth's record does not hold is never valid, however new its name, and prune removes it once older than a valid one", async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const mine = await commitOne(store, at(1));
  const planted = await plant(store, mine, at(9));
  const [first, second] = await store.list();
  t.is(first!.path, mine.path, "berth's order comes first");
  t.true(first!.valid);
  t.is(second!.path, planted);
  t.false(second!.valid);
  t.regex(second!.problem!, /berth's record of this folder does not hold it/);
  t.is((await store.latestValid())?.path, mine.path);
  t.deepEqual(await store.prune(1), [], 'newer than the newest valid archive: it may be a commit under way');
  const later = await commitOne(store, at(10));
  t.deepEqual((await store.prune(5)).sort(), [planted, `${planted}.json`].sort());
  t.deepEqual((await store.list()).map((a) => a.path), [later.path, mine.path]);
});

test("archives are ordered by berth's record, not by their names, and one dated in the future is ignored", async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const later = await commitOne(store, at(5));
  const earlierName = await commitOne(store, at(2));
  t.deepEqual((await store.list()).map((a) => a.path), [earlierName.path, later.path]);
  t.is((await store.latestValid())?.path, earlierName.path);

  const future = new Date(Date.now() + 24 * 3600 * 1000);
  const ahead = await commitOne(store, future);
  const [newest] = await store.list();
  t.is(newest!.path, ahead.path);
  t.false(newest!.valid);
  t.regex(newest!.problem!, /in the future/);
  t.is((await store.latestValid())?.path, earlierName.path);
});

test('a damaged archive loses its place to a sound one: retention keeps by the sha256 check', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const older = await commitOne(store, at(1));
  const newer = await commitOne(store, at(2));
  const handle = await open(newer.path, 'r+');
  await handle.write(Buffer.from([0x55]), 0, 1, 700);
  await handle.close();
  // Keep=1 keeps the newest VALID archive: the older, sound one; the damaged one goes.
  t.deepEqual((await store.prune(1)).sort(), [newer.manifestPath, newer.path].sort());
  t.true((await store.list())[0]!.valid);
  t.is((await store.list())[0]!.path, older.path);
});

test('archives from before the record are adopted when sound, in the order of their names', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const a = await commitOne(store, at(1));
  const b = await commitOne(store, at(2));
  await rm(join(store.dir, RECORD_FILE));
  t.deepEqual((await store.list()).map((x) => [x.path, x.valid]), [[b.path, true], [a.path, true]]);
  t.deepEqual(await store.prune(5), []);
  const record = JSON.parse(await readFile(join(store.dir, RECORD_FILE), 'utf8')) as { archives: { archive: string; seq: number }[] };
  t.deepEqual(record.archives.map((e) => [join(store.dir, e.archive), e.seq]), [[b.path, 2], [a.path, 1]]);
});

test("a folder or archive that is someone else's is refused, never taken over", async (t) => {
  if (process.geteuid?.() !== 0) return t.pass('needs root to give files away');
  const { chown } = await import('node:fs/promises');
  const store = new CheckpointStore(await tempDir(t), 'web');
  const mine = await commitOne(store, at(1));
  await chown(mine.path, 65534, 65534);
  const [info] = await store.list();
  t.false(info!.valid);
  t.regex(info!.problem!, /the archive belongs to uid 65534, not root/);
  await chown(mine.path, 0, 0);

  await chown(store.dir, 65534, 65534);
  await t.throwsAsync(store.list(), { instanceOf: CheckpointError, message: /belongs to uid 65534, not root; berth does not keep or restore checkpoints there/ });
  await t.throwsAsync(store.prepare('zstd', at(2)), { message: /belongs to uid 65534/ });
  t.is((await stat(store.dir)).uid, 65534, 'not chowned');
});

test('a commit with a retention records the new archive and drops the oldest in one go, record first', async (t) => {
  const store = new CheckpointStore(await tempDir(t), 'web');
  const first = await commitOne(store, at(1));
  const second = await commitOne(store, at(2));
  const pending = await store.prepare('zstd', at(3));
  await writeExport(pending.tmpPath, 'zstd');
  const { archive, removed } = await store.commit(pending, fields(), { keep: 2 });
  t.deepEqual(removed.sort(), [first.path, first.manifestPath].sort());
  const record = JSON.parse(await readFile(join(store.dir, RECORD_FILE), 'utf8')) as { archives: { archive: string }[] };
  t.deepEqual(record.archives.map((e) => join(store.dir, e.archive)), [archive.path, second.path]);
  t.deepEqual((await store.list()).map((a) => [a.path, a.valid]), [[archive.path, true], [second.path, true]]);
});

test('removeAll removes every archive, manifest and the record, then the folder; a file that is not berth\'s keeps the folder', async (t) => {
  const directory = join(await tempDir(t), 'checkpoints');
  const store = new CheckpointStore(directory, 'web');
  const a = await commitOne(store, at(1, 5));
  const b = await commitOne(store, at(2, 5), 'gzip');
  await writeFile(join(store.dir, 'notes.txt'), 'mine');
  const removed = await store.removeAll();
  t.deepEqual(removed.sort(), [a.manifestPath, a.path, b.manifestPath, b.path, join(store.dir, RECORD_FILE)].sort());
  t.deepEqual(await readdir(store.dir), ['notes.txt']);
  await unlink(join(store.dir, 'notes.txt'));
  await commitOne(store, at(3, 5));
  t.true((await store.removeAll()).includes(store.dir));
  await t.throwsAsync(stat(store.dir), { code: 'ENOENT' });
  t.deepEqual(await store.removeAll(), []);
});
