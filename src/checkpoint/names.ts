/**
 * File names inside a container's checkpoint folder `<directory>/<name>/`:
 *
 *   <name>-<YYYYMMDDTHHMMSSmmmZ>.tar[.zst|.gz]        an archive (valid only with a matching manifest)
 *   <archive>.json                                    its manifest
 *   .<archive>.tmp-<pid>/                             the private folder of an archive process <pid> is making
 *                                                     (hidden): the export and manifest, under their own names
 *   .<archive>.tmp-<pid>, .<archive>.json.tmp-<pid>   the same as files, from berth before it had the folders
 *
 * Timestamps are UTC with milliseconds, so names sort like their times. Anything else in the folder is
 * not berth's and is never touched.
 */
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';

export const MANIFEST_SUFFIX = '.json';

const EXTENSIONS: Record<Compression, string> = { zstd: '.tar.zst', gzip: '.tar.gz', none: '.tar' };
const ARCHIVE_TAIL = /^-(\d{8}T\d{9}Z)\.tar(\.zst|\.gz)?$/;
const TEMP = /^\.(.+)\.tmp-(\d+)$/;

/** A unit name usable as a folder and file prefix: no slash, not hidden, not `.`/`..`. */
export function checkName(name: string): void {
  if (!/^[A-Za-z0-9_@:\\-][A-Za-z0-9_@:.\\-]*$/.test(name) || name.length > 200) {
    throw new CheckpointError('invalid', `"${name}" cannot name a checkpoint folder`);
  }
}

export function extensionOf(compress: Compression): string {
  const ext = EXTENSIONS[compress];
  if (ext === undefined) throw new CheckpointError('invalid', `"${String(compress)}" is not one of zstd, gzip, none`);
  return ext;
}

/** 2025-01-02T03:04:05.678Z → 20250102T030405678Z */
export function formatStamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new CheckpointError('invalid', 'the checkpoint time is not a valid date');
  return date.toISOString().replace(/[-:.]/g, '');
}

export function parseStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp)!;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

export function archiveName(name: string, compress: Compression, date: Date): string {
  return `${name}-${formatStamp(date)}${extensionOf(compress)}`;
}

export function tempName(fileName: string, pid: number): string {
  return `.${fileName}.tmp-${pid}`;
}

export interface ParsedArchiveName {
  /** The archive's file name (also for a manifest, whose name is this plus .json). */
  readonly archive: string;
  readonly createdAt: Date;
  readonly compress: Compression;
}

/** An archive or manifest name of this container, or undefined for any other file. */
export function parseArchiveName(name: string, fileName: string): (ParsedArchiveName & { isManifest: boolean }) | undefined {
  const isManifest = fileName.endsWith(MANIFEST_SUFFIX);
  const archive = isManifest ? fileName.slice(0, -MANIFEST_SUFFIX.length) : fileName;
  if (!archive.startsWith(name)) return undefined;
  const m = ARCHIVE_TAIL.exec(archive.slice(name.length));
  if (!m) return undefined;
  const createdAt = parseStamp(m[1]!);
  if (Number.isNaN(createdAt.getTime())) return undefined;
  const compress: Compression = m[2] === '.zst' ? 'zstd' : m[2] === '.gz' ? 'gzip' : 'none';
  return { archive, createdAt, compress, isManifest };
}

/** A temporary file of this container's archives or manifests, with the pid that writes it. */
export function parseTempName(name: string, fileName: string): { target: string; pid: number } | undefined {
  const m = TEMP.exec(fileName);
  if (!m || !parseArchiveName(name, m[1]!)) return undefined;
  const pid = Number(m[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { target: m[1]!, pid } : undefined;
}
