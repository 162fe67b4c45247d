/**
 * berth's own record of a container's archives, `<directory>/<name>/.berth-archives.json`: which archives
 * berth committed, in which order, with their sha256, and the file as it was when that sha256 was last
 * found right. Archives are ordered by this record, never by what a file name or manifest claims, and an
 * archive the record does not hold is not berth's to restore on its own.
 *
 * Only a holder of the container's lock (lock.ts) writes the record (commit, prune), always whole: a
 * temporary file, flushed, renamed over the old one. Readers without the lock see the old record or the
 * new one, never a mix.
 */
import { constants } from 'node:fs';
import { lstat, open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';
import { fsyncDir, removeFile, writeDurably } from './durable.js';
import { isCode } from './process.js';
import { distrust } from './trust.js';

export const RECORD_FILE = '.berth-archives.json';
/** Thousands of archives fit; a record larger than this is not one berth wrote. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** The writer's pid of a temporary record (`.berth-archives.json.tmp-PID`, left by a writer killed mid-write), or undefined. */
export function recordTempPid(fileName: string): number | undefined {
  const m = /^\.berth-archives\.json\.tmp-(\d+)$/.exec(fileName);
  return m ? Number(m[1]) : undefined;
}

/** A file's identity and times: a change of any of them means it must be read again to be believed. */
export type FileStamp = string;

export interface RecordEntry {
  /** The archive's file name in the container's folder. */
  readonly archive: string;
  /** Its place in the order of commits: higher is newer. */
  readonly seq: number;
  readonly size: number;
  readonly sha256: string;
  /** The file when its sha256 was last found right. */
  readonly checked: FileStamp;
}

/** The stamp of a file, from a bigint stat: device, inode, size, and modification and change times in ns. */
export function stampOf(st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileStamp {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export async function fileStamp(path: string): Promise<FileStamp> {
  return stampOf(await stat(path, { bigint: true }));
}

function parseEntries(text: string): RecordEntry[] {
  const value = JSON.parse(text) as { format?: unknown; archives?: unknown };
  if (value?.format !== 1 || !Array.isArray(value.archives)) throw new Error('not a record of format 1');
  const seen = new Set<string>();
  return value.archives.map((a: Partial<RecordEntry>) => {
    const ok =
      typeof a.archive === 'string' && !a.archive.includes('/') && !seen.has(a.archive) &&
      Number.isSafeInteger(a.seq) && Number.isSafeInteger(a.size) && (a.size as number) >= 0 &&
      typeof a.sha256 === 'string' && /^[0-9a-f]{64}$/.test(a.sha256) && typeof a.checked === 'string';
    if (!ok) throw new Error(`a malformed entry: ${JSON.stringify(a).slice(0, 200)}`);
    seen.add(a.archive!);
    return a as RecordEntry;
  });
}

export class ArchiveRecord {
  readonly #entries: Map<string, RecordEntry>;

  private constructor(entries: Iterable<RecordEntry>) {
    this.#entries = new Map([...entries].map((e) => [e.archive, e]));
  }

  static empty(): ArchiveRecord {
    return new ArchiveRecord([]);
  }

  /**
   * The record of the container folder `dir`; undefined when there is none yet. A record someone else could
   * have written, or that does not parse, is refused (CheckpointError `untrusted`): no archive counts then.
   */
  static async read(dir: string): Promise<ArchiveRecord | undefined> {
    const path = join(dir, RECORD_FILE);
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (x) {
      if (isCode(x, 'ENOENT')) return undefined;
      if (isCode(x, 'ELOOP')) throw new CheckpointError('untrusted', `${path} is a symbolic link, not berth's record of its archives`);
      throw x;
    }
    try {
      const st = await handle.stat();
      const why = st.isFile() ? distrust(path, st) : `${path} is not a regular file`;
      if (why) throw new CheckpointError('untrusted', `${why}: berth's record of its archives cannot be believed, so no archive of this folder counts`);
      if (st.size > MAX_RECORD_BYTES) throw new CheckpointError('untrusted', `${path} has ${st.size} bytes, more than berth's record ever holds`);
      try {
        return new ArchiveRecord(parseEntries(await handle.readFile('utf8')));
      } catch (x) {
        throw new CheckpointError('untrusted', `${path} is not berth's record of its archives (${(x as Error).message})`);
      }
    } finally {
      await handle.close();
    }
  }

  /** Recorded archives, newest first. */
  entries(): RecordEntry[] {
    return [...this.#entries.values()].sort((a, b) => b.seq - a.seq);
  }

  get(archive: string): RecordEntry | undefined {
    return this.#entries.get(archive);
  }

  /** Records a new archive as the newest. */
  add(archive: string, size: number, sha256: string, checked: FileStamp): RecordEntry {
    const seq = Math.max(0, ...[...this.#entries.values()].map((e) => e.seq)) + 1;
    const entry = { archive, seq, size, sha256, checked };
    this.#entries.set(archive, entry);
    return entry;
  }

  remove(archive: string): void {
    this.#entries.delete(archive);
  }

  /** Notes that an archive's sha256 was found right for the file as `checked` now is. */
  markChecked(archive: string, checked: FileStamp): void {
    const e = this.#entries.get(archive);
    if (e) this.#entries.set(archive, { ...e, checked });
  }

  /** Writes the whole record into `dir`, durably; the caller holds the container's lock. */
  async write(dir: string): Promise<void> {
    const path = join(dir, RECORD_FILE);
    const temp = `${path}.tmp-${process.pid}`;
    await removeFile(temp);
    await writeDurably(temp, `${JSON.stringify({ format: 1, archives: this.entries() }, null, 1)}\n`, 0o600);
    // What the rename replaces must be a file: a folder or link there is not berth's record.
    const old = await lstat(path).catch((x: unknown) => (isCode(x, 'ENOENT') ? undefined : Promise.reject(x)));
    if (old && !old.isFile()) {
      await removeFile(temp);
      throw new CheckpointError('untrusted', `${path} is not a regular file: berth does not replace it`);
    }
    await rename(temp, path);
    await fsyncDir(dir);
  }
}
