/**
 * The Quadlet line language: how Podman's Quadlet (pkg/systemd/parser, 5.x) reads a definition file.
 * A definition means what Quadlet makes of it, so this follows Quadlet where it differs from systemd:
 * every line is trimmed (Go's unicode whitespace), a line ending in a backslash is joined to the next one
 * without the backslash and without a space, comment and blank lines inside a continuation are skipped,
 * and sections of one name merge. Only what systemd or podman will see is kept: keys and values with their
 * place in the file; comments are not, since berth never copies text into the units it writes.
 */
import { DefinitionError } from '../errors.js';

export interface Entry {
  readonly key: string;
  readonly value: string;
  /** 1-based line and column where the key starts (the first line of a continued value); 0 when generated. */
  readonly line: number;
  readonly column: number;
  /** The file the entry came from (a drop-in's own path when merged in from one). */
  readonly file: string;
  /** For a generated entry: the definition's entry it was made from, which problems with it are reported at. */
  readonly from?: Entry;
}

export interface Section {
  readonly name: string;
  /** Where the section first starts. */
  readonly line: number;
  readonly entries: Entry[];
}

export interface ParseResult {
  /** Sections in the order of their first header; repeated headers of one name merged. */
  readonly sections: Section[];
  readonly errors: DefinitionError[];
}

/** Go's unicode.IsSpace for one UTF-16 code unit (no code point outside the BMP is a space). */
export function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Go's strings.TrimSpace. */
export function goTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Go's unicode.IsControl: C0, DEL and C1. */
const isControl = (c: number): boolean => c < 0x20 || (c >= 0x7f && c <= 0x9f);

const isComment = (line: string): boolean => line === '' || line[0] === '#' || line[0] === ';';

/** A group header as Quadlet accepts it: `[name]`, then only spaces or tabs. */
function groupName(line: string): string | undefined {
  if (line[0] !== '[') return undefined;
  const end = line.indexOf(']');
  if (end < 0) return undefined;
  for (let i = end + 1; i < line.length; i++) if (line[i] !== ' ' && line[i] !== '\t') return undefined;
  return line.slice(1, end);
}

/**
 * Quadlet trims the key's end byte by byte with unicode.IsSpace, which takes the UTF-8 continuation bytes
 * 0x85 and 0xA0 for spaces: a key ending in a character whose UTF-8 form ends in one of them (à, Å, …)
 * loses half of that character. Such a key is refused rather than read as the broken bytes Quadlet makes of it.
 */
function endsInSpaceByte(key: string): boolean {
  const lastUnit = key.charCodeAt(key.length - 1);
  if (lastUnit < 0x80) return false;
  const cp = key.codePointAt(key.length - 1 - (lastUnit >= 0xdc00 && lastUnit <= 0xdfff && key.length > 1 ? 1 : 0)) ?? 0;
  const lastByte = 0x80 | (cp & 0x3f);
  return lastByte === 0x85 || lastByte === 0xa0;
}

/** JavaScript's whitespace (String.prototype.trim): what column numbers have always counted past. */
function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Where a line's text starts, 1-based, as columns are reported (past JavaScript's leading whitespace). */
function startColumnOf(physical: string): number {
  let i = 0;
  while (i < physical.length && isJsSpace(physical.charCodeAt(i))) i++;
  return i + 1;
}

/** A file with this many syntax errors is not read further: it is refused either way, and no log needs them all. */
export const MAX_SYNTAX_ERRORS = 50;

/** Parses definition text. Every problem is returned (Quadlet stops at the first; the file is refused either way). */
export function parseUnit(text: string, path: string): ParseResult {
  const sections: Section[] = [];
  const byName = new Map<string, Section>();
  const errors: DefinitionError[] = [];
  let current: Section | undefined;
  const fail = (line: number, column: number, detail: string, key?: string): void => {
    errors.push(new DefinitionError({ file: path, line, column, ...(key === undefined ? {} : { key }) }, detail));
  };

  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = body.split('\n');
  const last = lines.length - 1;
  // The continuation being collected, and where its first line started.
  let remaining = '';
  let startLine = 0;
  let startColumn = 0;

  for (let i = 0; i <= last; i++) {
    if (errors.length >= MAX_SYNTAX_ERRORS) {
      fail(i + 1, 1, `too many syntax errors; the rest of the file is not read`);
      break;
    }
    const physical = lines[i]!;
    let line = goTrim(physical);
    const lineNo = i + 1;
    if (isComment(line)) {
      if (remaining !== '') continue;
    } else {
      if (line.endsWith('\\')) {
        // On the last line Quadlet drops the backslash and keeps the whitespace before it; systemd would
        // strip that from the value anyway, so it is dropped here (a value never ends in whitespace).
        line = i === last ? goTrim(line.slice(0, -1)) : line.slice(0, -1);
        if (i !== last) {
          if (remaining === '') {
            startLine = lineNo;
            startColumn = startColumnOf(physical);
          }
          remaining += line;
          continue;
        }
      }
      if (remaining !== '') {
        line = remaining + line;
        remaining = '';
      } else {
        startLine = lineNo;
        startColumn = startColumnOf(physical);
      }
    }
    if (isComment(line)) continue;

    const name = groupName(line);
    if (name !== undefined) {
      let bad = name === '';
      for (let k = 0; k < name.length && !bad; k++) {
        const c = name.charCodeAt(k);
        bad = c === 0x5b || c === 0x5d || isControl(c);
      }
      if (bad) {
        fail(startLine, startColumn, `invalid section name "${name}"`);
        current = undefined;
        continue;
      }
      current = byName.get(name);
      if (!current) {
        current = { name, line: startLine, entries: [] };
        byName.set(name, current);
        sections.push(current);
      }
      continue;
    }

    const eq = line.indexOf('=');
    if (eq <= 0) {
      const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
      fail(startLine, startColumn, `"${shown}" is not a key=value assignment, section header or comment`);
      continue;
    }
    let keyEnd = eq;
    while (keyEnd > 0 && isGoSpace(line.charCodeAt(keyEnd - 1)) && line.charCodeAt(keyEnd - 1) < 0x80) keyEnd--;
    const key = line.slice(0, keyEnd);
    if (endsInSpaceByte(key)) {
      fail(startLine, startColumn, `the key "${key}" ends in a character that Quadlet cannot read`);
      continue;
    }
    if (!current) {
      // Lines under a refused header are not reported a second time.
      if (errors.length === 0) fail(startLine, startColumn, 'assignment before the first section header', key);
      continue;
    }
    let valueStart = eq + 1;
    while (valueStart < line.length && line.charCodeAt(valueStart) < 0x80 && isGoSpace(line.charCodeAt(valueStart))) valueStart++;
    current.entries.push({ key, value: line.slice(valueStart), line: startLine, column: startColumn, file: path });
  }
  return { sections, errors };
}
