/**
 * The on-disk side of `berth checkpoint`: one folder per container, `<directory>/<name>/` (mode 0700),
 * holding archives (0600) and their manifests (0600); see names.ts for the file names. An archive is
 * VALID only when its manifest exists, parses, and records the file's size and sha256.
 *
 * Guarantees: a failure at any point (engine error, disk full, SIGKILL) leaves no archive that looks
 * valid and never touches an older one (pending.ts); prune() is meant to run after a commit and never
 * removes the newest valid archive, nor anything a live checkpoint may still be writing. Runs of the same
 * container are kept apart by CheckpointLock (lock.ts), which callers take around prepare…commit…prune.
 */
import { chmod, chown, lstat, mkdir, readdir, readFile, rm, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';
import type { ArchiveInfo } from './archive-info.js';
import { exists, fsyncDir, hashFile, removeFile } from './durable.js';
import { parseManifest, type Manifest } from './manifest.js';
import { archiveName, checkName, extensionOf, MANIFEST_SUFFIX, parseArchiveName, parseTempName, type ParsedArchiveName } from './names.js';
import { PendingArchive } from './pending.js';
import { isCode, mayOwn } from './process.js';
import { deepVerify } from './verify.js';

export type { ArchiveInfo } from './archive-info.js';
export type { Manifest, ManifestFields } from './manifest.js';
export { PendingArchive } from './pending.js';

export const FOLDER_MODE = 0o700;

export class CheckpointStore {
  /** `<directory>/<name>`. */
  readonly dir: string;

  constructor(
    readonly directory: string,
    readonly name: string,
  ) {
    checkName(name);
    this.dir = join(resolve(directory), name);
  }

  /**
   * Creates the folder (0700, owned by this user) if needed, and the archive's private temporary folder
   * (0700) for the engine to export into. Refuses (CheckpointError `exists`) when an archive of that time
   * already exists.
   */
  async prepare(compress: Compression, now: Date = new Date()): Promise<PendingArchive> {
    const fileName = archiveName(this.name, compress, now);
    const created = await this.#ensureFolder();
    const pending = new PendingArchive(this.dir, fileName, compress, now, created);
    for (const path of [pending.finalPath, pending.manifestPath]) {
      if (await exists(path)) throw new CheckpointError('exists', `${path} already exists`);
    }
    await pending.reserve();
    return pending;
  }

  /**
   * Every archive (and manifest without archive) of this container, newest first, valid or not; temporary
   * files are not archives and are not listed. Without `verify` an archive is valid when its manifest
   * parses and records the file's size; with it, its sha256 is computed again too; with `deep`, tar also
   * reads it to its end and finds a checkpoint in it (verify.ts).
   */
  async list(opts: { verify?: boolean; deep?: boolean } = {}): Promise<ArchiveInfo[]> {
    const { archives } = await this.#scan();
    const depth = opts.deep ? 'deep' : opts.verify ? 'sha256' : 'size';
    const infos: ArchiveInfo[] = [];
    for (const a of archives) infos.push(await this.#inspect(a, depth));
    return infos;
  }

  /** One archive of this container, by its path, checked deeply; undefined when it is none of its archives. */
  async find(path: string): Promise<ArchiveInfo | undefined> {
    const wanted = resolve(path);
    const a = (await this.#scan()).archives.find((x) => join(this.dir, x.archive) === wanted);
    return a && this.#inspect(a, 'deep');
  }

  /** The newest archive that passes the deep check (older ones are not read). */
  async latestValid(): Promise<ArchiveInfo | undefined> {
    for (const quick of await this.list()) {
      if (!quick.valid) continue;
      const verified = await this.#inspect(archiveOf(this.name, quick.path), 'deep');
      if (verified.valid) return verified;
    }
    return undefined;
  }

  /**
   * Removes what is no longer needed, and returns the removed paths:
   * - valid archives beyond the newest `keep` or beyond `maxTotalSize` bytes in all (counted newest
   *   first; the newest valid archive stays whatever its size, and once one is dropped all older go);
   * - invalid archives and stray manifests OLDER than the newest valid archive (a newer one may be a
   *   checkpoint being committed right now); none at all while there is no valid archive;
   * - temporary folders (and files) whose writer is gone (the pid in the name is dead, or belongs to a
   *   process that started after the folder was last written).
   * Validity here is the quick check of list(); prune after a commit, whose archive is known good.
   * A manifest is removed before its archive, so an interrupted prune leaves only invalid leftovers.
   */
  async prune(keep: number, maxTotalSize?: number): Promise<string[]> {
    if (!Number.isSafeInteger(keep) || keep < 1) throw new CheckpointError('invalid', `keep must be a whole number of at least 1, not ${keep}`);
    if (maxTotalSize !== undefined && !(maxTotalSize >= 0)) throw new CheckpointError('invalid', `maxTotalSize must be a number of bytes, not ${maxTotalSize}`);
    const { archives, temps } = await this.#scan();
    const infos: ArchiveInfo[] = [];
    for (const a of archives) infos.push(await this.#inspect(a, 'size'));

    const doomed: ArchiveInfo[] = [];
    const newestValid = infos.find((i) => i.valid);
    let kept = 0;
    let total = 0;
    let full = false;
    for (const info of infos) {
      if (!info.valid) {
        if (newestValid && info.createdAt < newestValid.createdAt) doomed.push(info);
        continue;
      }
      const fits = kept < keep && (maxTotalSize === undefined || total + info.size <= maxTotalSize);
      if (info === newestValid || (!full && fits)) {
        kept++;
        total += info.size;
      } else {
        full = true;
        doomed.push(info);
      }
    }

    const removed: string[] = [];
    const remove = async (path: string): Promise<void> => {
      if (await removeFile(path)) removed.push(path);
    };
    for (const info of doomed) {
      await remove(info.manifestPath);
      await remove(info.path);
    }
    for (const t of temps) {
      let mtimeMs: number;
      try {
        mtimeMs = (await lstat(t.path)).mtimeMs;
      } catch (x) {
        if (isCode(x, 'ENOENT')) continue;
        throw x;
      }
      if (!(await mayOwn(t.pid, mtimeMs))) {
        // A private folder of an archive being made (or, from berth before it had them, a file).
        await rm(t.path, { recursive: true, force: true });
        removed.push(t.path);
      }
    }
    if (removed.length > 0) await fsyncDir(this.dir);
    return removed;
  }

  /** Bytes available to this user on the folder's file system (or its nearest existing parent's). */
  async freeBytes(): Promise<number> {
    let path = this.dir;
    for (;;) {
      try {
        const s = await statfs(path);
        return s.bavail * s.bsize;
      } catch (x) {
        if (!isCode(x, 'ENOENT') || dirname(path) === path) throw x;
        path = dirname(path);
      }
    }
  }

  /** What the next archive will likely need: the size of the newest valid archive, 0 when there is none. */
  async estimateNeed(): Promise<number> {
    return (await this.list()).find((i) => i.valid)?.size ?? 0;
  }

  /** Makes sure the folder exists with its owner and mode; true when this call created it. */
  async #ensureFolder(): Promise<boolean> {
    await mkdir(dirname(this.dir), { recursive: true, mode: FOLDER_MODE });
    let created = false;
    try {
      await mkdir(this.dir, { mode: FOLDER_MODE });
      created = true;
    } catch (x) {
      if (!isCode(x, 'EEXIST')) throw x;
    }
    const st = await lstat(this.dir);
    if (!st.isDirectory()) throw new CheckpointError('invalid', `${this.dir} is not a folder`);
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    if (uid !== undefined && gid !== undefined && (st.uid !== uid || st.gid !== gid)) await chown(this.dir, uid, gid);
    if ((st.mode & 0o7777) !== FOLDER_MODE) await chmod(this.dir, FOLDER_MODE);
    if (created) await fsyncDir(dirname(this.dir));
    return created;
  }

  /** Archive names (from archives and manifests alike), newest first, and temporary folders and files. */
  async #scan(): Promise<{ archives: ParsedArchiveName[]; temps: { path: string; pid: number }[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (x) {
      if (isCode(x, 'ENOENT')) return { archives: [], temps: [] };
      throw x;
    }
    const archives = new Map<string, ParsedArchiveName>();
    const temps: { path: string; pid: number }[] = [];
    for (const fileName of names) {
      const parsed = parseArchiveName(this.name, fileName);
      if (parsed) {
        archives.set(parsed.archive, parsed);
        continue;
      }
      const temp = parseTempName(this.name, fileName);
      if (temp) temps.push({ path: join(this.dir, fileName), pid: temp.pid });
    }
    const sorted = [...archives.values()].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.archive < b.archive ? 1 : a.archive > b.archive ? -1 : 0),
    );
    return { archives: sorted, temps };
  }

  async #inspect(a: ParsedArchiveName, depth: 'size' | 'sha256' | 'deep'): Promise<ArchiveInfo> {
    const path = join(this.dir, a.archive);
    const manifestPath = path + MANIFEST_SUFFIX;
    const base = { path, manifestPath, createdAt: a.createdAt };

    let size = 0;
    let fileProblem: string | undefined;
    try {
      const st = await lstat(path);
      if (st.isFile()) size = st.size;
      else fileProblem = 'the archive is not a regular file';
    } catch (x) {
      if (!isCode(x, 'ENOENT')) throw x;
      fileProblem = 'the archive file is missing';
    }

    let manifest: Manifest;
    try {
      manifest = parseManifest(await readFile(manifestPath, 'utf8'));
    } catch (x) {
      const code = (x as NodeJS.ErrnoException).code;
      const problem =
        code === 'ENOENT'
          ? 'it has no manifest: the checkpoint did not complete'
          : code
            ? `its manifest cannot be read (${code})`
            : (x as Error).message;
      return { ...base, size, valid: false, problem: fileProblem ?? problem };
    }
    const invalid = (problem: string): ArchiveInfo => ({ ...base, size, manifest, valid: false, problem });
    if (fileProblem) return invalid(fileProblem);
    if (manifest.compress !== a.compress) return invalid(`its manifest says ${manifest.compress}, its name ${extensionOf(a.compress)}`);
    if (manifest.size !== size) return invalid(`the archive has ${size} bytes, its manifest records ${manifest.size}`);
    if (depth !== 'size') {
      // The deep check (tar decompressing to the end) runs beside the hash: both read the same pages.
      const [hashed, deep] = await Promise.allSettled([hashFile(path), depth === 'deep' ? deepVerify(path, a.compress) : undefined]);
      if (hashed.status === 'rejected') {
        return invalid(`the archive cannot be read (${(hashed.reason as NodeJS.ErrnoException).code ?? (hashed.reason as Error).message})`);
      }
      if (hashed.value.size !== manifest.size) return invalid(`the archive has ${hashed.value.size} bytes, its manifest records ${manifest.size}`);
      if (hashed.value.sha256 !== manifest.sha256) return invalid('its sha256 does not match its manifest: the archive is damaged');
      if (deep.status === 'rejected') {
        if (!(deep.reason instanceof CheckpointError)) throw deep.reason;
        return invalid(deep.reason.message);
      }
    }
    return { ...base, size, manifest, valid: true };
  }
}

function archiveOf(name: string, path: string): ParsedArchiveName {
  return parseArchiveName(name, path.slice(path.lastIndexOf('/') + 1))!;
}
