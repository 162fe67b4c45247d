/**
 * Whether a definition's unit starts at boot, switched by `berth enable|disable` without editing the
 * definition (generated units cannot be `systemctl enable`d). The state is a folder of berth's own:
 *
 *   system: /etc/berth/enabled        user: $XDG_CONFIG_HOME/berth/enabled (~/.config/…)
 *   ($BERTH_ENABLED_DIR replaces it, for tests)
 *
 * holding an empty file per definition that was switched: `web.container.enabled` or
 * `web.container.disabled`. The generator reads it with one readdir (names and types only, nothing
 * opened): no entry means the definition's own [Install] section decides (links when it has one, as Quadlet
 * does); `.enabled` makes the [Install] links, plus a WantedBy= of the default target (multi-user.target,
 * or default.target for a user) when [Install] names none; `.disabled` makes no [Install] link at all
 * (Alias= included, as `systemctl disable` removes aliases). When both are there (a switch cut short
 * between creating the new name and removing the old one), disabled wins: that is either the state before
 * or the one after. Names of no definition, and anything but regular files, mean nothing.
 *
 * The folder is trusted only when it, and every folder above it, is root's (the user's, in user scope)
 * and writable by no one else (checkpoint/trust-rule.ts): otherwise it is ignored with a warning, and
 * every definition is as its [Install] section says.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { distrust } from '../checkpoint/trust-rule.js';

export type EnabledState = 'enabled' | 'disabled';

export const ENABLED_SUFFIX = '.enabled';
export const DISABLED_SUFFIX = '.disabled';

/** The state folder of a scope: $BERTH_ENABLED_DIR, else /etc/berth/enabled or $XDG_CONFIG_HOME/berth/enabled. */
export function enabledDir(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const override = env['BERTH_ENABLED_DIR'];
  if (override) return override;
  if (!user) return '/etc/berth/enabled';
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'berth/enabled');
}

/** The target `berth enable` wants a unit by when its [Install] names none. */
export function defaultTarget(user: boolean): string {
  return user ? 'default.target' : 'multi-user.target';
}

/** The entry's name for a definition's state. */
export function stateFileName(definition: string, state: EnabledState): string {
  return definition + (state === 'enabled' ? ENABLED_SUFFIX : DISABLED_SUFFIX);
}

/** The states that a folder's entry names say, by definition file name (pure: for the generator and tests). */
export function parseEnabledNames(names: Iterable<string>): Map<string, EnabledState> {
  const states = new Map<string, EnabledState>();
  for (const name of names) {
    if (name.startsWith('.')) continue; // temporary files of a switch under way
    if (name.endsWith(DISABLED_SUFFIX)) states.set(name.slice(0, -DISABLED_SUFFIX.length), 'disabled');
    else if (name.endsWith(ENABLED_SUFFIX)) {
      const definition = name.slice(0, -ENABLED_SUFFIX.length);
      if (!states.has(definition)) states.set(definition, 'enabled');
    }
  }
  states.delete('');
  return states;
}

export interface EnabledReading {
  readonly states: Map<string, EnabledState>;
  /** Why the folder was ignored, when it was. */
  readonly warning?: string;
}

/**
 * Why the folder cannot be trusted, or undefined: the folder symlinks resolved (a link in a trusted folder
 * is as good as its target), then it and each folder above it. A folder that does not exist throws ENOENT.
 */
function distrustFolder(dir: string, euid: number): string | undefined {
  const real = realpathSync(dir);
  const named = real === dir ? dir : `${dir} (${real})`;
  for (let p = real, first = true; ; p = dirname(p), first = false) {
    const st = lstatSync(p);
    if (first && !st.isDirectory()) return `${named} is not a folder`;
    const why = distrust(first ? `the state folder ${named}` : `${p}, above the state folder ${named}`, st, { ancestor: !first, euid });
    if (why) return why;
    if (dirname(p) === p) return undefined;
  }
}

/** Reads the state folder: one readdir, after a look at the folder and those above it. Never throws. */
export function readEnabledState(dir: string, euid: number = process.geteuid?.() ?? 0): EnabledReading {
  try {
    if (!dir.startsWith('/')) return { states: new Map(), warning: `the state folder ${dir} is not an absolute path; it is ignored` };
    const why = distrustFolder(dir, euid);
    if (why) return { states: new Map(), warning: `${why}; berth ignores its enabled/disabled states (make it ${euid === 0 ? 'root' : 'your'}'s alone)` };
    const entries = readdirSync(dir, { withFileTypes: true });
    return { states: parseEnabledNames(entries.filter((e) => e.isFile()).map((e) => e.name)) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { states: new Map() };
    return { states: new Map(), warning: `the state folder ${dir} cannot be read (${(err as Error).message}); it is ignored` };
  }
}
