/**
 * The table-driven part of every compiler: how a key's value becomes podman flags. Each kind's section
 * (Container, Volume, Network …) is a table of key → rule, in the order the flags are emitted.
 */
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { gate, supports, type Gate } from './gates.js';
import type { Handler, Job } from './job.js';
import { NEWEST_PODMAN, OLDEST_PODMAN, type Version } from './version.js';

export type Rule =
  /** Last value, when not empty: `flag value` (or `flag format(value)`). */
  | { kind: 'string'; flag: string; format?: string; joined?: boolean }
  /** Every line: `flag line`; `legacy` is the flag's older spelling, for a podman that lacks `flag`. */
  | { kind: 'lines'; flag: string; format?: string; legacy?: string }
  /** `flag` / `flag=false`. */
  | { kind: 'bool'; flag: string }
  /** When true: the given words. */
  | { kind: 'if-true'; args: readonly string[] }
  /** Each whitespace-separated word of every line (systemd strv rules): `flag word`. */
  | { kind: 'words'; flag: string; format?: string; lower?: boolean }
  /** Each word of every line, split exec-style (quotes and C escapes): `flag word`. */
  | { kind: 'args'; flag: string; format?: string }
  /** Environment-style K=V words, merged, sorted by key: `flag K=V`. */
  | { kind: 'keyval'; flag: string }
  /** Raw words, exec-style (PodmanArgs, GlobalArgs). */
  | { kind: 'raw' }
  /** Handled by the kind's handler of that name, in table order (references between units, paths, validation). */
  | { kind: 'custom' }
  /** Accepted and read elsewhere (ServiceName, Image, Exec …: the compiler's own code around the table). */
  | { kind: 'none' };

/** How Quadlet reads a key's value, for the warnings about lines it ignores or reads as false. */
export type ValueSyntax = 'args' | 'strv' | 'bool';

export interface KeyDef {
  readonly rule: Rule;
  /** For custom keys: how the compiler reads the value (table rules imply it). */
  readonly syntax?: ValueSyntax;
  /**
   * The podman feature the key needs, as a FLAG_SINCE key (e.g. 'run --health-on-failure'); for table
   * rules with a flag this defaults to '<subcommand> <flag>'.
   */
  readonly gate?: string;
  /**
   * What to do when the target podman lacks the key: refuse the definition (the default, for keys that
   * change what runs), or 'drop' it with a warning (refinements such as pull retries or startup checks).
   */
  readonly below?: 'drop';
}

export type KeyTable = Readonly<Record<string, KeyDef>>;

/** `format` with its `%s` replaced by the value; never String.replace, whose replacement string reads `$&`, `$$` …. */
const fmt = (format: string | undefined, v: string): string => {
  if (!format) return v;
  const at = format.indexOf('%s');
  return at < 0 ? format : format.slice(0, at) + v + format.slice(at + 2);
};

/** Environment-style assignments merged across lines; a later K wins; a line Quadlet cannot split is left out. */
export function keyVals(unit: UnitFile, section: string, key: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const e of unit.list(section, key)) {
    for (const word of unit.splitEntry(e) ?? []) {
      const eq = word.indexOf('=');
      if (eq < 0) out.set(word, undefined);
      else out.set(word.slice(0, eq), word.slice(eq + 1));
    }
  }
  return out;
}

/** How a key's value is read: declared for custom keys, implied by table rules. */
export function valueSyntax(def: KeyDef): ValueSyntax | undefined {
  if (def.syntax) return def.syntax;
  switch (def.rule.kind) {
    case 'bool':
    case 'if-true':
      return 'bool';
    case 'words':
      return 'strv';
    case 'args':
    case 'keyval':
    case 'raw':
      return 'args';
    default:
      return undefined;
  }
}

/** The flag a rule emits for a target podman: the older spelling where the target lacks the flag. */
export function ruleFlag(rule: Rule, subcommand: string, target: Version): string | undefined {
  switch (rule.kind) {
    case 'lines':
      return rule.legacy && !supports(target, gate(`${subcommand} ${rule.flag}`)) ? rule.legacy : rule.flag;
    case 'string':
    case 'bool':
    case 'words':
    case 'args':
    case 'keyval':
      return rule.flag;
    case 'if-true':
      return rule.args[0]?.split('=')[0];
    default:
      return undefined;
  }
}

/** The gate a key needs: given in the table, or that of the flag its rule emits for the target podman. */
export function keyGate(keyDef: KeyDef, subcommand: string, target: Version): Gate | undefined {
  if (keyDef.gate) return gate(keyDef.gate);
  const flag = ruleFlag(keyDef.rule, subcommand, target);
  return flag ? gate(`${subcommand} ${flag}`) : undefined;
}

/** Emits the flags of one table rule for a key. Custom and none rules emit nothing. */
function applyRule(job: Job, key: string, rule: Rule, subcommand: string): void {
  const { unit, section, cmd } = job;
  switch (rule.kind) {
    case 'string': {
      const v = unit.get(section, key);
      if (v) cmd.add(...(rule.joined ? [`${rule.flag}=${fmt(rule.format, v)}`] : [rule.flag, fmt(rule.format, v)]));
      return;
    }
    case 'lines': {
      const flag = ruleFlag(rule, subcommand, job.ctx.target)!;
      for (const e of unit.list(section, key)) cmd.add(flag, fmt(rule.format, e.value));
      return;
    }
    case 'bool': {
      const b = unit.bool(section, key);
      if (b !== undefined) cmd.addBool(rule.flag, b);
      return;
    }
    case 'if-true':
      if (unit.bool(section, key)) cmd.add(...rule.args);
      return;
    case 'words':
      for (const w of unit.strv(section, key)) cmd.add(rule.flag, fmt(rule.format, rule.lower ? w.toLowerCase() : w));
      return;
    case 'args':
      for (const w of unit.args(section, key)) cmd.add(rule.flag, fmt(rule.format, w));
      return;
    case 'keyval':
      cmd.addKeyVals(rule.flag, keyVals(unit, section, key));
      return;
    case 'raw':
      cmd.addAll(unit.args(section, key));
      return;
    case 'custom':
    case 'none':
      return;
  }
}

/**
 * Emits a kind's flags in table order: table rules directly, custom keys through the kind's handlers
 * (which always run: they add defaults). A key that fails is recorded and the others still run, so one
 * pass reports every problem; a key left out for an older podman (problems.dropped) emits nothing.
 */
export function applyKeys<J extends Job>(job: J, table: KeyTable, subcommand: string, handlers: Readonly<Record<string, Handler<J>>>): void {
  const { unit, section, problems } = job;
  for (const [key, rule] of rowsOf(table)) {
    if ((rule.kind !== 'custom' && !unit.has(section, key)) || problems.dropped.has(key)) continue;
    try {
      if (rule.kind === 'custom') handlers[key]!(job);
      else applyRule(job, key, rule, subcommand);
    } catch (err) {
      problems.record(err);
    }
  }
}

/** Each table's keys and rules in order, listed once: every definition walks its kind's table. */
const ROWS = new WeakMap<KeyTable, ReadonlyArray<readonly [string, Rule]>>();

function rowsOf(table: KeyTable): ReadonlyArray<readonly [string, Rule]> {
  let rows = ROWS.get(table);
  if (!rows) ROWS.set(table, (rows = Object.entries(table).map(([key, def]) => [key, def.rule] as const)));
  return rows;
}

/**
 * Checks a kind's table when its module loads: every gate it names or derives is in the table of versions,
 * and every custom key has its handler. A mistake here is berth's and must not wait for a definition to use the key.
 */
export function checkedTable<J extends Job>(subcommand: string, table: KeyTable, handlers: Readonly<Record<string, Handler<J>>>): KeyTable {
  for (const [key, def] of Object.entries(table)) {
    for (const target of [OLDEST_PODMAN, NEWEST_PODMAN]) keyGate(def, subcommand, target);
    if (def.rule.kind === 'custom' && !Object.hasOwn(handlers, key)) throw new Error(`${subcommand}: the custom key ${key} has no handler`);
  }
  for (const key of Object.keys(handlers)) {
    if (table[key]?.rule.kind !== 'custom') throw new Error(`${subcommand}: a handler for ${key}, which is not a custom key of the table`);
  }
  return table;
}

/** Entries of a section whose key the table does not know. */
export function unknownKeys(unit: UnitFile, section: string, table: KeyTable): Entry[] {
  return unit.entries(section).filter((e) => !Object.hasOwn(table, e.key));
}
