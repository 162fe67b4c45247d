/**
 * Reads a podman command line as podman's flag parser (spf13/pflag, interspersed off) does: `--flag value`
 * and `--flag=value`; a boolean flag takes no separate value (`--rm`, `--rm=false`); short flags bundle
 * (`-dt`), and a short flag that takes a value takes the rest of its bundle or else the next word (`-p8080:80`,
 * `-p 8080:80`); options end at the first word that is not one, or after `--`.
 */
import { UsageError } from '../errors.js';

/** `bool`: no separate value; `single`: one value, the last one wins; `list`: every occurrence counts. */
export type FlagKind = 'bool' | 'single' | 'list';

export interface FlagSpec {
  /** Long flags (`--rm`) and their kinds. */
  readonly flags: ReadonlyMap<string, FlagKind>;
  /** Short flag (`-d`) → its long flag. */
  readonly shorts: ReadonlyMap<string, string>;
  /** Older spellings → the long flag. */
  readonly aliases: ReadonlyMap<string, string>;
}

export interface Option {
  /** The long flag, aliases resolved (`-p`, `--net` → `--publish`, `--network`). */
  readonly flag: string;
  /** The value; a boolean flag's is `true` or `false`. */
  readonly value: string;
  /** As it was written, for notes (`-p`). */
  readonly written: string;
}

export interface ParsedArgv {
  readonly options: readonly Option[];
  /** The words from the first positional one on (the image and its command). */
  readonly positionals: readonly string[];
}

/** A spec from lists of `name [short]` entries by kind, and the older spellings (`--net` → `--network`). */
export function flagSpec(bool: readonly string[], single: readonly string[], list: readonly string[], aliases: Readonly<Record<string, string>> = {}): FlagSpec {
  const flags = new Map<string, FlagKind>();
  const shorts = new Map<string, string>();
  for (const [names, kind] of [[bool, 'bool'], [single, 'single'], [list, 'list']] as const) {
    for (const entry of names) {
      const [name, short] = entry.split(' ') as [string, string | undefined];
      flags.set(`--${name}`, kind);
      if (short) shorts.set(`-${short}`, `--${name}`);
    }
  }
  return { flags, shorts, aliases: new Map(Object.entries(aliases)) };
}

// Go's strconv.ParseBool, which pflag's boolean flags use.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function boolValue(flag: string, v: string): string {
  if (TRUE.has(v)) return 'true';
  if (FALSE.has(v)) return 'false';
  throw new UsageError(`invalid argument "${v}" for "${flag}": not a boolean`);
}

/** The long flag a written one stands for, or a UsageError naming the unknown flag. */
export function longFlag(spec: FlagSpec, written: string): string {
  const flag = written.startsWith('--') ? (spec.aliases.get(written) ?? written) : spec.shorts.get(written);
  if (flag === undefined || !spec.flags.has(flag)) throw new UsageError(`unknown flag: ${written}`);
  return flag;
}

export function parseArgv(spec: FlagSpec, argv: readonly string[]): ParsedArgv {
  const options: Option[] = [];
  let i = 0;
  /** The value of a flag that takes one: `inline` when given with it, else the next word. */
  const value = (flag: string, written: string, inline: string | undefined): string => {
    if (spec.flags.get(flag) === 'bool') return boolValue(written, inline ?? 'true');
    if (inline !== undefined) return inline;
    if (i >= argv.length) throw new UsageError(`flag needs an argument: ${written}`);
    return argv[i++]!;
  };
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') return { options, positionals: argv.slice(i + 1) };
    if (!word.startsWith('-') || word === '-') break;
    i++;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const written = eq < 0 ? word : word.slice(0, eq);
      const flag = longFlag(spec, written);
      options.push({ flag, value: value(flag, written, eq < 0 ? undefined : word.slice(eq + 1)), written });
      continue;
    }
    // A bundle: each letter a flag, until one that takes a value takes the rest.
    for (let j = 1; j < word.length; j++) {
      const written = `-${word[j]}`;
      const flag = longFlag(spec, written);
      let rest: string | undefined = word.slice(j + 1);
      if (rest.startsWith('=')) rest = rest.slice(1);
      else if (rest === '' || spec.flags.get(flag) === 'bool') rest = undefined;
      options.push({ flag, value: value(flag, written, rest), written });
      if (rest !== undefined) break;
    }
  }
  return { options, positionals: argv.slice(i) };
}
