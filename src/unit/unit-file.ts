/**
 * A unit file as data: lookups with systemd's rules (sections of one name merge, an empty assignment
 * clears earlier values of a list) and the edits a generator makes. Built on the parsed form, so an
 * untouched file serializes back unchanged.
 */
import { readFileSync } from 'node:fs';
import { DefinitionError } from '../errors.js';
import { splitWords, stripOuterQuotes, SplitError, type SplitOptions } from './quote.js';
import { serializeUnit } from './serialize.js';
import { parseUnit, type Entry, type ParsedUnit, type Section } from './syntax.js';

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'off']);

export class UnitFile {
  constructor(readonly parsed: ParsedUnit) {}

  static empty(path = ''): UnitFile {
    return new UnitFile({ path, leading: [], sections: [], eol: '\n', finalNewline: true });
  }

  /** Parses text; syntax errors are thrown together as the first error, with the rest attached. */
  static parse(text: string, path: string): { unit: UnitFile; errors: DefinitionError[] } {
    const { unit, errors } = parseUnit(text, path);
    return { unit: new UnitFile(unit), errors };
  }

  static read(path: string): { unit: UnitFile; errors: DefinitionError[] } {
    return UnitFile.parse(readFileSync(path, 'utf8'), path);
  }

  get path(): string {
    return this.parsed.path;
  }

  sectionNames(): string[] {
    return [...new Set(this.parsed.sections.map((s) => s.name))];
  }

  hasSection(name: string): boolean {
    return this.parsed.sections.some((s) => s.name === name);
  }

  /** Every entry of a section, in file order, across repeated headers of that section. */
  entries(section: string): Entry[] {
    const out: Entry[] = [];
    for (const s of this.parsed.sections) {
      if (s.name !== section) continue;
      for (const i of s.items) if (i.kind === 'entry') out.push(i);
    }
    return out;
  }

  /** The line a section first starts at, for errors about a section as a whole. */
  sectionLine(section: string): number {
    return this.parsed.sections.find((s) => s.name === section)?.line ?? 1;
  }

  /** The last assignment of a key (possibly empty), or undefined. */
  last(section: string, key: string): Entry | undefined {
    const sections = this.parsed.sections;
    for (let si = sections.length - 1; si >= 0; si--) {
      const s = sections[si]!;
      if (s.name !== section) continue;
      for (let ii = s.items.length - 1; ii >= 0; ii--) {
        const i = s.items[ii]!;
        if (i.kind === 'entry' && i.key === key) return i;
      }
    }
    return undefined;
  }

  /** The entries of a list key still in force: an empty assignment drops all before it. */
  list(section: string, key: string): Entry[] {
    let out: Entry[] = [];
    for (const s of this.parsed.sections) {
      if (s.name !== section) continue;
      for (const i of s.items) {
        if (i.kind !== 'entry' || i.key !== key) continue;
        if (i.value === '') out = [];
        else out.push(i);
      }
    }
    return out;
  }

  /** The last value, trimmed and with one pair of surrounding double quotes removed (Quadlet's Lookup). */
  get(section: string, key: string): string | undefined {
    const e = this.last(section, key);
    return e === undefined ? undefined : stripOuterQuotes(e.value);
  }

  has(section: string, key: string): boolean {
    return this.last(section, key) !== undefined;
  }

  /** A boolean per systemd; a value that is not one is a definition error. */
  bool(section: string, key: string): boolean | undefined {
    const e = this.last(section, key);
    if (e === undefined) return undefined;
    const v = stripOuterQuotes(e.value).toLowerCase();
    if (TRUE_WORDS.has(v)) return true;
    if (FALSE_WORDS.has(v)) return false;
    throw this.error(e, `"${e.value}" is not a boolean (use yes or no)`);
  }

  /** All words of a list key, each line split exec-style (quotes, C escapes). */
  words(section: string, key: string, opts: SplitOptions = { cunescape: true, relax: true }): string[] {
    return this.list(section, key).flatMap((e) => this.split(e, opts));
  }

  /** The words of one entry, with a split error turned into a definition error at that entry. */
  split(e: Entry, opts: SplitOptions = { cunescape: true, relax: true }): string[] {
    try {
      return splitWords(e.value, opts);
    } catch (err) {
      if (err instanceof SplitError) throw this.error(e, err.message);
      throw err;
    }
  }

  error(e: Entry, detail: string): DefinitionError {
    return new DefinitionError({ file: e.file ?? this.path, line: e.line, column: e.column, key: e.key }, detail);
  }

  // ---- edits -------------------------------------------------------------------------------------

  private lastSection(name: string, create: boolean): Section | undefined {
    const found = this.parsed.sections.filter((s) => s.name === name);
    if (found.length > 0) return found[found.length - 1];
    if (!create) return undefined;
    const s: Section = { name, line: 0, items: [] };
    this.parsed.sections.push(s);
    return s;
  }

  /** Adds an entry after the section's last entry, so comments and blank lines that close it stay last. */
  add(section: string, key: string, value: string): void {
    const items = this.lastSection(section, true)!.items;
    let at = items.length;
    while (at > 0 && items[at - 1]!.kind === 'comment') at--;
    items.splice(at, 0, { kind: 'entry', key, value, line: 0, column: 0 });
  }

  /** Puts an entry first in its section (used for defaults that the file's own lines may override). */
  prepend(section: string, key: string, value: string): void {
    const s = this.parsed.sections.find((x) => x.name === section) ?? this.lastSection(section, true)!;
    s.items.unshift({ kind: 'entry', key, value, line: 0, column: 0 });
  }

  /** Removes every assignment of a key. */
  unset(section: string, key: string): void {
    for (const s of this.parsed.sections) {
      if (s.name === section) s.items = s.items.filter((i) => i.kind !== 'entry' || i.key !== key);
    }
  }

  /** Sets a key to one value, replacing earlier assignments. */
  set(section: string, key: string, value: string): void {
    this.unset(section, key);
    this.add(section, key, value);
  }

  renameSection(from: string, to: string): void {
    for (const s of this.parsed.sections) {
      if (s.name === from) {
        s.name = to;
        delete s.raw;
      }
    }
  }

  removeSection(name: string): void {
    this.parsed.sections = this.parsed.sections.filter((s) => s.name !== name);
  }

  /** Appends another file's sections (a drop-in), as systemd merges drop-ins into their unit. */
  merge(other: UnitFile): void {
    for (const s of other.parsed.sections) {
      const target = this.lastSection(s.name, true)!;
      for (const i of s.items) {
        if (i.kind === 'entry') target.items.push({ ...i, file: i.file ?? other.path });
      }
    }
  }

  /** A deep copy, so a compiler can edit without touching the definition it was given. */
  clone(): UnitFile {
    // Edits replace entries and change sections and their item lists, never an entry in place, so
    // copying the containers (not the entries) is enough, and far cheaper than a deep copy.
    const p = this.parsed;
    return new UnitFile({
      ...p,
      leading: [...p.leading],
      sections: p.sections.map((s) => ({ ...s, items: [...s.items] })),
    });
  }

  toString(): string {
    return serializeUnit(this.parsed);
  }
}
