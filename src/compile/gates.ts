/**
 * Version gates: what a key or value needs of the target podman, read from the one table
 * (flag-versions.ts). A gate named in code is looked up when its module loads, so a misspelled name fails
 * at once instead of silently disabling its check; a gate derived from a value (`--opt NAME`) may be
 * missing from the table, which means the value needs nothing beyond its flag.
 */
import { VersionError, type DefinitionError } from '../errors.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { FLAG_SINCE } from './flag-versions.js';
import { atLeast, formatVersion, type Version } from './version.js';

export interface Gate {
  /** The table's key, e.g. 'run --sdnotify=healthy'. */
  readonly name: string;
  /** The first podman that has it, e.g. '4.7'. */
  readonly since: string;
}

/** A gate by its name in the table; throws for a name the table lacks (a mistake in berth). */
export function gate(name: string): Gate {
  const since = FLAG_SINCE[name];
  if (since === undefined) throw new Error(`unknown version gate "${name}": it is not in src/compile/flag-versions.ts`);
  return { name, since };
}

/** The gate of a value-derived feature, or undefined when the table has none (nothing beyond the flag). */
export function valueGate(name: string): Gate | undefined {
  const since = FLAG_SINCE[name];
  return since === undefined ? undefined : { name, since };
}

export function supports(target: Version, g: Gate | undefined): boolean {
  return g === undefined || atLeast(target, g.since);
}

/** What a gate needs, in the words of every version message. */
function needs(target: Version, g: Gate): string {
  return `needs podman ${g.since} or newer (${g.name.replace(/^global /, '')}); the target podman is ${formatVersion(target)}`;
}

/** Throws, at the entry, unless the target podman has the gate's feature. */
export function requireGate(target: Version, unit: UnitFile, e: Entry, g: Gate | undefined): void {
  if (g && !supports(target, g)) {
    throw new VersionError({ file: e.file || unit.path, line: e.line, column: e.column, key: e.key }, needs(target, g), g.since);
  }
}

/** A warning that a refinement the target podman lacks is left out, or replaced by `instead`. */
export function degraded(target: Version, unit: UnitFile, e: Entry, g: Gate, instead = 'it is left out'): DefinitionError {
  return unit.error(e, `Warning: ${needs(target, g)}; ${instead}`);
}
