/** Podman versions as berth compares them: major.minor[.patch], ignoring suffixes such as -dev or -rc1. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseVersion(text: string): Version | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

// Gates name a handful of versions, checked for every key of every definition: parse each once.
const parsed = new Map<string, Version>();

/** True when `target` is at least `needed` (a "x.y" string). */
export function atLeast(target: Version, needed: string): boolean {
  let n = parsed.get(needed);
  if (!n) {
    n = parseVersion(needed);
    if (!n) throw new Error(`bad version "${needed}"`);
    parsed.set(needed, n);
  }
  return compareVersions(target, n) >= 0;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** The oldest podman berth compiles for. */
export const OLDEST_PODMAN: Version = { major: 4, minor: 0, patch: 0 };

/** The newest podman berth knows; the target when none is given or found. */
export const NEWEST_PODMAN: Version = { major: 6, minor: 0, patch: 0 };
