import type { Manifest } from './manifest.js';

/** One archive in a container's folder, as list() sees it. */
export interface ArchiveInfo {
  readonly path: string;
  readonly manifestPath: string;
  /** From the archive's name. */
  readonly createdAt: Date;
  /** Bytes of the archive file (0 when it is missing). */
  readonly size: number;
  /** The parsed manifest, when there is one that parses. */
  readonly manifest?: Manifest;
  /** Manifest present and parsing, size (and, when verified, sha256) matching the file. */
  readonly valid: boolean;
  /** Why it is not valid. */
  readonly problem?: string;
}
