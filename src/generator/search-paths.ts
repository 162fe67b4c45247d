/**
 * Where berth looks for definitions, most important first. A file name found in an earlier folder hides
 * the same name in later ones, so /etc overrides what a package ships in /usr/share.
 *
 *   system: /run/berth/definitions, /etc/berth/definitions, /usr/local/share/berth/definitions,
 *           /usr/share/berth/definitions
 *   user:   $XDG_RUNTIME_DIR/berth/definitions, $XDG_CONFIG_HOME/berth/definitions (~/.config/…),
 *           /etc/berth/definitions/users/$UID, /etc/berth/definitions/users
 *
 * Where podman has no Quadlet generator of its own (podman 4.0–4.3), Quadlet's folders follow berth's
 * (quadlet-folders.ts has the rule and the probe):
 *
 *   system: /run/containers/systemd, /etc/containers/systemd, /usr/share/containers/systemd
 *   user:   $XDG_RUNTIME_DIR/containers/systemd, $XDG_CONFIG_HOME/containers/systemd,
 *           /etc/containers/systemd/users/$UID, /etc/containers/systemd/users
 *
 * $BERTH_UNIT_DIRS (colon-separated) replaces the list, for tests and unusual layouts.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { podmanQuadletRuns, probePodmanGenerator, quadletDirs, QUADLET_USERS_DIR } from './quadlet-folders.js';

const USERS_DIR = '/etc/berth/definitions/users';

/**
 * Subfolders the walk of a search folder must not enter: /etc/berth/definitions/users holds other
 * managers' definitions (never the system's), and its numbered folders belong to one user each (a user's
 * own is searched on its own).
 */
export function isPrivateSubfolder(parent: string, name: string): boolean {
  return ((parent === '/etc/berth/definitions' || parent === '/etc/containers/systemd') && name === 'users') ||
    ((parent === USERS_DIR || parent === QUADLET_USERS_DIR) && /^\d+$/.test(name));
}

export const SYSTEM_DIRS = [
  '/run/berth/definitions',
  '/etc/berth/definitions',
  '/usr/local/share/berth/definitions',
  '/usr/share/berth/definitions',
];

/** The user's own definitions folder: $XDG_CONFIG_HOME/berth/definitions (~/.config/…). */
function userDefinitionsDir(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'berth/definitions');
}

/**
 * Where an administrator's (or user's) own definitions go, e.g. for `berth import --install`:
 * /etc/berth/definitions, the user's ~/.config/berth/definitions, or the first of $BERTH_UNIT_DIRS.
 */
export function definitionsDir(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const override = env['BERTH_UNIT_DIRS']?.split(':').find((d) => d !== '');
  if (override) return override;
  return user ? userDefinitionsDir(env) : '/etc/berth/definitions';
}

/**
 * The search path as a pure function of the facts: berth's folders, then Quadlet's unless podman's own
 * Quadlet generator compiles them (`podmanQuadlet`). $BERTH_UNIT_DIRS replaces it all.
 */
export function definitionFolders(user: boolean, env: NodeJS.ProcessEnv, uid: number, podmanQuadlet: boolean): string[] {
  const override = env['BERTH_UNIT_DIRS'];
  if (override) return override.split(':').filter((d) => d !== '');
  const dirs = berthFolders(user, env, uid);
  return podmanQuadlet ? dirs : [...dirs, ...quadletDirs(user, env, uid, homedir())];
}

/** berth's own folders for a scope (without $BERTH_UNIT_DIRS). */
export function berthFolders(user: boolean, env: NodeJS.ProcessEnv, uid: number): string[] {
  if (!user) return [...SYSTEM_DIRS];
  const dirs: string[] = [];
  if (env['XDG_RUNTIME_DIR']) dirs.push(join(env['XDG_RUNTIME_DIR'], 'berth/definitions'));
  dirs.push(userDefinitionsDir(env));
  dirs.push(`${USERS_DIR}/${uid}`, USERS_DIR);
  return dirs;
}

/**
 * This host's search path: definitionFolders() with podman's Quadlet generator probed (a few lstat) only
 * when $BERTH_UNIT_DIRS does not replace the list.
 */
export function searchPaths(user: boolean, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string[] {
  if (env['BERTH_UNIT_DIRS']) return definitionFolders(user, env, uid, false);
  return definitionFolders(user, env, uid, podmanQuadletRuns(probePodmanGenerator(user ? 'user' : 'system')));
}
