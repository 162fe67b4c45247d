/**
 * Podman Quadlet's own definition folders, and the rule for them:
 *
 *   podman's Quadlet generator runs on this host (podman ≥ 4.4: a podman-system-generator, or for users
 *   podman-user-generator, in systemd's generator folders, not masked)
 *       → berth reads only its own folders and leaves Quadlet's to podman;
 *   otherwise (podman 4.0–4.3: RHEL 8.0–8.7, 9.0–9.1)
 *       → berth reads Quadlet's folders too, after its own, so files written for Quadlet work unchanged.
 *
 * The rule is podmanQuadletRuns() over facts probed by probePodmanGenerator(): at most one lstat per
 * generator folder (and one stat for what it finds), so the generator stays fast. quadletOverlaps() names
 * the definitions both berth and podman's Quadlet would compile (berth doctor, berth list).
 */
import { lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Definition } from '../compile/definition.js';
import { serviceNameOf } from '../compile/kinds.js';

export type Scope = 'system' | 'user';

/** The folders systemd runs generators from, most important first (systemd.generator(7)). */
export const GENERATOR_DIRS = {
  system: ['/run/systemd/system-generators', '/etc/systemd/system-generators', '/usr/local/lib/systemd/system-generators', '/usr/lib/systemd/system-generators', '/lib/systemd/system-generators'],
  user: ['/run/systemd/user-generators', '/etc/systemd/user-generators', '/usr/local/lib/systemd/user-generators', '/usr/lib/systemd/user-generators'],
} as const;

/** The names podman's packages give their Quadlet generator links. */
export const PODMAN_GENERATOR = { system: 'podman-system-generator', user: 'podman-user-generator' } as const;

/** The Quadlet binary the links point at (podman ≥ 4.4). */
export const QUADLET_BINARY = '/usr/libexec/podman/quadlet';

/** Quadlet's system folders, most important first (podman-systemd.unit(5); /run since podman 4.8). */
export const QUADLET_SYSTEM_DIRS = ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd'];

/** Quadlet's folder of users' definitions, which the system scope never reads. */
export const QUADLET_USERS_DIR = '/etc/containers/systemd/users';

/**
 * Quadlet's folders for a scope, most important first: the system ones, or $XDG_RUNTIME_DIR/containers/systemd
 * (podman ≥ 4.8), $XDG_CONFIG_HOME/containers/systemd (~/.config/…), /etc/containers/systemd/users/$UID and
 * /etc/containers/systemd/users.
 */
export function quadletDirs(user: boolean, env: NodeJS.ProcessEnv, uid: number, home: string): string[] {
  if (!user) return [...QUADLET_SYSTEM_DIRS];
  const dirs: string[] = [];
  if (env['XDG_RUNTIME_DIR']) dirs.push(join(env['XDG_RUNTIME_DIR'], 'containers/systemd'));
  dirs.push(join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || home, '.config'), 'containers/systemd'));
  dirs.push(`${QUADLET_USERS_DIR}/${uid}`, QUADLET_USERS_DIR);
  return dirs;
}

/** What is at a path, as systemd sees a generator: nothing, a mask (/dev/null or empty), a dangling link, or a program. */
export type GeneratorState = 'absent' | 'masked' | 'broken' | 'present';

export interface PodmanGeneratorFacts {
  readonly scope: Scope;
  /** The first podman-…-generator in systemd's order (the one systemd would run), when there is one. */
  readonly path?: string;
  readonly state: GeneratorState;
}

/** The real file system's answer for one path: one lstat, and a stat only when something is there. */
export function lookGenerator(path: string): GeneratorState {
  if (!lstatSync(path, { throwIfNoEntry: false })) return 'absent';
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 'broken';
  return st.isCharacterDevice() || (st.isFile() && st.size === 0) ? 'masked' : 'present';
}

/**
 * Finds podman's Quadlet generator for a scope as systemd does: the first entry of that name in its
 * generator folders hides the others (a /dev/null link in /etc masks one in /usr/lib).
 */
export function probePodmanGenerator(scope: Scope, look: (path: string) => GeneratorState = lookGenerator): PodmanGeneratorFacts {
  for (const dir of GENERATOR_DIRS[scope]) {
    const path = join(dir, PODMAN_GENERATOR[scope]);
    const state = look(path);
    if (state !== 'absent') return { scope, path, state };
  }
  return { scope, state: 'absent' };
}

/** The rule: podman's own Quadlet compiles Quadlet's folders exactly when systemd will run its generator. */
export function podmanQuadletRuns(facts: PodmanGeneratorFacts): boolean {
  return facts.state === 'present';
}

/** One unit two generators would write: berth from one definition, podman's Quadlet from another. */
export interface Overlap {
  /** The unit's name, e.g. web.service. */
  readonly unit: string;
  /** The definition berth compiles (in its own folders). */
  readonly berth: string;
  /** The definition podman's Quadlet compiles (in Quadlet's folders). */
  readonly quadlet: string;
}

/**
 * The definitions both would compile into the same unit name (ServiceName= counted), in berth's order.
 * Pure: `berth` is what berth loads from its own folders, `quadlet` what Quadlet's folders hold (each
 * loaded with loadDefinitions, which applies the same hiding rule Quadlet does).
 */
export function quadletOverlaps(berth: readonly Definition[], quadlet: readonly Definition[]): Overlap[] {
  const theirs = new Map<string, string>();
  for (const def of quadlet) {
    const unit = `${serviceNameOf(def)}.service`;
    if (!theirs.has(unit)) theirs.set(unit, def.unit.path);
  }
  const overlaps: Overlap[] = [];
  for (const def of berth) {
    const unit = `${serviceNameOf(def)}.service`;
    const other = theirs.get(unit);
    if (other) overlaps.push({ unit, berth: def.unit.path, quadlet: other });
  }
  return overlaps;
}
