/**
 * One archive being made: the engine exports into a hidden temporary file, then commit() verifies it and
 * puts archive and manifest into place so that, whatever moment the process dies at, the folder holds
 * either a complete, matching archive + manifest, or files that do not look valid (no manifest, a temp
 * name). Older archives are never written to: every new name is created, never replaced.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';
import type { ArchiveInfo } from './archive-info.js';
import { fsyncDir, linkNoReplace, removeFile } from './durable.js';
import { parseManifest, serializeManifest, type Manifest, type ManifestFields } from './manifest.js';
import { MANIFEST_SUFFIX, tempName } from './names.js';
import { verifyExport } from './verify.js';

export const ARCHIVE_MODE = 0o600;

export class PendingArchive {
  /** Where the engine exports to (created empty, mode 0600, by prepare()). */
  readonly tmpPath: string;
  /** The archive's name once committed. */
  readonly finalPath: string;
  readonly manifestPath: string;
  readonly #manifestTmp: string;
  #state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  #commit: Promise<ArchiveInfo> | undefined;

  constructor(
    readonly dir: string,
    readonly fileName: string,
    readonly compress: Compression,
    readonly createdAt: Date,
  ) {
    this.tmpPath = join(dir, tempName(fileName, process.pid));
    this.finalPath = join(dir, fileName);
    this.manifestPath = this.finalPath + MANIFEST_SUFFIX;
    this.#manifestTmp = join(dir, tempName(fileName + MANIFEST_SUFFIX, process.pid));
  }

  /**
   * Verifies the export (non-empty; tar lists it to its end with config.dump and spec.dump) while it is
   * hashed (sha256) and fsynced, all three at once; then writes the manifest to its temporary name and
   * fsyncs it, gives the archive and then the manifest their final names (the manifest's arrival is the
   * commit point), fsyncs the folder.
   * On any failure every file this archive created is removed and the error is rethrown (CheckpointError
   * `verify` for a bad export).
   */
  commit(fields: ManifestFields): Promise<ArchiveInfo> {
    if (this.#state !== 'open') {
      return Promise.reject(new CheckpointError('invalid', `${this.finalPath} was already ${this.#state === 'aborted' ? 'aborted' : 'committed'}`));
    }
    this.#state = 'committing';
    this.#commit = this.#doCommit(fields).then(
      (info) => {
        this.#state = 'committed';
        return info;
      },
      (x: unknown) => {
        this.#state = 'aborted';
        throw x;
      },
    );
    return this.#commit;
  }

  /** Removes the temporary files; a no-op after a successful commit, and safe to call twice. */
  async abort(): Promise<void> {
    if (this.#state === 'committing') await this.#commit!.catch(() => undefined);
    if (this.#state === 'committed') return;
    this.#state = 'aborted';
    await removeFile(this.tmpPath);
    await removeFile(this.#manifestTmp);
  }

  async #doCommit(fields: ManifestFields): Promise<ArchiveInfo> {
    let archivePlaced = false;
    let manifestPlaced = false;
    try {
      // The fsync (disk writes) runs while the export is listed and hashed (reads from the page cache): the
      // archive counts only once all three succeeded, and nothing names it before that.
      let size: number;
      let sha256: string;
      const archive = await open(this.tmpPath, 'r');
      try {
        await archive.chmod(ARCHIVE_MODE);
        const [verified, synced] = await Promise.allSettled([verifyExport(this.tmpPath, this.compress), archive.sync()]);
        if (verified.status === 'rejected') throw verified.reason;
        if (synced.status === 'rejected') throw synced.reason;
        ({ size, sha256 } = verified.value);
      } finally {
        await archive.close();
      }

      const manifest = buildManifest(fields, { createdAt: this.createdAt.toISOString(), compress: this.compress, size, sha256 });
      const text = serializeManifest(manifest);
      const file = await open(this.#manifestTmp, 'wx', ARCHIVE_MODE);
      try {
        await file.chmod(ARCHIVE_MODE);
        await file.writeFile(text);
        await file.sync();
      } finally {
        await file.close();
      }

      // Between a link and the removal of the temporary name both names exist; either is harmless.
      await linkNoReplace(this.tmpPath, this.finalPath);
      archivePlaced = true;
      await removeFile(this.tmpPath);
      await linkNoReplace(this.#manifestTmp, this.manifestPath);
      manifestPlaced = true;
      await removeFile(this.#manifestTmp);
      await fsyncDir(this.dir);
      return { path: this.finalPath, manifestPath: this.manifestPath, createdAt: this.createdAt, size, manifest, valid: true };
    } catch (x) {
      // Undo in the order that keeps every intermediate state invalid: the manifest goes first.
      const undo = [
        ...(manifestPlaced ? [this.manifestPath] : []),
        ...(archivePlaced ? [this.finalPath] : []),
        this.#manifestTmp,
        this.tmpPath,
      ];
      for (const path of undo) await removeFile(path).catch(() => undefined);
      throw x;
    }
  }
}

function buildManifest(fields: ManifestFields, stored: Pick<Manifest, 'createdAt' | 'compress' | 'size' | 'sha256'>): Manifest {
  const manifest: Manifest = {
    format: 1,
    name: fields.name,
    container: fields.container,
    containerId: fields.containerId,
    image: fields.image,
    unit: fields.unit,
    podmanVersion: fields.podmanVersion,
    criuVersion: fields.criuVersion,
    createdAt: stored.createdAt,
    durationMs: Math.round(fields.durationMs),
    size: stored.size,
    sha256: stored.sha256,
    compress: stored.compress,
    leaveRunning: fields.leaveRunning,
    tcpEstablished: fields.tcpEstablished,
    fileLocks: fields.fileLocks,
    ...(fields.runHash !== undefined ? { runHash: fields.runHash } : {}),
    ...(fields.stats !== undefined ? { stats: fields.stats } : {}),
  };
  try {
    parseManifest(serializeManifest(manifest));
  } catch (x) {
    throw new CheckpointError('invalid', `cannot write the manifest: ${(x as Error).message}`, { cause: x });
  }
  return manifest;
}
