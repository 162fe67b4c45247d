/**
 * The check language of the Quadlet conformance cases (/work/shared/conformance/quadlet/GRAMMAR.md):
 * parsing a case file's `##` lines and evaluating each one against a generated unit. Pure: the unit
 * comes in as text, the output folder only through a readlink callback. The unit is read as systemd reads
 * it (./systemd-reader.ts), never with berth's own parser, so that a check holds for what systemd sees.
 */
import { execWords, readUnit, type Assignment } from './systemd-reader.js';

export interface Check {
  /** 1-based line in the case file. */
  readonly line: number;
  /** The line as written, without the leading `##`. */
  readonly text: string;
  /** e.g. assert-podman-args, without the `!`. */
  readonly op: string;
  readonly invert: boolean;
  readonly args: readonly string[];
}

export class CheckSyntaxError extends Error {
  override readonly name = 'CheckSyntaxError';
}

/** A unit check with no unit systemd would load: a failure whether or not the check is inverted. */
class NoUnitError extends Error {}

/**
 * Splits a check line like a shell: whitespace separates, single quotes take everything literally,
 * double quotes group, and a backslash (outside single quotes) takes the next character literally.
 */
export function splitCheckLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && quote !== "'") {
      if (i + 1 >= line.length) throw new CheckSyntaxError('trailing backslash');
      word += line[++i];
      inWord = true;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (quote) throw new CheckSyntaxError(`unbalanced ${quote}`);
  if (inWord) words.push(word);
  return words;
}

/** After splitting, a literal `\n` or `\t` in an argument stands for a newline or a tab. */
function decodeArg(word: string): string {
  return word.replaceAll('\\n', '\n').replaceAll('\\t', '\t');
}

/** One `##` line (column 0), or undefined for any other line. */
export function parseCheckLine(text: string, line = 0): Check | undefined {
  if (!text.startsWith('##')) return undefined;
  const body = text.slice(2);
  const words = splitCheckLine(body);
  if (words.length === 0) return undefined;
  let op = words[0]!;
  let rest = words.slice(1);
  let invert = false;
  if (op === '!') {
    // `## ! assert-…`: the bang as its own word.
    invert = true;
    op = rest[0] ?? '';
    rest = rest.slice(1);
  } else if (op.startsWith('!')) {
    invert = true;
    op = op.slice(1);
  }
  return { line, text: body.trim(), op, invert, args: rest.map(decodeArg) };
}

/** Every check of a case file, in order. */
export function parseChecks(caseText: string): Check[] {
  const out: Check[] = [];
  caseText.split('\n').forEach((l, i) => {
    const c = parseCheckLine(l.replace(/\r$/, ''), i + 1);
    if (c) out.push(c);
  });
  return out;
}

/** True when the case says no unit may be generated for its file. */
export function expectsFailure(checks: readonly Check[]): boolean {
  return checks.some((c) => c.op === 'assert-failed' && !c.invert);
}

/** What a check is evaluated against. */
export interface CheckSubject {
  /** The generated unit's text; undefined when no unit was generated. */
  readonly unitText: string | undefined;
  /** For messages and the parser. */
  readonly unitPath?: string;
  /** Everything the generator wrote to stderr. */
  readonly stderr: string;
  /** The target of a symbolic link in the output folder (path relative to it), or undefined if none. */
  readonly readlink?: (relPath: string) => string | undefined;
}

export interface CheckResult {
  readonly ok: boolean;
  /** Why it failed (or, for an inverted check, what it found). */
  readonly detail?: string;
}

const COMMAND_KEYS: ReadonlyArray<readonly [string, string]> = [
  // Longest prefix first: stop-post- before stop-.
  ['pre-', 'ExecStartPre'],
  ['stop-post-', 'ExecStopPost'],
  ['stop-', 'ExecStop'],
  ['reload-', 'ExecReload'],
  ['', 'ExecStart'],
];

const COMMAND_CHECKS = new Set([
  'args', 'args-regex', 'global-args', 'final-args', 'final-args-regex', 'args-key-val', 'args-key-val-regex',
]);

/** The names of every check this module understands (command checks in all their variants). */
export function knownOps(): string[] {
  const ops = [
    'assert-key-is', 'assert-key-is-regex', 'assert-key-is-empty', 'assert-has-key', 'assert-key-contains',
    'assert-key-not-contains', 'assert-last-key-contains', 'assert-last-key-is-regex', 'assert-symlink',
    'assert-stderr-contains', 'assert-failed',
  ];
  for (const [variant] of COMMAND_KEYS) for (const kind of COMMAND_CHECKS) ops.push(`assert-podman-${variant}${kind}`);
  return ops;
}

/** Splits `assert-podman-stop-post-final-args-regex` into the unit key and the check kind. */
function commandCheck(op: string): { key: string; kind: string } | undefined {
  if (!op.startsWith('assert-podman-')) return undefined;
  const rest = op.slice('assert-podman-'.length);
  for (const [variant, key] of COMMAND_KEYS) {
    if (!rest.startsWith(variant)) continue;
    const kind = rest.slice(variant.length);
    if (COMMAND_CHECKS.has(kind)) return { key, kind };
  }
  return undefined;
}

/** Unanchored match; a bad pattern is reported as a failed check, not thrown. */
function matches(pattern: string, value: string): boolean {
  return compile(pattern).test(value);
}

const regexCache = new Map<string, RegExp>();
function compile(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = new RegExp(pattern);
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/** Go's encoding/csv with a chosen separator (one record): quotes group at a field's start, "" is a quote. */
export function splitSeparated(text: string, sep: string): string[] {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let atStart = true;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (atStart && c === '"') {
      quoted = true;
      atStart = false;
      i++;
      continue;
    }
    if (text.startsWith(sep, i)) {
      fields.push(field);
      field = '';
      atStart = true;
      i += sep.length;
      continue;
    }
    field += c;
    atStart = false;
    i++;
  }
  fields.push(field);
  return fields;
}

/** `k=v<SEP>k2=v2` as a map; a pair without `=` has an empty value. */
export function keyValMap(text: string, sep: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of splitSeparated(text, sep)) {
    const eq = pair.indexOf('=');
    if (eq < 0) map.set(pair, '');
    else map.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return map;
}

function sameMap(expected: Map<string, string>, actual: Map<string, string>, regex: boolean): boolean {
  if (expected.size !== actual.size) return false;
  for (const [k, v] of expected) {
    const a = actual.get(k);
    if (a === undefined) return false;
    if (regex ? !matches(v, a) : a !== v) return false;
  }
  return true;
}

function runAt(full: readonly string[], pos: number, sub: readonly string[], regex: boolean): boolean {
  if (pos < 0 || sub.length > full.length - pos) return false;
  return sub.every((w, i) => (regex ? matches(w, full[pos + i]!) : w === full[pos + i]));
}

function findRun(full: readonly string[], sub: readonly string[], regex: boolean): number {
  for (let i = 0; i + sub.length <= full.length; i++) if (runAt(full, i, sub, regex)) return i;
  return -1;
}

const show = (words: readonly string[]): string => words.map((w) => JSON.stringify(w)).join(' ');
const showValues = (values: readonly string[]): string => (values.length ? show(values) : '(none)');

/** execWords() marks a specifier as ⟦%x⟧ (its value is the running system's); the cases spell it %x. */
const unmarkSpecifiers = (word: string): string => word.replace(/⟦(%[A-Za-z])⟧/g, '$1');

/** Evaluates checks against one generated unit, read once as systemd reads it. */
export class CheckEvaluator {
  private readonly sections: Map<string, Assignment[]> | undefined;
  /** Why systemd would refuse to load the unit (empty when it loads). */
  readonly unitErrors: readonly string[] = [];
  private readonly commands = new Map<string, { words: string[] } | { none: string } | { refused: string }>();

  constructor(readonly subject: CheckSubject) {
    if (subject.unitText !== undefined) {
      const read = readUnit(subject.unitText);
      this.sections = read.sections;
      this.unitErrors = read.errors;
    }
  }

  private assignments(section: string, key: string): Assignment[] {
    return (this.sections?.get(section) ?? []).filter((a) => a.key === key);
  }

  /** The values in force of a key: an empty assignment clears those before it (the cases' rule). */
  values(section: string, key: string): string[] {
    const out: string[] = [];
    for (const a of this.assignments(section, key)) {
      if (a.value === '') out.length = 0;
      else out.push(a.value);
    }
    return out;
  }

  /** The last assignment of a key as systemd read it (possibly empty). */
  lastValue(section: string, key: string): string | undefined {
    return this.assignments(section, key).at(-1)?.value;
  }

  /**
   * The last command line of a [Service] key, split as systemd splits it (prefix characters are not
   * words), or why there is none; a line systemd refuses means it would not load the unit at all.
   */
  command(key: string): { words: string[] } | { none: string } {
    let c = this.commands.get(key);
    if (c === undefined) {
      const raw = this.lastValue('Service', key);
      const read = raw === undefined ? undefined : execWords(raw, { runtime: false });
      const last = read?.commands.at(-1);
      c = read?.error !== undefined ? { refused: `${key}=: ${read.error}` }
        : read?.ignored !== undefined ? { none: `systemd ignores ${key}=: ${read.ignored}` }
        : last === undefined ? { none: `no ${key}=` }
        : { words: last.argv.map(unmarkSpecifiers) };
      this.commands.set(key, c);
    }
    if ('refused' in c) throw new NoUnitError(`systemd would not load the unit: ${c.refused}`);
    return c;
  }

  evaluate(check: Check): CheckResult {
    let r: CheckResult;
    try {
      r = this.evaluateRaw(check);
    } catch (err) {
      if (err instanceof NoUnitError) return { ok: false, detail: err.message };
      return { ok: false, detail: `bad check: ${(err as Error).message}` };
    }
    if (!check.invert) return r;
    return r.ok ? { ok: false, detail: `inverted check holds${r.detail ? ` (${r.detail})` : ''}` } : { ok: true };
  }

  /** A check of the unit's contents: there must be a unit, and systemd must be able to load it. */
  private needUnit(): void {
    if (!this.sections) throw new NoUnitError('no unit was generated');
    if (this.unitErrors.length > 0) throw new NoUnitError(`systemd would not load the unit: ${this.unitErrors.join('; ')}`);
  }

  private evaluateRaw(check: Check): CheckResult {
    const a = check.args;
    const arity = (min: number, max = min): void => {
      if (a.length < min || a.length > max) throw new Error(`${check.op} takes ${min === max ? min : `${min}..${max}`} arguments, got ${a.length}`);
    };
    switch (check.op) {
      case 'assert-failed':
        return this.sections
          ? { ok: false, detail: 'a unit was generated' }
          : { ok: true };
      case 'assert-stderr-contains':
        arity(1);
        return this.subject.stderr.includes(a[0]!)
          ? { ok: true }
          : { ok: false, detail: `stderr lacks ${JSON.stringify(a[0])}` };
      case 'assert-symlink': {
        arity(2);
        if (!this.subject.readlink) throw new Error('no output folder to look in');
        const target = this.subject.readlink(a[0]!);
        if (target === undefined) return { ok: false, detail: `no symlink ${a[0]}` };
        return target === a[1] ? { ok: true } : { ok: false, detail: `${a[0]} -> ${target}` };
      }
    }

    const cmd = commandCheck(check.op);
    if (cmd) return this.commandCheck(check, cmd.key, cmd.kind);

    this.needUnit();
    const [section, key] = [a[0]!, a[1]!];
    switch (check.op) {
      case 'assert-key-is':
      case 'assert-key-is-regex': {
        if (a.length < 3) throw new Error(`${check.op} needs a section, a key and values`);
        const want = a.slice(2);
        const got = this.values(section, key);
        const regex = check.op === 'assert-key-is-regex';
        const ok = got.length === want.length && got.every((v, i) => (regex ? matches(want[i]!, v) : v === want[i]));
        return ok ? { ok: true } : { ok: false, detail: `[${section}] ${key} = ${showValues(got)}` };
      }
      case 'assert-key-is-empty': {
        arity(2);
        const got = this.values(section, key);
        return got.length === 0 ? { ok: true } : { ok: false, detail: `[${section}] ${key} = ${showValues(got)}` };
      }
      case 'assert-has-key':
      case 'assert-key-contains':
      case 'assert-key-not-contains': {
        arity(3);
        const got = this.values(section, key);
        const s = a[2]!;
        const ok =
          check.op === 'assert-has-key' ? got.includes(s)
          : check.op === 'assert-key-contains' ? got.some((v) => v.includes(s))
          : !got.some((v) => v.includes(s));
        return ok ? { ok: true } : { ok: false, detail: `[${section}] ${key} = ${showValues(got)}` };
      }
      case 'assert-last-key-contains':
      case 'assert-last-key-is-regex': {
        arity(3);
        const last = this.lastValue(section, key);
        if (last === undefined) return { ok: false, detail: `[${section}] ${key} is not set` };
        const ok = check.op === 'assert-last-key-contains' ? last.includes(a[2]!) : matches(a[2]!, last);
        return ok ? { ok: true } : { ok: false, detail: `last [${section}] ${key} = ${JSON.stringify(last)}` };
      }
    }
    throw new Error(`unknown check ${check.op}`);
  }

  private commandCheck(check: Check, key: string, kind: string): CheckResult {
    this.needUnit();
    const command = this.command(key);
    if ('none' in command) return { ok: false, detail: command.none };
    const { words } = command;
    const a = check.args;
    const fail = (): CheckResult => ({ ok: false, detail: `${key}: ${show(words)}` });
    switch (kind) {
      case 'args':
      case 'args-regex':
        if (a.length === 0) throw new Error(`${check.op} needs words`);
        return findRun(words, a, kind === 'args-regex') >= 0 ? { ok: true } : fail();
      case 'final-args':
      case 'final-args-regex':
        if (a.length === 0) throw new Error(`${check.op} needs words`);
        return runAt(words, words.length - a.length, a, kind === 'final-args-regex') ? { ok: true } : fail();
      case 'global-args': {
        if (a.length < 2) throw new Error(`${check.op} needs a subcommand and words`);
        const sub = words.indexOf(a[0]!);
        if (sub < 0) return { ok: false, detail: `${key} has no ${a[0]}: ${show(words)}` };
        return findRun(words.slice(0, sub), a.slice(1), false) >= 0 ? { ok: true } : fail();
      }
      case 'args-key-val':
      case 'args-key-val-regex': {
        if (a.length !== 3) throw new Error(`${check.op} takes FLAG SEP "k=v,…"`);
        const [flag, sep, spec] = [a[0]!, a[1]!, a[2]!];
        if (sep === '') throw new Error('empty separator');
        const want = keyValMap(spec, sep);
        for (let i = 0; i + 1 < words.length; i++) {
          if (words[i] === flag && sameMap(want, keyValMap(words[i + 1]!, sep), kind === 'args-key-val-regex')) return { ok: true };
        }
        const seen = words.flatMap((w, i) => (w === flag && i + 1 < words.length ? [words[i + 1]!] : []));
        return { ok: false, detail: `${key} ${flag} values: ${showValues(seen)}` };
      }
    }
    throw new Error(`unknown check ${check.op}`);
  }
}

export interface CaseVerdict {
  readonly ok: boolean;
  /** Every failed check with its reason, in case-file order. */
  readonly failures: ReadonlyArray<{ readonly check: Check; readonly detail: string }>;
}

/** Evaluates every check of a case; `assert-failed` also requires that the unit be absent (and others skip it). */
export function evaluateChecks(checks: readonly Check[], subject: CheckSubject): CaseVerdict {
  const ev = new CheckEvaluator(subject);
  const failures: Array<{ check: Check; detail: string }> = [];
  for (const check of checks) {
    const r = ev.evaluate(check);
    if (!r.ok) failures.push({ check, detail: r.detail ?? 'failed' });
  }
  return { ok: failures.length === 0, failures };
}
