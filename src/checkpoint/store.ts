/**
 * The on-disk side of `berth checkpoint`: one folder per container, `<directory>/<name>/` (mode 0700),
 * holding archives (0600), their manifests (0600) and berth's record of them (record.ts); see names.ts for
 * the file names. An archive is VALID only when the folders, the archive and its manifest are root's (or
 * the user's) alone (trust.ts), berth's record holds it, it is not dated in the future, and its manifest
 * parses and matches the file's size and sha256. The sha256 is read again whenever the file changed since
 * it was last found right (record.ts keeps the file's stamp), so every caller (listing, retention, restore,
 * the agent) means the same by valid; `verify` reads it again regardless.
 *
 * Guarantees: a failure at any point (engine error, disk full, SIGKILL) leaves no archive that looks
 * valid and never touches an older one (pending.ts); prune() is meant to run after a commit and never
 * removes the newest valid archive, nor anything a live checkpoint may still be writing. Runs of the same
 * container are kept apart by CheckpointLock (lock.ts), which callers take around prepare…commit…prune.
 */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rm, rmdir, statfs } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';
import type { ArchiveInfo } from './archive-info.js';
import { exists, fsyncDir, hashFile, removeFile } from './durable.js';
import { parseManifest, type Manifest, type ManifestFields } from './manifest.js';
import { archiveName, checkName, extensionOf, MANIFEST_SUFFIX, parseArchiveName, parseTempName, type ParsedArchiveName } from './names.js';
import { PendingArchive } from './pending.js';
import { isCode, mayOwn } from './process.js';
import { ArchiveRecord, fileStamp, RECORD_FILE, recordTempPid, stampOf } from './record.js';
import { checkFolderTrust, distrust } from './trust.js';
import { deepVerify } from './verify.js';

export type { ArchiveInfo } from './archive-info.js';
export type { Manifest, ManifestFields } from './manifest.js';
export { PendingArchive } from './pending.js';

export const FOLDER_MODE = 0o700;
/** How far ahead of this host's clock an archive's time may be (clocks differ a little) before it is ignored. */
export const FUTURE_SLACK_MS = 10 * 60 * 1000;

type Depth = 'recorded' | 'sha256' | 'deep';

/** What one look at the folder found: archive names in berth's order, the record, and temporary folders. */
interface Scan {
  readonly archives: ParsedArchiveName[];
  readonly temps: { path: string; pid: number }[];
  readonly record: ArchiveRecord;
  /** No record yet (archives from a berth before records): trusted, sound archives are adopted in name order. */
  readonly legacy: boolean;
}

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
    return (await this.#look(opts.deep ? 'deep' : opts.verify ? 'sha256' : 'recorded')).infos;
  }

  /** One archive of this container, by its path, checked deeply; undefined when it is none of its archives. */
  async find(path: string): Promise<ArchiveInfo | undefined> {
    const wanted = resolve(path);
    const scan = await this.#scan();
    const a = scan.archives.find((x) => join(this.dir, x.archive) === wanted);
    return a && this.#inspect(a, 'deep', scan);
  }

  /** The newest archive that passes the deep check (older ones are not read). */
  async latestValid(): Promise<ArchiveInfo | undefined> {
    const { infos, scan } = await this.#look('recorded');
    for (const quick of infos) {
      if (!quick.valid) continue;
      const verified = await this.#inspect(archiveOf(this.name, quick.path), 'deep', scan);
      if (verified.valid) return verified;
    }
    return undefined;
  }

  /**
   * Commits a prepared archive (pending.ts), records it in berth's record as the newest (only then does it
   * count) and, given a retention, applies it as prune() does, with one write of the record: it drops what
   * goes, and the files go after it. The caller holds the container's lock. When the record cannot be
   * written, the new archive is removed and nothing else is touched.
   */
  async commit(pending: PendingArchive, fields: ManifestFields, retention?: Retention): Promise<{ archive: ArchiveInfo; removed: string[] }> {
    if (retention) checkRetention(retention);
    const archive = await pending.commit(fields);
    let doomed: ArchiveInfo[];
    let temps: Scan['temps'];
    try {
      const { infos, scan } = await this.#look('recorded');
      scan.record.add(basename(archive.path), archive.size, archive.manifest!.sha256, await fileStamp(archive.path));
      doomed = retention ? doomedOf([archive, ...infos.filter((i) => i.path !== archive.path)], scan.record, retention) : [];
      for (const info of doomed) scan.record.remove(basename(info.path));
      await scan.record.write(this.dir);
      temps = scan.temps;
    } catch (x) {
      await removeFile(archive.manifestPath).catch(() => undefined);
      await removeFile(archive.path).catch(() => undefined);
      throw x;
    }
    return { archive, removed: await this.#remove(doomed, temps) };
  }

  /**
   * Removes what is no longer needed, and returns the removed paths:
   * - valid archives beyond the newest `keep` or beyond `maxTotalSize` bytes in all (counted newest
   *   first; the newest valid archive stays whatever its size, and once one is dropped all older go);
   * - recorded archives gone bad, and unrecorded files OLDER than the newest valid archive (a newer one may
   *   be a checkpoint being committed by a berth that ignores the lock); none at all while there is no
   *   valid archive;
   * - temporary folders and files (archives', and the record's) whose writer is gone (the pid in the name
   *   is dead, or belongs to a process that started after the folder was last written).
   * Validity is list()'s: the sha256 is read again for every file that changed since it was found right.
   * The caller holds the container's lock. berth's record is written first, without what goes (and with the
   * sha256 checks just made, and archives from before it adopted); then manifests go before their archives,
   * so an interrupted prune leaves only invalid leftovers, which the next one removes.
   */
  async prune(keep: number, maxTotalSize?: number): Promise<string[]> {
    const retention = { keep, ...(maxTotalSize !== undefined ? { maxTotalSize } : {}) };
    checkRetention(retention);
    const { infos, scan } = await this.#look('recorded');
    const doomed = doomedOf(infos, scan.record, retention);
    for (const info of doomed) scan.record.remove(basename(info.path));
    if (scan.record.entries().length > 0 || (await exists(join(this.dir, RECORD_FILE)))) await scan.record.write(this.dir);
    return this.#remove(doomed, scan.temps);
  }

  /**
   * Removes every archive of this container, valid or not (manifests first), berth's record, and temporary
   * files whose writer is gone; then the folder itself when nothing else is left in it (files that are not
   * berth's stay, and so does the folder). For `berth rm --remove-checkpoints`; the caller holds the lock.
   */
  async removeAll(): Promise<string[]> {
    const scan = await this.#scan();
    const infos = scan.archives.map((a) => ({ path: join(this.dir, a.archive), manifestPath: join(this.dir, a.archive + MANIFEST_SUFFIX) }));
    const removed = await this.#remove(infos, scan.temps);
    const record = join(this.dir, RECORD_FILE);
    if (await removeFile(record)) removed.push(record);
    try {
      await rmdir(this.dir);
      removed.push(this.dir);
      await fsyncDir(dirname(this.dir));
    } catch (x) {
      if (!isCode(x, 'ENOENT') && !isCode(x, 'ENOTEMPTY') && !isCode(x, 'EEXIST')) throw x;
    }
    return removed;
  }

  /** Removes doomed archives (manifest first) and temporary files whose writer is gone; returns the removed paths. */
  async #remove(doomed: ReadonlyArray<Pick<ArchiveInfo, 'path' | 'manifestPath'>>, temps: Scan['temps']): Promise<string[]> {
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

  /**
   * Makes sure the folder exists, root's (or the user's) alone; true when this call created it. A folder
   * someone else made, or one in a place others can change, is refused (trust.ts), never taken over.
   */
  async #ensureFolder(): Promise<boolean> {
    await checkFolderTrust(this.directory);
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
    await checkFolderTrust(this.dir);
    if ((st.mode & 0o7777) !== FOLDER_MODE) await chmod(this.dir, FOLDER_MODE);
    if (created) await fsyncDir(dirname(this.dir));
    return created;
  }

  /**
   * Archive names (from archives and manifests alike) in berth's order, newest first: recorded ones by the
   * record, then any others by their names; temporary folders and files; the record. Refuses a folder that
   * is not root's (or the user's) alone, or whose record is not berth's (trust.ts, record.ts).
   */
  async #scan(): Promise<Scan> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (x) {
      if (isCode(x, 'ENOENT')) return { archives: [], temps: [], record: ArchiveRecord.empty(), legacy: false };
      throw x;
    }
    await checkFolderTrust(this.dir);
    const stored = await ArchiveRecord.read(this.dir);
    const record = stored ?? ArchiveRecord.empty();
    const archives = new Map<string, ParsedArchiveName>();
    const temps: { path: string; pid: number }[] = [];
    for (const fileName of names) {
      const parsed = parseArchiveName(this.name, fileName);
      if (parsed) {
        archives.set(parsed.archive, parsed);
        continue;
      }
      const pid = parseTempName(this.name, fileName)?.pid ?? recordTempPid(fileName);
      if (pid !== undefined) temps.push({ path: join(this.dir, fileName), pid });
    }
    const seq = (a: ParsedArchiveName): number => record.get(a.archive)?.seq ?? 0;
    const sorted = [...archives.values()].sort(
      (a, b) => seq(b) - seq(a) || b.createdAt.getTime() - a.createdAt.getTime() || (a.archive < b.archive ? 1 : a.archive > b.archive ? -1 : 0),
    );
    return { archives: sorted, temps, record, legacy: stored === undefined };
  }

  /**
   * Every archive inspected at `depth`, in berth's order. Without a record yet, the sound archives (trusted,
   * sha256 right) are adopted into it, oldest first; a caller holding the lock may then write it.
   */
  async #look(depth: Depth): Promise<{ infos: ArchiveInfo[]; scan: Scan }> {
    const scan = await this.#scan();
    const infos: ArchiveInfo[] = [];
    for (const a of scan.archives) infos.push(await this.#inspect(a, depth, scan));
    if (scan.legacy) {
      for (const info of [...infos].reverse()) {
        if (info.valid) scan.record.add(basename(info.path), info.size, info.manifest!.sha256, await fileStamp(info.path));
      }
    }
    return { infos, scan };
  }

  async #inspect(a: ParsedArchiveName, depth: Depth, scan: Scan): Promise<ArchiveInfo> {
    const path = join(this.dir, a.archive);
    const manifestPath = path + MANIFEST_SUFFIX;
    const base = { path, manifestPath, createdAt: a.createdAt };

    let size = 0;
    let stamp: string | undefined;
    let fileProblem: string | undefined;
    try {
      const st = await lstat(path, { bigint: true });
      if (!st.isFile()) fileProblem = 'the archive is not a regular file';
      else {
        size = Number(st.size);
        stamp = stampOf(st);
        fileProblem = distrust('the archive', { uid: Number(st.uid), mode: Number(st.mode) });
      }
    } catch (x) {
      if (!isCode(x, 'ENOENT')) throw x;
      fileProblem = 'the archive file is missing';
    }

    let manifest: Manifest;
    try {
      manifest = await readManifest(manifestPath);
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
    if (manifest.createdAt !== a.createdAt.toISOString()) return invalid(`its manifest's time ${manifest.createdAt} is not its name's`);
    if (a.createdAt.getTime() > Date.now() + FUTURE_SLACK_MS) return invalid(`it is dated ${manifest.createdAt}, in the future`);
    const entry = scan.record.get(a.archive);
    if (!entry && !scan.legacy) {
      return invalid("berth's record of this folder does not hold it: berth did not make it here (berth restore --archive takes an archive from elsewhere)");
    }
    if (entry && (entry.sha256 !== manifest.sha256 || entry.size !== size)) return invalid('it is not the archive berth recorded under this name');
    // The sha256 is read when asked, and whenever the file changed since it was last found right.
    if (depth !== 'recorded' || entry?.checked !== stamp) {
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
      if (entry && stamp !== undefined) scan.record.markChecked(a.archive, stamp);
    }
    return { ...base, size, manifest, valid: true };
  }
}

/** A manifest, read only when it is a regular file root's (or the user's) alone. */
async function readManifest(path: string): Promise<Manifest> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    const why = st.isFile() ? distrust('its manifest', st) : 'its manifest is not a regular file';
    if (why) throw new Error(why);
    return parseManifest(await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

/** How many valid archives to keep (Keep=), and how many bytes they may take in all (MaxTotalSize=). */
export interface Retention {
  readonly keep: number;
  readonly maxTotalSize?: number;
}

function checkRetention({ keep, maxTotalSize }: Retention): void {
  if (!Number.isSafeInteger(keep) || keep < 1) throw new CheckpointError('invalid', `keep must be a whole number of at least 1, not ${keep}`);
  if (maxTotalSize !== undefined && !(maxTotalSize >= 0)) throw new CheckpointError('invalid', `maxTotalSize must be a number of bytes, not ${maxTotalSize}`);
}

/** What retention removes of `infos` (in berth's order, newest first): see prune(). */
function doomedOf(infos: readonly ArchiveInfo[], record: ArchiveRecord, { keep, maxTotalSize }: Retention): ArchiveInfo[] {
  const doomed: ArchiveInfo[] = [];
  const newestValid = infos.find((i) => i.valid);
  let kept = 0;
  let total = 0;
  let full = false;
  for (const info of infos) {
    if (!info.valid) {
      // A recorded archive gone bad is removed (the caller holds the lock: no commit is under way). An
      // unrecorded one (a commit killed before its record, or a file put there: an archive from elsewhere is
      // brought in by berth restore --archive, which records it) goes once older than the newest valid one.
      const recorded = record.get(basename(info.path)) !== undefined;
      if (newestValid && (recorded || info.createdAt < newestValid.createdAt)) doomed.push(info);
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
  return doomed;
}

function archiveOf(name: string, path: string): ParsedArchiveName {
  return parseArchiveName(name, path.slice(path.lastIndexOf('/') + 1))!;
}
