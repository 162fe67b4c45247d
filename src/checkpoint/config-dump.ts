/**
 * What an archive says about the container it restores: podman's config.dump (the container's configuration
 * as podman stores it, JSON) holds its ID, image and the command line it was created with, the same values
 * `podman container inspect` reports as Id, ImageName and Config.CreateCommand. The manifest takes them from
 * the archive itself, read while the export is checked, rather than from an inspect run beside the export.
 */
import { CheckpointError } from '../errors.js';

export interface CheckpointedContainer {
  readonly id: string;
  readonly image: string;
  /** The argv the container was created with: it identifies what the archive will restore. */
  readonly createCommand: readonly string[];
}

export function containerOf(configDump: Buffer, archive: string): CheckpointedContainer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configDump.toString('utf8'));
  } catch (x) {
    throw new CheckpointError('verify', `the config.dump of ${archive} is not JSON (${(x as Error).message})`);
  }
  const config = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { id?: unknown; rootfsImageName?: unknown; rootfsImageID?: unknown; CreateCommand?: unknown };
  const image = typeof config.rootfsImageName === 'string' && config.rootfsImageName ? config.rootfsImageName : config.rootfsImageID;
  const command = config.CreateCommand ?? [];
  if (typeof config.id !== 'string' || typeof image !== 'string' || !Array.isArray(command) || !command.every((w) => typeof w === 'string')) {
    throw new CheckpointError('verify', `the config.dump of ${archive} does not name the container's id, image and command as podman writes them`);
  }
  return { id: config.id, image, createCommand: command };
}
