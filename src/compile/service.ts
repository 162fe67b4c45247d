/**
 * What every kind's compiler does to turn a definition into a service: copy the definition, rename its
 * own section to X-<Section> so systemd ignores it, translate dependencies on other definitions into
 * their services, add the default dependencies, and check its keys against the table and the target podman.
 */
import { VersionError, type DefinitionError } from '../errors.js';
import { splitWords, SplitError } from '../unit/quote.js';
import { ARGS, isBooleanWord, STRV } from '../unit/unit-file.js';
import { systemdSectionOf } from './systemd-keys.js';
import { Problems } from './problems.js';

export { Problems };
import { KINDS, type Definition } from '../model/definition.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Entry } from '../unit/syntax.js';
import type { CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { applyRule, ruleFlag, unknownKeys, valueSyntax, type KeyDef, type KeyTable, type ValueSyntax } from './rules.js';
import type { Command } from './command.js';
import { atLeast, formatVersion, type Version } from './version.js';

const DEPENDENCY_KEYS = [
  'After', 'Before', 'BindsTo', 'Conflicts', 'OnFailure', 'OnSuccess', 'PartOf', 'PropagatesReloadTo',
  'PropagatesStopTo', 'ReloadPropagatedFrom', 'Requires', 'Requisite', 'StopPropagatedFrom', 'Upholds', 'Wants',
];

const QUADLET_KEYS = new Set(['DefaultDependencies']);

// podman, not systemd, must switch users: a service running podman as another user breaks it.
const UNSUPPORTED_SERVICE_KEYS = ['User', 'Group', 'DynamicUser'];


/** Whether the target podman has the feature `gate` (a FLAG_SINCE key). */
export function supports(ctx: CompileContext, gate: string): boolean {
  const needed = FLAG_SINCE[gate];
  return !needed || atLeast(ctx.target, needed);
}

/** What a feature needs, in the words of every version message. */
function needs(ctx: CompileContext, gate: string): string {
  return `needs podman ${FLAG_SINCE[gate]} or newer (${gate.replace(/^global /, '')}); the target podman is ${formatVersion(ctx.target)}`;
}

/** Throws unless the target podman has the feature `gate` (a FLAG_SINCE key). */
export function requireFeature(ctx: CompileContext, unit: UnitFile, e: Entry, gate: string): void {
  if (!supports(ctx, gate)) {
    throw new VersionError({ file: e.file || unit.path, line: e.line, column: e.column, key: e.key }, needs(ctx, gate), FLAG_SINCE[gate]!);
  }
}

/** A warning that a refinement the target podman lacks is left out, or replaced by `instead`. */
export function degraded(ctx: CompileContext, unit: UnitFile, e: Entry, gate: string, instead = 'it is left out'): DefinitionError {
  return unit.error(e, `Warning: ${needs(ctx, gate)}; ${instead}`);
}

/** The podman feature (a FLAG_SINCE key) a key needs: given in the table, or derived from its flag. */
export function keyGate(keyDef: KeyDef, subcommand: string, target: Version): string | undefined {
  const flag = ruleFlag(keyDef.rule, target);
  return keyDef.gate ?? (flag ? `${subcommand} ${flag}` : undefined);
}

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
    try {
      splitWords(e.value, syntax === 'args' ? ARGS : STRV);
    } catch (err) {
      if (!(err instanceof SplitError)) throw err;
      problems.warnings.push(unit.error(e, `${err.message}: the line is ignored, as Quadlet ignores it`));
    }
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

/** Checks every key of the kind's section: known to the table, readable, and supported by the target podman. */
export function checkKeys(def: Definition, table: KeyTable, subcommand: string, ctx: CompileContext, problems: Problems): void {
  const section = KINDS[def.kind].section;
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
    const gate = keyGate(keyDef, subcommand, ctx.target);
    if (!gate || supports(ctx, gate)) continue;
    if (keyDef.below === 'drop') {
      problems.dropped.add(e.key);
      problems.warnings.push(degraded(ctx, def.unit, last, gate));
    } else problems.guard(() => requireFeature(ctx, def.unit, last, gate));
  }
}

/** The service skeleton shared by all kinds. */
export function initService(def: Definition, ctx: CompileContext, problems: Problems): UnitFile {
  const section = KINDS[def.kind].section;
  for (const key of UNSUPPORTED_SERVICE_KEYS) {
    const e = def.unit.last('Service', key);
    if (e) problems.warnings.push(def.unit.error(e, `Warning: using key ${key} in the Service group is not supported - use at your own risk`));
  }
  const service = def.unit.clone();
  translateDependencies(service, ctx, problems);
  if (def.unit.bool('Quadlet', 'DefaultDependencies') ?? true) {
    const network = defaultNetworkUnit(ctx);
    if (network) {
      service.prepend('Unit', 'After', network);
      service.prepend('Unit', 'Wants', network);
    }
  }
  if (def.unit.path) service.add('Unit', 'SourcePath', def.unit.path);
  // podman needs its runtime folder mounted before it can start.
  service.add('Unit', 'RequiresMountsFor', '%t/containers');
  service.renameSection(section, `X-${section}`);
  service.renameSection('Quadlet', 'X-Quadlet');
  return service;
}

/** Image pulls and port publishing want the network up; user managers have no network-online.target. */
function defaultNetworkUnit(ctx: CompileContext): string | undefined {
  if (!ctx.user) return 'network-online.target';
  // podman ships a user unit that waits for the system's network from 5.0 on; before that there is none.
  return atLeast(ctx.target, '5.0') ? 'podman-user-wait-network-online.service' : undefined;
}

/** After=web.container and the like name the definition; systemd needs the generated service's name. */
function translateDependencies(service: UnitFile, ctx: CompileContext, problems: Problems): void {
  for (const key of DEPENDENCY_KEYS) {
    const entries = service.list('Unit', key);
    if (entries.length === 0) continue;
    const deps = service.strv('Unit', key);
    let translated = false;
    const out = deps.map((dep) => {
      const info = ctx.units.get(dep);
      const ext = dep.slice(dep.lastIndexOf('.') + 1);
      if (!Object.hasOwn(KINDS, ext) || !dep.includes('.')) return dep;
      translated = true;
      if (!info) {
        problems.errors.push(service.error(entries[entries.length - 1]!, `unable to translate dependency for ${dep}: it is not defined on the search path`));
        return dep;
      }
      return `${info.serviceName}.service`;
    });
    if (!translated) continue;
    service.unset('Unit', key);
    // Unit names hold no spaces or quotes, and systemd reads these lists without unquoting: joined as they are.
    service.add('Unit', key, out.join(' '), entries[entries.length - 1]);
  }
}

/**
 * Emits a kind's flags in table order: table rules directly, custom keys through the kind's handlers.
 * A key that fails is recorded and the others still run, so one pass reports every problem.
 */
export function applyKeys<J>(
  unit: UnitFile,
  section: string,
  table: KeyTable,
  handlers: Readonly<Record<string, (job: J) => void>>,
  job: J,
  cmd: Command,
  ctx: CompileContext,
  problems: Problems,
): void {
  // Table rules emit nothing for an absent key; only custom handlers (which add defaults) always run.
  const present = new Set<string>();
  for (const e of unit.entries(section)) present.add(e.key);
  for (const key in table) {
    const rule = table[key]!.rule;
    if ((rule.kind !== 'custom' && !present.has(key)) || problems.dropped.has(key)) continue;
    problems.guard(() => {
      if (rule.kind === 'custom') handlers[key]?.(job);
      else applyRule(unit, section, key, rule, cmd, ctx.target);
    });
  }
}
