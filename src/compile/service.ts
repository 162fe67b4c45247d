/**
 * What every kind's compiler does to turn a definition into a service: copy the definition, rename its
 * own section to X-<Section> so systemd ignores it, translate dependencies on other definitions into
 * their services, add the default dependencies, and check its keys against the table and the target podman.
 */
import { VersionError } from '../errors.js';
import { Problems } from './problems.js';

export { Problems };
import { KINDS, type Definition } from '../model/definition.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Entry } from '../unit/syntax.js';
import { quoteWords } from '../unit/quote.js';
import type { CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { applyRule, ruleFlag, unknownKeys, strvWords, type KeyDef, type KeyTable } from './rules.js';
import type { Command } from './command.js';
import { atLeast, formatVersion, type Version } from './version.js';

const DEPENDENCY_KEYS = [
  'After', 'Before', 'BindsTo', 'Conflicts', 'OnFailure', 'OnSuccess', 'PartOf', 'PropagatesReloadTo',
  'PropagatesStopTo', 'ReloadPropagatedFrom', 'Requires', 'Requisite', 'StopPropagatedFrom', 'Upholds', 'Wants',
];

const QUADLET_KEYS = new Set(['DefaultDependencies']);

// podman, not systemd, must switch users: a service running podman as another user breaks it.
const UNSUPPORTED_SERVICE_KEYS = ['User', 'Group', 'DynamicUser'];


/** Throws unless the target podman has the feature `gate` (a FLAG_SINCE key). */
export function requireFeature(ctx: CompileContext, unit: UnitFile, e: Entry, gate: string): void {
  const needed = FLAG_SINCE[gate];
  if (needed && !atLeast(ctx.target, needed)) {
    throw new VersionError(
      { file: e.file ?? unit.path, line: e.line, column: e.column, key: e.key },
      `needs podman ${needed} or newer (${gate.replace(/^global /, '')}); the target podman is ${formatVersion(ctx.target)}`,
      needed,
    );
  }
}

/** The podman feature (a FLAG_SINCE key) a key needs: given in the table, or derived from its flag. */
export function keyGate(keyDef: KeyDef, subcommand: string, target: Version): string | undefined {
  const flag = ruleFlag(keyDef.rule, target);
  return keyDef.gate ?? (flag ? `${subcommand} ${flag}` : undefined);
}

/** Checks every key of the kind's section: known to the table, and supported by the target podman. */
export function checkKeys(def: Definition, table: KeyTable, subcommand: string, ctx: CompileContext, problems: Problems): void {
  const section = KINDS[def.kind].section;
  for (const e of unknownKeys(def.unit, section, table)) {
    problems.errors.push(def.unit.error(e, `unknown key in [${section}]`));
  }
  for (const e of def.unit.entries('Quadlet')) {
    if (!QUADLET_KEYS.has(e.key)) problems.errors.push(def.unit.error(e, 'unknown key in [Quadlet]'));
  }
  const seen = new Set<string>();
  for (const e of def.unit.entries(section)) {
    const keyDef = table[e.key];
    if (!keyDef || e.value === '' || seen.has(e.key)) continue;
    seen.add(e.key);
    const gate = keyGate(keyDef, subcommand, ctx.target);
    if (gate) problems.guard(() => requireFeature(ctx, def.unit, e, gate));
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
    const deps = strvWords(service, 'Unit', key);
    let translated = false;
    const out = deps.map((dep) => {
      const info = ctx.units.get(dep);
      const ext = dep.slice(dep.lastIndexOf('.') + 1);
      if (!Object.hasOwn(KINDS, ext) || !dep.includes('.')) return dep;
      translated = true;
      if (!info) {
        problems.errors.push(service.error(entries[entries.length - 1]!, `${dep} is not defined on the search path`));
        return dep;
      }
      return `${info.serviceName}.service`;
    });
    if (!translated) continue;
    service.unset('Unit', key);
    service.add('Unit', key, quoteWords(out));
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
    if (rule.kind !== 'custom' && !present.has(key)) continue;
    problems.guard(() => {
      if (rule.kind === 'custom') handlers[key]?.(job);
      else applyRule(unit, section, key, rule, cmd, ctx.target);
    });
  }
}
