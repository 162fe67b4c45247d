/**
 * One archive being made: the engine exports into a private folder that reserves the archive's name, the
 * export is read once (hashed, checked, flushed) while the engine writes it, then commit() puts archive and
 * manifest into place so that, whatever moment the process dies at, the folder holds either a complete,
 * matching archive + manifest, or files that do not look valid (no manifest, a temporary folder). Older
 * archives are never written to: every new name is created, never replaced.
 *
 * The engine creates the export file itself: a file berth made first, podman would truncate and rewrite,
 * and ext4 then flushes a truncated-and-rewritten file when it is closed, inside the export (the export took
 * 1.9–2.3 s instead of 1.4–1.6 s for 256 MiB here).
 */
import { mkdir, open, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';
import type { ArchiveInfo } from './archive-info.js';
import { fsyncDir, linkNoReplace, removeFile } from './durable.js';
import { exportCheck } from './export-check.js';
import { ExportReader, type ReadExport } from './export-reader.js';
import { parseManifest, serializeManifest, type Manifest, type ManifestFields } from './manifest.js';
import { MANIFEST_SUFFIX, tempName } from './names.js';
import { isCode } from './process.js';

export const ARCHIVE_MODE = 0o600;
const TEMP_FOLDER_MODE = 0o700;

export class PendingArchive {
  /** The private folder (0700) holding the archive and its manifest while they are made. */
  readonly tempDir: string;
  /** Where the engine exports to (inside tempDir; the engine creates the file). */
  readonly tmpPath: string;
  /** The archive's name once committed. */
  readonly finalPath: string;
  readonly manifestPath: string;
  readonly #manifestTmp: string;
  #reader: ExportReader | undefined;
  #state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  #commit: Promise<ArchiveInfo> | undefined;

  constructor(
    readonly dir: string,
    readonly fileName: string,
    readonly compress: Compression,
    readonly createdAt: Date,
    /** Whether making this archive created the container's folder (which a failure then removes, when empty). */
    readonly createdFolder = false,
  ) {
    this.tempDir = join(dir, tempName(fileName, process.pid));
    this.tmpPath = join(this.tempDir, fileName);
    this.finalPath = join(dir, fileName);
    this.manifestPath = this.finalPath + MANIFEST_SUFFIX;
    this.#manifestTmp = this.tmpPath + MANIFEST_SUFFIX;
  }

  /** Makes the private folder; CheckpointError `exists` when it is there already. */
  async reserve(): Promise<void> {
    try {
      await mkdir(this.tempDir, { mode: TEMP_FOLDER_MODE });
    } catch (x) {
      if (isCode(x, 'EEXIST')) throw new CheckpointError('exists', `${this.tempDir} already exists`, { cause: x });
      throw x;
    }
  }

  /**
   * Reads the export while the engine writes it. `engine` settles when the engine has exited (it rejects
   * when the engine failed, which ends the reading). Without follow(), checked() and commit() read a
   * finished export.
   */
  follow(engine: Promise<unknown>): void {
    if (this.#reader || this.#state !== 'open') throw new CheckpointError('invalid', `${this.finalPath} is already being read`);
    this.#reader = this.#read(engine);
  }

  /**
   * The export, once read and checked (a whole archive of the promised compression, with config.dump and
   * spec.dump): its size, sha256 and config.dump. Without follow(), it reads a finished export.
   */
  checked(): Promise<ReadExport> {
    this.#reader ??= this.#read(Promise.resolve());
    return this.#reader.result;
  }

  /**
   * Waits for the export to be read (hashed and checked, see checked()); writes the manifest to its
   * temporary name and fsyncs it while the export is fsynced; then gives the archive and then the manifest
   * their final names (the manifest's arrival is the commit point), removes the private folder and fsyncs
   * the container's folder.
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

  /** Stops reading and removes what this archive created; a no-op after a successful commit, and safe to call twice. */
  async abort(): Promise<void> {
    if (this.#state === 'committing') await this.#commit!.catch(() => undefined);
    if (this.#state === 'committed') return;
    this.#state = 'aborted';
    await this.#reader?.stop();
    await this.#clean();
  }

  #read(engine: Promise<unknown>): ExportReader {
    return new ExportReader(this.tmpPath, () => exportCheck(this.tmpPath, this.compress), engine, ARCHIVE_MODE);
  }

  async #writeManifest(text: string): Promise<void> {
    const file = await open(this.#manifestTmp, 'wx', ARCHIVE_MODE);
    try {
      await file.chmod(ARCHIVE_MODE);
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  async #clean(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
    if (this.createdFolder) await rmdir(this.dir).catch(() => undefined);
  }

  async #doCommit(fields: ManifestFields): Promise<ArchiveInfo> {
    let archivePlaced = false;
    let manifestPlaced = false;
    try {
      const { size, sha256, durable } = await this.checked();
      const manifest = buildManifest(fields, { createdAt: this.createdAt.toISOString(), compress: this.compress, size, sha256 });
      // The manifest is written and fsynced while the export's own fsync runs: nothing names either yet.
      await Promise.all([durable, this.#writeManifest(serializeManifest(manifest))]);

      // Between a link and the removal of the temporary name both names exist; either is harmless.
      await linkNoReplace(this.tmpPath, this.finalPath);
      archivePlaced = true;
      await removeFile(this.tmpPath);
      await linkNoReplace(this.#manifestTmp, this.manifestPath);
      manifestPlaced = true;
      await removeFile(this.#manifestTmp);
      await rmdir(this.tempDir);
      await fsyncDir(this.dir);
      return { path: this.finalPath, manifestPath: this.manifestPath, createdAt: this.createdAt, size, manifest, valid: true };
    } catch (x) {
      // Undo in the order that keeps every intermediate state invalid: the manifest goes first.
      if (manifestPlaced) await removeFile(this.manifestPath).catch(() => undefined);
      if (archivePlaced) await removeFile(this.finalPath).catch(() => undefined);
      await this.#clean().catch(() => undefined);
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
    ...(fields.facts !== undefined ? { facts: fields.facts } : {}),
    ...(fields.importedFrom !== undefined ? { importedFrom: fields.importedFrom } : {}),
  };
  try {
    parseManifest(serializeManifest(manifest));
  } catch (x) {
    throw new CheckpointError('invalid', `cannot write the manifest: ${(x as Error).message}`, { cause: x });
  }
  return manifest;
}
