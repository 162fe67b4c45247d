/**
 * Reads an export once, while the engine writes it: each chunk is hashed (sha256) and checked
 * (export-check.ts) as soon as it is on disk, every WRITEBACK bytes the file is flushed (fdatasync) so that
 * the disk writes along with the engine, and once the engine has exited the rest is read and the file
 * fsynced. So what is left after the engine is the last few MiB: on the 2-core test machine 20–35 ms for
 * a 256 MiB export, where hashing it afterwards took 300 ms and its fsync alone 120–150 ms.
 *
 * This relies on how podman exports: it creates the file (in the pending archive's private folder, which
 * nothing else writes to) and writes it from start to end, never going back, so every byte below the file's
 * size is final once written. The reader checks at the end that the file it read is still the one at that
 * name, and that it read all of it.
 */
import { createHash } from 'node:crypto';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { CheckpointError } from '../errors.js';
import { ChunkReader } from './durable.js';
import type { ExportCheck } from './export-check.js';
import { isCode } from './process.js';

/** How long the reader waits at the end of what is written before it looks again. */
const POLL_MS = 20;
/** Written bytes between two flushes while the engine runs (8 for a 256 MiB export). */
const WRITEBACK = 32 * 1024 * 1024;

export interface ReadExport {
  readonly size: number;
  readonly sha256: string;
  /** The archive's config.dump (config-dump.ts). */
  readonly configDump: Buffer;
  /** Settles once the file is fsynced (and closed): a commit writes its manifest meanwhile. */
  readonly durable: Promise<void>;
}

/** Why the reader ended without a result: stop() was called, or the engine failed. */
class Stopped extends Error {}

export class ExportReader {
  /** Settles once the export is read and checked (a CheckpointError `verify` when it is not an archive). */
  readonly result: Promise<ReadExport>;
  #stopped = false;
  #engineDone = false;
  #engineFailed = false;
  #wake: (() => void) | undefined;

  /**
   * Starts reading `path` as the engine writes it, checked by what `check` makes; `engine` settles when the
   * engine has exited (rejects when it failed). The file gets `mode` as soon as it is there (podman creates
   * it 0644).
   */
  constructor(
    readonly path: string,
    check: () => Promise<ExportCheck>,
    engine: Promise<unknown>,
    readonly mode: number,
  ) {
    engine.then(
      () => this.#settle(false),
      () => this.#settle(true),
    );
    this.result = handled(this.#read(check));
  }

  /** Ends the reading early (the export failed, or is abandoned); resolves once the file is closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.result.then((r) => r.durable).catch(() => undefined);
  }

  #settle(failed: boolean): void {
    this.#engineDone = true;
    this.#engineFailed = failed;
    this.#wake?.();
  }

  /** Waits POLL_MS, or less when the engine ends or stop() is called meanwhile; not at all when that happened already. */
  #nap(): Promise<void> {
    if (this.#engineDone || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #go(): void {
    if (this.#stopped) throw new Stopped(`reading ${this.path} was stopped`);
    if (this.#engineFailed) throw new Stopped(`reading ${this.path} stopped: the engine failed`);
  }

  async #read(makeCheck: () => Promise<ExportCheck>): Promise<ReadExport> {
    const check = await makeCheck();
    let handle: FileHandle | undefined;
    try {
      handle = await this.#open();
      await handle.chmod(this.mode);
      const { synced, ...read } = await this.#follow(handle, check);
      // From here the fsync closes the file when it is done.
      const file = handle;
      handle = undefined;
      return { ...read, durable: handled(synced.finally(() => file.close())) };
    } finally {
      check.close();
      await handle?.close();
    }
  }

  async #open(): Promise<FileHandle> {
    for (;;) {
      this.#go();
      const wasDone = this.#engineDone;
      try {
        const handle = await open(this.path, 'r');
        if (!(await handle.stat()).isFile()) {
          await handle.close();
          throw new CheckpointError('verify', `${this.path} is not a regular file`);
        }
        return handle;
      } catch (x) {
        if (!isCode(x, 'ENOENT')) throw x;
        if (wasDone) throw new CheckpointError('verify', `${this.path} was not written: the engine exported nothing`);
      }
      await this.#nap();
    }
  }

  /** Reads to the end of the export; its fsync may still run (`synced`). */
  async #follow(handle: FileHandle, check: ExportCheck): Promise<Omit<ReadExport, 'durable'> & { synced: Promise<void> }> {
    const hash = createHash('sha256');
    const reader = new ChunkReader(handle);
    let configDump: Buffer;
    let size = 0;
    let read = 0;
    let flushedAt = 0;
    // At most one flush runs at a time. Its error reaches the caller through the final fsync, which waits for
    // it: the kernel reports a failed writeback to one fsync of a file only.
    let flushed: Promise<void> = Promise.resolve();
    let flushing = false;
    let synced: Promise<void> = Promise.resolve();
    let syncing = false;
    const each = async (chunk: Buffer): Promise<void> => {
      this.#go();
      hash.update(chunk);
      await check.push(chunk);
      read += chunk.length;
      if (!syncing && !flushing && read - flushedAt >= WRITEBACK) {
        flushedAt = read;
        flushing = true;
        flushed = handled(handle.datasync().finally(() => (flushing = false)));
      }
    };
    try {
      for (;;) {
        const wasDone = this.#engineDone;
        // Once the engine is gone nothing more is written: the fsync runs while the rest is read.
        if (wasDone) {
          syncing = true;
          synced = handled(flushed.then(() => handle.sync()));
        }
        size = await reader.readToEnd(size, each);
        this.#go();
        if (wasDone) break;
        await this.#nap();
      }
      if (size === 0) throw new CheckpointError('verify', `${this.path} is empty: the engine exported nothing`);
      configDump = await check.end();
      const [opened, named] = await Promise.all([handle.stat(), lstat(this.path)]);
      if (opened.ino !== named.ino || opened.dev !== named.dev || opened.size !== size) {
        throw new CheckpointError('verify', `${this.path} changed while it was read: is the engine still writing it?`);
      }
    } catch (x) {
      // The file is closed after this: no flush may still use it.
      await Promise.allSettled([flushed, synced]);
      throw x;
    }
    return { size, sha256: hash.digest('hex'), configDump, synced };
  }
}

/** Marks a promise's rejection as handled until someone awaits it (which still sees it). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
