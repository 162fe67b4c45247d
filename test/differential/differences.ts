/**
 * The known, accepted differences between berth (compiling for podman 5.4) and Podman 5.4.2's Quadlet.
 * Every difference the differential tests find must match one entry here, or the tests fail.
 */
import type { Difference } from '../helpers/unit-compare.js';

export type Reason = 'follows upstream Quadlet after 5.4' | 'fixes a Quadlet bug';

export interface KnownDifference {
  readonly id: string;
  readonly reason: Reason;
  /** What changed upstream (commit, release) or which Quadlet bug is fixed. */
  readonly why: string;
  readonly matches: (d: Difference) => boolean;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [];

export function explain(d: Difference): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find((k) => k.matches(d));
}
