/**
 * The checks every definition gets before it is compiled: each key of its kind's section is known, read as
 * Quadlet reads it (with a warning where Quadlet ignores a line or reads a value as false), and supported by
 * the target podman — or left out with a warning when it only refines how the unit runs.
 */
import type { DefinitionError } from '../errors.js';
import { SplitError } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import { ARGS, entryWords, isBooleanWord, STRV, type UnitFile } from '../unit/unit-file.js';
import type { Definition } from './definition.js';
import { degraded, requireGate, supports, type Gate } from './gates.js';
import type { Problems } from './problems.js';
import { keyGate, unknownKeys, valueSyntax, type KeyTable, type ValueSyntax } from './rules.js';
import { systemdSectionOf } from './systemd-keys.js';
import type { Version } from './version.js';

const QUADLET_KEYS = new Set(['DefaultDependencies']);

/** How a kind checks that the target podman has what a key needs (kube maps to `play kube` on old podman). */
export type GateCheck = (target: Version, unit: UnitFile, e: Entry, g: Gate | undefined) => void;

/** An unknown key, with where it belongs when it is a systemd setting. */
function unknownKey(unit: UnitFile, e: Entry, section: string): DefinitionError {
  const home = systemdSectionOf(e.key);
  const hint = home && home !== section ? `: ${e.key}= is a systemd setting, it belongs in [${home}]` : '';
  return unit.error(e, `unknown key in [${section}]${hint}`);
}

/**
 * Quadlet ignores a line it cannot split into words and reads any value that is not a boolean word as false;
 * berth reads them the same way, and says so.
 */
function lenientValues(unit: UnitFile, section: string, key: string, syntax: ValueSyntax, problems: Problems): void {
  if (syntax === 'bool') {
    const e = unit.last(section, key)!;
    if (!isBooleanWord(e.value)) problems.warnings.push(unit.error(e, `"${e.value}" is not a boolean (yes, no, true, false, on, off, 1, 0); it is read as false, as Quadlet reads it`));
    return;
  }
  for (const e of unit.list(section, key)) {
    const words = entryWords(e, syntax === 'args' ? ARGS : STRV);
    if (words instanceof SplitError) problems.warnings.push(unit.error(e, `${words.message}: the line is ignored, as Quadlet ignores it`));
  }
}

/** Kinds whose Image= names an image podman pulls, which Quadlet wants fully qualified. */
const PULLED_IMAGE = new Set(['Container', 'Volume', 'Image', 'Artifact']);

/**
 * A short image name (nginx, library/nginx) makes podman guess the registry from short-name aliases:
 * slower and less safe. Quadlet warns in these words; image IDs, localhost/… and names with a registry
 * host (a dot or a port before the first slash) are fine.
 */
function shortNameWarning(def: Definition, section: string): DefinitionError | undefined {
  const key = section === 'Artifact' ? 'Artifact' : 'Image';
  const image = def.unit.get(section, key);
  if (!image || image.endsWith('.build') || image.endsWith('.image')) return undefined;
  if (image.startsWith('sha256:') || /^[0-9a-fA-F]{64}$/.test(image)) return undefined;
  const slash = image.indexOf('/');
  const domain = slash < 0 ? undefined : image.slice(0, slash);
  if (domain !== undefined && (/[.:]/.test(domain) || domain === 'localhost')) return undefined;
  return def.unit.error(def.unit.last(section, key)!,
    `Warning: ${def.fileName} specifies the image "${image}" which not a fully qualified image name. This is not ideal for performance and security reasons. See the podman-pull manpage discussion of short-name-aliases.conf for details.`);
}

export interface KeyCheckSpec {
  readonly section: string;
  readonly keys: KeyTable;
  /** The podman subcommand a table flag belongs to, for its gate: '<subcommand> <flag>'. */
  readonly subcommand: string;
  readonly requireGate?: GateCheck;
}

/** Checks every key of the kind's section: known to the table, readable, and supported by the target podman. */
export function checkKeys(def: Definition, spec: KeyCheckSpec, target: Version, problems: Problems): void {
  const { section, keys: table } = spec;
  const require = spec.requireGate ?? requireGate;
  for (const e of unknownKeys(def.unit, section, table)) problems.errors.push(unknownKey(def.unit, e, section));
  for (const e of def.unit.entries('Quadlet')) {
    if (!QUADLET_KEYS.has(e.key)) problems.errors.push(unknownKey(def.unit, e, 'Quadlet'));
  }
  if (def.unit.has('Quadlet', 'DefaultDependencies')) lenientValues(def.unit, 'Quadlet', 'DefaultDependencies', 'bool', problems);
  const shortName = PULLED_IMAGE.has(section) ? shortNameWarning(def, section) : undefined;
  if (shortName) problems.warnings.push(shortName);
  const seen = new Set<string>();
  for (const e of def.unit.entries(section)) {
    const keyDef = table[e.key];
    if (!keyDef || seen.has(e.key)) continue;
    seen.add(e.key);
    const syntax = valueSyntax(keyDef);
    if (syntax) lenientValues(def.unit, section, e.key, syntax, problems);
    const last = def.unit.last(section, e.key)!;
    if (last.value === '') continue;
    const g = keyGate(keyDef, spec.subcommand, target);
    if (keyDef.below === 'drop' && g && !supports(target, g)) {
      problems.dropped.add(e.key);
      problems.warnings.push(degraded(target, def.unit, last, g));
    } else problems.guard(() => require(target, def.unit, last, g));
  }
}
