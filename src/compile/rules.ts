/**
 * The table-driven part of every compiler: how a key's value becomes podman flags. Each section kind
 * (Container, Volume, Network …) is a table of key → rule, in the order the flags are emitted.
 */
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { splitWords } from '../unit/quote.js';
import type { Command } from './command.js';
import { atLeast, type Version } from './version.js';

export type Rule =
  /** Last value, when not empty: `flag value` (or `flag format(value)`). */
  | { kind: 'string'; flag: string; format?: string; joined?: boolean }
  /** Every line: `flag line`; `legacy` names the flag's older spelling, for podmans before a version. */
  | { kind: 'lines'; flag: string; format?: string; legacy?: { before: string; flag: string } }
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
  /** Handled by the compiler's own code (references between units, paths, validation). */
  | { kind: 'custom' }
  /** Accepted and read elsewhere (e.g. ServiceName), emits nothing here. */
  | { kind: 'none' };

export interface KeyDef {
  readonly rule: Rule;
  /**
   * The podman feature the key needs, as a FLAG_SINCE key (e.g. 'run --health-on-failure'); for table
   * rules with a flag this defaults to '<subcommand> <flag>'.
   */
  readonly gate?: string;
}

export type KeyTable = Readonly<Record<string, KeyDef>>;

const fmt = (format: string | undefined, v: string): string => (format ? format.replace('%s', v) : v);

/** Words of a strv key, as systemd's config_parse_strv (and Quadlet's LookupAllStrv) reads them. */
export function strvWords(unit: UnitFile, section: string, key: string): string[] {
  return unit.list(section, key).flatMap((e) => splitWords(e.value, { retainEscape: true, relax: true }));
}

/** Environment-style assignments merged across lines; a later K wins. */
export function keyVals(unit: UnitFile, section: string, key: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const e of unit.list(section, key)) {
    for (const word of unit.split(e)) {
      const eq = word.indexOf('=');
      if (eq < 0) out.set(word, undefined);
      else out.set(word.slice(0, eq), word.slice(eq + 1));
    }
  }
  return out;
}

/** Emits the flags of one table rule for a key. Custom and none rules emit nothing. */
export function applyRule(unit: UnitFile, section: string, key: string, rule: Rule, cmd: Command, target: Version): void {
  switch (rule.kind) {
    case 'string': {
      const v = unit.get(section, key);
      if (v) cmd.add(...(rule.joined ? [`${rule.flag}=${fmt(rule.format, v)}`] : [rule.flag, fmt(rule.format, v)]));
      return;
    }
    case 'lines': {
      const flag = rule.legacy && !atLeast(target, rule.legacy.before) ? rule.legacy.flag : rule.flag;
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
      for (const w of strvWords(unit, section, key)) cmd.add(rule.flag, fmt(rule.format, rule.lower ? w.toLowerCase() : w));
      return;
    case 'args':
      for (const w of unit.words(section, key)) cmd.add(rule.flag, fmt(rule.format, w));
      return;
    case 'keyval':
      cmd.addKeyVals(rule.flag, keyVals(unit, section, key));
      return;
    case 'raw':
      cmd.add(...unit.words(section, key));
      return;
    case 'custom':
    case 'none':
      return;
  }
}

/** The flag a rule emits for a target podman, for deriving its version gate. */
export function ruleFlag(rule: Rule, target: Version): string | undefined {
  switch (rule.kind) {
    case 'lines':
      return rule.legacy && !atLeast(target, rule.legacy.before) ? rule.legacy.flag : rule.flag;
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

/** Entries of a section whose key the table does not know. */
export function unknownKeys(unit: UnitFile, section: string, table: KeyTable): Entry[] {
  return unit.entries(section).filter((e) => !Object.hasOwn(table, e.key));
}
