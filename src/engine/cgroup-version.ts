/**
 * The cgroup version podman sees on this host, found as podman finds it: containers/common's
 * cgroups.IsCgroup2UnifiedMode() is a statfs of /sys/fs/cgroup, v2 when it is a cgroup2 file system, else
 * v1 (legacy and hybrid hosts: RHEL 8's default, and this test machine). It decides how a user unit's
 * container is placed (src/compile/cgroups-mode.ts); a rootless podman on v1 always uses the cgroupfs
 * manager, so the version is all that matters.
 *
 * Why not ask `podman info`: measured on the test host (README, Testing notes), a rootless `podman info`
 * run by the user generator at `systemctl --user daemon-reload`, with no pause process yet, starts one and
 * asks the user manager to move it into a scope; the manager is busy running the generator, so both wait
 * until berth's 10 s limit ends podman, and the unit is compiled without the answer. One statfs costs
 * microseconds, asks nobody, and needs no cache.
 */
import { statfsSync } from 'node:fs';
import type { HostCgroups } from '../compile/context.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;

/** v2 for a cgroup2 file system, v1 for the tmpfs that holds v1 controllers; undefined for anything else. */
export function cgroupsOfFsType(type: number | undefined): HostCgroups | undefined {
  if (type === CGROUP2_SUPER_MAGIC) return { version: 'v2' };
  if (type === TMPFS_MAGIC) return { version: 'v1' };
  return undefined;
}

/** This host's cgroups as podman sees them; undefined when /sys/fs/cgroup holds no cgroups. */
export function hostCgroups(path = '/sys/fs/cgroup'): HostCgroups | undefined {
  try {
    return cgroupsOfFsType(statfsSync(path).type);
  } catch {
    return undefined;
  }
}
