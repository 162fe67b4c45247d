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
import { chmod, chown, lstat, mkdir, open, readdir, readFile, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';
import type { ArchiveInfo } from './archive-info.js';
import { exists, fsyncDir, hashFile, removeFile } from './durable.js';
import { parseManifest, type Manifest } from './manifest.js';
import { archiveName, checkName, extensionOf, MANIFEST_SUFFIX, parseArchiveName, parseTempName, type ParsedArchiveName } from './names.js';
import { PendingArchive } from './pending.js';
import { isCode, mayOwn } from './process.js';

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
   * Creates the folder (0700, owned by this user) if needed, and an empty temporary file (0600) for the
   * engine to export into. Refuses (CheckpointError `exists`) when an archive of that time already exists.
   */
  async prepare(compress: Compression, now: Date = new Date()): Promise<PendingArchive> {
    const fileName = archiveName(this.name, compress, now);
    await this.#ensureFolder();
    const pending = new PendingArchive(this.dir, fileName, compress, now);
    for (const path of [pending.finalPath, pending.manifestPath]) {
      if (await exists(path)) throw new CheckpointError('exists', `${path} already exists`);
    }
    try {
      await (await open(pending.tmpPath, 'wx', 0o600)).close();
    } catch (x) {
      if (isCode(x, 'EEXIST')) throw new CheckpointError('exists', `${pending.tmpPath} already exists`, { cause: x });
      throw x;
    }
    return pending;
  }

  /**
   * Every archive (and manifest without archive) of this container, newest first, valid or not; temporary
   * files are not archives and are not listed. Without `verify` an archive is valid when its manifest
   * parses and records the file's size; with it, its sha256 is computed again too.
   */
  async list(opts: { verify?: boolean } = {}): Promise<ArchiveInfo[]> {
    const { archives } = await this.#scan();
    const infos: ArchiveInfo[] = [];
    for (const a of archives) infos.push(await this.#inspect(a, opts.verify ?? false));
    return infos;
  }

  /** The newest archive whose sha256 matches its manifest (older ones are not hashed). */
  async latestValid(): Promise<ArchiveInfo | undefined> {
    for (const quick of await this.list()) {
      if (!quick.valid) continue;
      const verified = await this.#inspect(archiveOf(this.name, quick.path), true);
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
   * - temporary files whose writer is gone (the pid in the name is dead, or belongs to a process that
   *   started after the file was last written).
   * Validity here is the quick check of list(); prune after a commit, whose archive is known good.
   * A manifest is removed before its archive, so an interrupted prune leaves only invalid leftovers.
   */
  async prune(keep: number, maxTotalSize?: number): Promise<string[]> {
    if (!Number.isSafeInteger(keep) || keep < 1) throw new CheckpointError('invalid', `keep must be a whole number of at least 1, not ${keep}`);
    if (maxTotalSize !== undefined && !(maxTotalSize >= 0)) throw new CheckpointError('invalid', `maxTotalSize must be a number of bytes, not ${maxTotalSize}`);
    const { archives, temps } = await this.#scan();
    const infos: ArchiveInfo[] = [];
    for (const a of archives) infos.push(await this.#inspect(a, false));

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
      if (!(await mayOwn(t.pid, mtimeMs))) await remove(t.path);
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

  async #ensureFolder(): Promise<void> {
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
  }

  /** Archive names (from archives and manifests alike), newest first, and temporary files. */
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

  async #inspect(a: ParsedArchiveName, verify: boolean): Promise<ArchiveInfo> {
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
    if (verify) {
      let hashed: { sha256: string; size: number };
      try {
        hashed = await hashFile(path);
      } catch (x) {
        return invalid(`the archive cannot be read (${(x as NodeJS.ErrnoException).code ?? (x as Error).message})`);
      }
      if (hashed.size !== manifest.size) return invalid(`the archive has ${hashed.size} bytes, its manifest records ${manifest.size}`);
      if (hashed.sha256 !== manifest.sha256) return invalid('its sha256 does not match its manifest: the archive is damaged');
    }
    return { ...base, size, manifest, valid: true };
  }
}

function archiveOf(name: string, path: string): ParsedArchiveName {
  return parseArchiveName(name, path.slice(path.lastIndexOf('/') + 1))!;
}
