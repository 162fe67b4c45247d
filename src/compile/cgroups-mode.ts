/**
 * Where a container's processes go when its definition does not say (CgroupsMode=). Quadlet always writes
 * `--cgroups=split`: conmon and the container in sub-cgroups of the unit's own. A rootless podman on cgroups
 * v1 (RHEL 8's default, and hybrid hosts) cannot do that: only the named systemd hierarchy is delegated to
 * the user, and runc fails with "mkdir /sys/fs/cgroup/cpuset/user.slice: permission denied". There,
 * `--cgroups=no-conmon` keeps conmon in the unit's cgroup, where systemd supervises it, and leaves the
 * container where rootless podman on v1 can put it (README, Testing notes, measured on the test host).
 */
import type { CompileContext } from './context.js';
import { gate, supports } from './gates.js';

const SPLIT = gate('run --cgroups=split');
const NO_CONMON = gate('run --cgroups=no-conmon');

export interface CgroupsChoice {
  readonly flag: string;
  /** Why it is not Quadlet's --cgroups=split: a comment line for the unit. */
  readonly note?: string;
}

/** The gate's flag as written: 'run --cgroups=split' → '--cgroups=split'. */
const flagOf = (g: { name: string }): string => g.name.slice('run '.length);

export function defaultCgroups(ctx: Pick<CompileContext, 'user' | 'cgroups' | 'target'>): CgroupsChoice {
  if (ctx.user && ctx.cgroups?.version === 'v1' && supports(ctx.target, NO_CONMON)) {
    return {
      flag: flagOf(NO_CONMON),
      note: `${flagOf(NO_CONMON)}, not split: podman sees cgroups v1 here, where a rootless --cgroups=split fails (runc may not create the container's cgroups under the unit's); conmon stays in this unit's cgroup`,
    };
  }
  return { flag: flagOf(SPLIT) };
}
