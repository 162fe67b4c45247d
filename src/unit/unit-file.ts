/**
 * A unit file as data: Quadlet's lookups (the last value of a key, a list cleared by an empty assignment,
 * booleans, words) and the edits a generator makes. Lookups go through a per-section index, since a
 * compiler asks a hundred questions of every definition.
 */
import { DefinitionError } from '../errors.js';
import { splitWords, stripOuterQuotes, SplitError, type SplitOptions } from './quote.js';
import { serializeUnit } from './serialize.js';
import { parseUnit, type Entry, type Section } from './syntax.js';

const NONE: readonly Entry[] = [];
const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'off']);

/** Quadlet's LookupAllArgs / LookupLastArgs: exec-style words, unbalanced quotes tolerated, unknown escapes not. */
export const ARGS: SplitOptions = { cunescape: true, relax: true };
/** Quadlet's LookupAllStrv (systemd's config_parse_strv): quotes group, backslashes are ordinary characters. */
export const STRV: SplitOptions = { retainEscape: true };

/** True when a value is one of systemd's boolean words; Quadlet reads anything else as false. */
export const isBooleanWord = (value: string): boolean => {
  const v = stripOuterQuotes(value).toLowerCase();
  return TRUE_WORDS.has(v) || FALSE_WORDS.has(v);
};

/** A problem with an entry, reported where the definition has it (a generated entry's `from`). */
export function entryError(entry: Entry, path: string, detail: string): DefinitionError {
  const e = entry.from ?? entry;
  return new DefinitionError({ file: e.file || path, line: e.line, column: e.column, key: e.key }, detail);
}

/**
 * The words of an entry, per way of splitting: the key checks and the compiler split the same lines, and
 * entries are never changed, so each is split once (keyed weakly: entries go with their units).
 */
const SPLITS = new Map<SplitOptions, WeakMap<Entry, string[] | SplitError>>([[ARGS, new WeakMap()], [STRV, new WeakMap()]]);

/** The words of an entry, or why Quadlet cannot split it (it then ignores the line). */
export function entryWords(e: Entry, opts: SplitOptions = ARGS): string[] | SplitError {
  const cache = SPLITS.get(opts);
  let words = cache?.get(e);
  if (words === undefined) {
    try {
      words = splitWords(e.value, opts);
    } catch (err) {
      if (!(err instanceof SplitError)) throw err;
      words = err;
    }
    cache?.set(e, words);
  }
  return words;
}

export class UnitFile {
  readonly #sections: Map<string, Section>;
  /** Per section: each key's entries in order; built on the first lookup, dropped on an edit. */
  readonly #index = new Map<string, Map<string, Entry[]>>();

  private constructor(
    readonly path: string,
    sections: Map<string, Section>,
  ) {
    this.#sections = sections;
  }

  static empty(path = ''): UnitFile {
    return new UnitFile(path, new Map());
  }

  /** Parses definition text; every syntax problem is returned. */
  static parse(text: string, path: string): { unit: UnitFile; errors: DefinitionError[] } {
    const { sections, errors } = parseUnit(text, path);
    return { unit: new UnitFile(path, new Map(sections.map((s) => [s.name, s]))), errors };
  }

  sectionNames(): string[] {
    return [...this.#sections.keys()];
  }

  hasSection(name: string): boolean {
    return this.#sections.has(name);
  }

  /** Every entry of a section, in file order. */
  entries(section: string): readonly Entry[] {
    return this.#sections.get(section)?.entries ?? [];
  }

  /** The line a section starts at, for errors about a section as a whole. */
  sectionLine(section: string): number {
    return this.#sections.get(section)?.line || 1;
  }

  #indexOf(section: string): Map<string, Entry[]> {
    let index = this.#index.get(section);
    if (!index) {
      index = new Map();
      for (const e of this.entries(section)) {
        const list = index.get(e.key);
        if (list) list.push(e);
        else index.set(e.key, [e]);
      }
      this.#index.set(section, index);
    }
    return index;
  }

  #byKey(section: string, key: string): readonly Entry[] {
    return this.#indexOf(section).get(key) ?? NONE;
  }

  /** The last assignment of a key (possibly empty), or undefined. */
  last(section: string, key: string): Entry | undefined {
    const all = this.#byKey(section, key);
    return all[all.length - 1];
  }

  /** The entries of a list key still in force: an empty assignment drops all before it. */
  list(section: string, key: string): readonly Entry[] {
    const all = this.#byKey(section, key);
    let from = 0;
    for (let i = 0; i < all.length; i++) if (all[i]!.value === '') from = i + 1;
    return from === 0 ? all : all.slice(from);
  }

  /** The last value with one pair of surrounding double quotes removed. */
  get(section: string, key: string): string | undefined {
    const e = this.last(section, key);
    return e === undefined ? undefined : stripOuterQuotes(e.value);
  }

  has(section: string, key: string): boolean {
    return this.last(section, key) !== undefined;
  }

  /** A boolean as Quadlet reads it: 1, yes, true, on (any case) are true, anything else false. */
  bool(section: string, key: string): boolean | undefined {
    const v = this.get(section, key);
    return v === undefined ? undefined : TRUE_WORDS.has(v.toLowerCase());
  }

  /** The words of one entry, or undefined when Quadlet cannot split it (it then ignores the line). */
  splitEntry(e: Entry, opts: SplitOptions = ARGS): string[] | undefined {
    const words = entryWords(e, opts);
    return words instanceof SplitError ? undefined : words;
  }

  /** All words of a list key, each line split exec-style; a line that cannot be split is left out. */
  args(section: string, key: string): string[] {
    return this.list(section, key).flatMap((e) => this.splitEntry(e, ARGS) ?? []);
  }

  /** The words of the last line of a key, exec-style; undefined when absent or unsplittable. */
  lastArgs(section: string, key: string): string[] | undefined {
    const e = this.last(section, key);
    return e && this.splitEntry(e, ARGS);
  }

  /** All words of a strv key (WantedBy=, Yaml= …); a line with an unbalanced quote is left out. */
  strv(section: string, key: string): string[] {
    return this.list(section, key).flatMap((e) => this.splitEntry(e, STRV) ?? []);
  }

  error(entry: Entry, detail: string): DefinitionError {
    return entryError(entry, this.path, detail);
  }

  // ---- edits -------------------------------------------------------------------------------------

  #section(name: string): Section {
    let s = this.#sections.get(name);
    if (!s) this.#sections.set(name, (s = { name, line: 0, entries: [] }));
    return s;
  }

  /** Keeps a built index in step with an entry added at the end (or, `first`, at the start) of its section. */
  #indexed(section: string, e: Entry, first = false): void {
    const index = this.#index.get(section);
    const list = index?.get(e.key);
    if (list) first ? list.unshift(e) : list.push(e);
    else index?.set(e.key, [e]);
  }

  #entry(key: string, value: string, from: Entry | undefined): Entry {
    return from ? { key, value, line: from.line, column: from.column, file: from.file, from } : { key, value, line: 0, column: 0, file: this.path };
  }

  /** Adds an entry; `from` is the definition's entry it was made from, for problems found later. */
  add(section: string, key: string, value: string, from?: Entry): void {
    const e = this.#entry(key, value, from);
    this.#section(section).entries.push(e);
    this.#indexed(section, e);
  }

  /** Puts an entry first in its section (defaults that the file's own lines may override). */
  prepend(section: string, key: string, value: string): void {
    const e = this.#entry(key, value, undefined);
    this.#section(section).entries.unshift(e);
    this.#indexed(section, e, true);
  }

  /** Removes every assignment of a key. */
  unset(section: string, key: string): void {
    const s = this.#sections.get(section);
    if (!s) return;
    if (!s.entries.some((e) => e.key === key)) return;
    this.#sections.set(section, { ...s, entries: s.entries.filter((e) => e.key !== key) });
    this.#index.get(section)?.delete(key);
  }

  /** Sets a key to one value, replacing earlier assignments. */
  set(section: string, key: string, value: string, from?: Entry): void {
    this.unset(section, key);
    this.add(section, key, value, from);
  }

  /** Renames a section; into one that exists already, its entries are appended (as Quadlet's RenameGroup). */
  renameSection(from: string, to: string): void {
    const s = this.#sections.get(from);
    if (!s || from === to) return;
    const existing = this.#sections.get(to);
    if (existing) {
      for (const e of s.entries) existing.entries.push(e);
      this.#sections.delete(from);
    } else {
      const renamed = new Map<string, Section>();
      for (const [name, sec] of this.#sections) renamed.set(name === from ? to : name, name === from ? { ...sec, name: to } : sec);
      this.#sections.clear();
      for (const [name, sec] of renamed) this.#sections.set(name, sec);
    }
    this.#index.delete(from);
    this.#index.delete(to);
  }

  removeSection(name: string): void {
    this.#sections.delete(name);
    this.#index.delete(name);
  }

  /** Appends another file's sections (a drop-in), as Quadlet merges drop-ins into their unit. */
  merge(other: UnitFile): void {
    for (const s of other.#sections.values()) {
      const target = this.#section(s.name);
      for (const e of s.entries) target.entries.push(e);
      this.#index.delete(s.name);
    }
  }

  /** A copy to edit: entries are never changed in place, so only the lists are copied. */
  clone(): UnitFile {
    const sections = new Map<string, Section>();
    for (const [name, s] of this.#sections) sections.set(name, { ...s, entries: [...s.entries] });
    return new UnitFile(this.path, sections);
  }

  /** The unit as systemd will read it; throws a DefinitionError for an entry systemd would read otherwise. */
  toString(header: readonly string[] = []): string {
    return serializeUnit([...this.#sections.values()], header);
  }
}
