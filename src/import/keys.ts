/**
 * The part of every importer that turns parsed flags into a definition's keys. The flags a kind's key table
 * (CONTAINER_KEYS, POD_KEYS …) turns into a flag become that key, read back from the table's own rules; the
 * keys compiled by custom code are read back by the importer's Custom list. What has no key, or a value its
 * key cannot carry unchanged, is passed on in PodmanArgs= with a note and a warning.
 */
import type { KeyTable, Rule } from '../compile/rules.js';
import { literalValue, quoteArgvLiteral } from '../unit/quote.js';
import type { FlagSpec, Option } from './argv.js';

/** A key's value as the definition writes it, or undefined when the key cannot carry this value. */
export type Reader = (value: string) => string | undefined;

/** Yes/no from a parsed boolean. */
export const yesNo: Reader = (v) => (v === 'true' ? 'yes' : 'no');
/** One word of a strv key (systemd's strv rules keep backslashes and group by quotes): only plain words. */
export const strvWord: Reader = (v) => (/^[^\s"'\\]+$/u.test(v) ? literalValue(v) : undefined);
/** One word of an exec-style key: quoted, and every `%` and `$` literal. */
export const argWord: Reader = (v) => quoteArgvLiteral([v]);

/** What a table rule reads back, by its kind; the flag's value is given without the rule's format prefix. */
const BY_RULE: Partial<Record<Rule['kind'], Reader>> = {
  string: literalValue,
  lines: literalValue,
  bool: yesNo,
  words: strvWord,
  args: argWord,
  keyval: argWord,
};

/** A custom key read back: its flag, the prefix the flag's value must start with (the key gets the rest), reader. */
export interface Custom {
  readonly key: string;
  readonly flag: string;
  readonly prefix?: string;
  readonly read: Reader;
}

interface Target {
  readonly key: string;
  /** The value must start with this; the key gets the rest (a rule's format, e.g. `label=type:`). */
  readonly prefix: string;
  /** For if-true rules: the whole value that means the key is true. */
  readonly exact?: string;
  readonly read: Reader;
  /** The key holds one value: a second occurrence of the flag goes to PodmanArgs=. */
  readonly single: boolean;
}

/** A podman command's flags and the kind of definition they become. */
export interface ImportSpec {
  readonly flags: FlagSpec;
  readonly table: KeyTable;
  readonly custom: readonly Custom[];
  /** Flags systemd makes meaningless (or the unit sets itself) → why they are dropped. */
  readonly dropped: ReadonlyMap<string, string>;
}

export type Targets = ReadonlyMap<string, readonly Target[]>;

/** flag → the keys it can become, derived from the key table (and the custom list for custom keys). */
export function targetsOf(spec: ImportSpec): Targets {
  const out = new Map<string, Target[]>();
  const add = (flag: string, t: Target): void => void out.set(flag, [...(out.get(flag) ?? []), t]);
  for (const [key, def] of Object.entries(spec.table)) {
    const rule = def.rule;
    if (rule.kind === 'if-true') {
      const [flag, value] = rule.args.length === 1 ? rule.args[0]!.split('=') : rule.args;
      add(flag!, { key, prefix: '', exact: value!, read: () => 'yes', single: true });
    } else if ('flag' in rule) {
      const format = 'format' in rule ? rule.format : undefined;
      // Formats put the value last (label=type:%s); a prefix is what the flag's value must start with.
      if (format !== undefined && !format.endsWith('%s')) throw new Error(`${key}: format ${format} does not end in %s`);
      add(rule.flag, { key, prefix: format?.slice(0, -2) ?? '', read: BY_RULE[rule.kind]!, single: rule.kind === 'string' || rule.kind === 'bool' });
      if (rule.kind === 'lines' && rule.legacy) add(rule.legacy, { key, prefix: '', read: BY_RULE.lines!, single: false });
    }
  }
  for (const c of spec.custom) {
    if (!['custom', 'none'].includes(spec.table[c.key]?.rule.kind ?? '')) throw new Error(`import: ${c.key} is not a custom key of its table`);
    add(c.flag, { key: c.key, prefix: c.prefix ?? '', read: c.read, single: c.prefix !== undefined || spec.flags.flags.get(c.flag) !== 'list' });
  }
  return out;
}

/** The key an option becomes with its value as written, or undefined (PodmanArgs=). */
function asKey(targets: Targets, o: Option, keys: ReadonlyMap<string, readonly string[]>): { key: string; value: string } | undefined {
  for (const t of targets.get(o.flag) ?? []) {
    if (t.exact !== undefined ? o.value !== t.exact : !o.value.startsWith(t.prefix)) continue;
    const value = t.read(o.value.slice(t.prefix.length));
    return value === undefined || (t.single && keys.has(t.key)) ? undefined : { key: t.key, value };
  }
  return undefined;
}

export interface ImportedKeys {
  /** The table's keys in its order, each with its values as the definition writes them. */
  readonly entries: ReadonlyArray<readonly [string, string]>;
  /** PodmanArgs=, when anything goes there: the importer writes it last. */
  readonly podmanArgs: ReadonlyArray<readonly [string, string]>;
  readonly keys: ReadonlyMap<string, readonly string[]>;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** Parsed options → keys, PodmanArgs=, and the notes and warnings about what did not become a key. */
export function importKeys(spec: ImportSpec, targets: Targets, options: readonly Option[]): ImportedKeys {
  const notes: string[] = [];
  const warnings: string[] = [];
  const keys = new Map<string, string[]>();
  const podmanArgs: string[] = [];
  // Of a flag that holds one value only the last counts: podman reads the others and drops them.
  const lastOf = new Map<string, number>();
  options.forEach((o, i) => lastOf.set(o.flag, i));
  options.forEach((o, i) => {
    const kind = spec.flags.flags.get(o.flag);
    if (kind !== 'list' && lastOf.get(o.flag) !== i) return;
    const dropped = spec.dropped.get(o.flag);
    if (dropped) return void notes.push(`${o.written} dropped: ${dropped}`);
    const k = asKey(targets, o, keys);
    if (k) return void keys.set(k.key, [...(keys.get(k.key) ?? []), k.value]);
    podmanArgs.push(...(kind === 'bool' ? [o.value === 'true' ? o.flag : `${o.flag}=false`] : [o.flag, o.value]));
    const why = targets.has(o.flag) ? 'this value has no Quadlet key that passes it on unchanged' : 'no Quadlet key';
    notes.push(`${o.written} passed on in PodmanArgs= (${why})`);
    warnings.push(`${o.written} has ${why === 'no Quadlet key' ? 'no Quadlet key' : 'a value no Quadlet key passes on unchanged'}: it goes into PodmanArgs=`);
  });
  const entries: Array<[string, string]> = [];
  for (const key of Object.keys(spec.table)) for (const v of keys.get(key) ?? []) entries.push([key, v]);
  return { entries, podmanArgs: podmanArgs.length > 0 ? [['PodmanArgs', quoteArgvLiteral(podmanArgs)]] : [], keys, notes, warnings };
}
