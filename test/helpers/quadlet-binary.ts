/**
 * Podman 5.x's Quadlet generator, the reference berth is compared against. test/host/setup.sh unpacks it
 * from Debian trixie's podman package into its own folder (never over the system's podman);
 * BERTH_QUADLET names another binary.
 */
import { accessSync, constants } from 'node:fs';

export const QUADLET_DIR = process.env['BERTH_QUADLET_DIR'] || '/opt/berth-quadlet';

export function quadletBinary(): string {
  const binary = process.env['BERTH_QUADLET'] || `${QUADLET_DIR}/usr/libexec/podman/quadlet`;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`${binary} is missing: run test/host/setup.sh, which unpacks podman 5's quadlet there`);
  }
  return binary;
}
