/**
 * An archive made elsewhere (`berth restore NAME --archive FILE`, FILE anywhere on disk): read only when it
 * and its manifest (FILE.json) are regular files root's (or the invoking user's) alone, then copied from
 * the very file that was checked into the container's own folder, hashed and checked as a checkpoint is,
 * read by tar to its end, and committed under berth's record there: from then on it is one of the
 * container's archives, under the store's rules (store.ts). Nothing that fails a check is committed, and no
 * older archive is touched.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CheckpointError } from '../errors.js';
import type { ArchiveInfo } from './archive-info.js';
import { hashFile } from './durable.js';
import { parseManifest, type Manifest } from './manifest.js';
import { ARCHIVE_MODE } from './pending.js';
import { FUTURE_SLACK_MS, type CheckpointStore } from './store.js';
import { distrust } from './trust.js';
import { deepVerify } from './verify.js';

export interface ForeignArchive {
  readonly path: string;
  readonly manifest: Manifest;
  /** The archive as opened and checked: what is copied is what was checked. */
  readonly handle: FileHandle;
  close(): Promise<void>;
}

async function openTrusted(path: string, what: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (x) {
    const code = (x as NodeJS.ErrnoException).code;
    throw new CheckpointError('invalid', code === 'ELOOP' ? `${path} is a symbolic link: name the ${what} itself` : `cannot open ${path} (${code ?? (x as Error).message})`);
  }
  const st = await handle.stat();
  const why = st.isFile() ? distrust(`${path}`, st) : `${path} is not a regular file`;
  if (why) {
    await handle.close();
    throw new CheckpointError('untrusted', `${why}: berth restores only archives it can vouch for`);
  }
  return handle;
}

/** Opens an archive from elsewhere and reads its manifest; refuses files berth cannot trust. */
export async function openForeign(file: string): Promise<ForeignArchive> {
  const path = resolve(file);
  const handle = await openTrusted(path, 'archive');
  try {
    const manifestFile = await openTrusted(`${path}.json`, 'manifest');
    let manifest: Manifest;
    try {
      manifest = parseManifest(await manifestFile.readFile('utf8'));
    } catch (x) {
      throw new CheckpointError('invalid', `${path}.json is not a usable manifest: ${(x as Error).message}`);
    } finally {
      await manifestFile.close();
    }
    const { size } = await handle.stat();
    if (size !== manifest.size) throw new CheckpointError('verify', `${path} has ${size} bytes, its manifest records ${manifest.size}: it is not the archive its manifest describes`);
    if (Date.parse(manifest.createdAt) > Date.now() + FUTURE_SLACK_MS) throw new CheckpointError('invalid', `${path} is dated ${manifest.createdAt}, in the future`);
    return { path, manifest, handle, close: () => handle.close() };
  } catch (x) {
    await handle.close();
    throw x;
  }
}

const COPY_CHUNK = 1 << 20;

/** Copies an open file into a new one. (Streams over file handles that stay open keep close() from ever settling.) */
async function copyInto(from: FileHandle, path: string): Promise<void> {
  const to = await open(path, 'wx', ARCHIVE_MODE);
  try {
    const buf = Buffer.alloc(COPY_CHUNK);
    for (let at = 0; ; ) {
      const { bytesRead } = await from.read(buf, 0, COPY_CHUNK, at);
      if (bytesRead === 0) return;
      await to.write(buf, 0, bytesRead);
      at += bytesRead;
    }
  } finally {
    await to.close();
  }
}

/**
 * Copies a foreign archive into the store, checks it fully, and commits it as the newest of the container's
 * archives; an archive with the same sha256 already there is used as it is. The caller holds the lock.
 */
export async function importArchive(store: CheckpointStore, foreign: ForeignArchive): Promise<ArchiveInfo> {
  const { manifest } = foreign;
  const known = (await store.list()).find((a) => a.valid && a.manifest?.sha256 === manifest.sha256);
  if (known) return known;
  const free = await store.freeBytes();
  if (free < manifest.size) throw new CheckpointError('invalid', `only ${free} bytes free in ${store.dir}, and ${foreign.path} has ${manifest.size}; nothing was copied`);
  const pending = await store.prepare(manifest.compress, new Date(manifest.createdAt));
  try {
    await copyInto(foreign.handle, pending.tmpPath);
    const damaged = new CheckpointError('verify', `the sha256 of ${foreign.path} does not match its manifest: the archive is damaged; nothing was imported`);
    const read = await pending.checked().catch(async (x: unknown) => {
      // A damaged archive usually fails the check too: the sha256 says it more plainly.
      throw x instanceof CheckpointError && (await hashFile(pending.tmpPath)).sha256 !== manifest.sha256 ? damaged : x;
    });
    if (read.sha256 !== manifest.sha256) throw damaged;
    await deepVerify(pending.tmpPath, manifest.compress);
    const { format: _f, size: _s, sha256: _h, compress: _c, createdAt: _t, ...fields } = manifest;
    return (await store.commit(pending, { ...fields, name: store.name, unit: `${store.name}.service`, importedFrom: foreign.path })).archive;
  } catch (x) {
    await pending.abort();
    // Said of the file the user named, not of berth's private copy.
    if (x instanceof CheckpointError && x.message.includes(pending.tmpPath)) throw new CheckpointError(x.code, `${x.message.replaceAll(pending.tmpPath, foreign.path)}; nothing was imported`);
    throw x;
  }
}
