/**
 * The manifest beside each archive (`<archive>.json`): what was checkpointed, with which tools and options,
 * and the archive's size and sha256. An archive counts only when its manifest parses and matches it.
 */
import type { Compression } from '../compile/checkpoint-settings.js';
import { parseFacts, type CheckpointFacts } from './facts.js';

export interface Manifest {
  readonly format: 1;
  /** The unit (service) name, also the archive folder's name. */
  readonly name: string;
  /** The container's name as podman knows it. */
  readonly container: string;
  readonly containerId: string;
  readonly image: string;
  /** The systemd unit, e.g. web.service. */
  readonly unit: string;
  readonly podmanVersion: string;
  readonly criuVersion: string;
  /** ISO 8601, UTC; the same instant as the archive name's timestamp. */
  readonly createdAt: string;
  readonly durationMs: number;
  /** Bytes of the archive file. */
  readonly size: number;
  /** Lower-case hex sha256 of the archive file. */
  readonly sha256: string;
  readonly compress: Compression;
  readonly leaveRunning: boolean;
  readonly tcpEstablished: boolean;
  readonly fileLocks: boolean;
  /** Hash of the `podman run` argv the container was created with. */
  readonly runHash?: string;
  /** podman's --print-stats JSON. */
  readonly stats?: unknown;
  /** Where it was made (facts.ts); archives from berth before facts have none. */
  readonly facts?: CheckpointFacts;
  /** The path an archive made elsewhere was imported from (`berth restore --archive`). */
  readonly importedFrom?: string;
}

/**
 * What the caller of PendingArchive.commit supplies; the store fills in format, size, sha256, and takes
 * compress and createdAt from prepare() so that they agree with the archive's name.
 */
export type ManifestFields = Omit<Manifest, 'format' | 'size' | 'sha256' | 'compress' | 'createdAt'>;

const STRINGS = ['name', 'container', 'containerId', 'image', 'unit', 'podmanVersion', 'criuVersion', 'createdAt'] as const;
const BOOLEANS = ['leaveRunning', 'tcpEstablished', 'fileLocks'] as const;

/** Parses manifest text; throws an Error naming the first problem. */
export function parseManifest(text: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (x) {
    throw new Error(`manifest is not JSON (${(x as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('manifest is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== 1) throw new Error(`manifest format ${JSON.stringify(m.format)} is not 1`);
  for (const key of STRINGS) if (typeof m[key] !== 'string') throw new Error(`manifest lacks the string ${key}`);
  for (const key of BOOLEANS) if (typeof m[key] !== 'boolean') throw new Error(`manifest lacks the boolean ${key}`);
  if (!isCount(m.size)) throw new Error('manifest size is not a whole number of bytes');
  if (typeof m.durationMs !== 'number' || !(m.durationMs >= 0) || !Number.isFinite(m.durationMs)) throw new Error('manifest durationMs is not a duration');
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) throw new Error('manifest sha256 is not 64 hex digits');
  if (m.compress !== 'zstd' && m.compress !== 'gzip' && m.compress !== 'none') throw new Error('manifest compress is not zstd, gzip or none');
  if (m.runHash !== undefined && typeof m.runHash !== 'string') throw new Error('manifest runHash is not a string');
  if (m.facts !== undefined) parseFacts(m.facts);
  if (m.importedFrom !== undefined && typeof m.importedFrom !== 'string') throw new Error('manifest importedFrom is not a string');
  return m as unknown as Manifest;
}

export function serializeManifest(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
