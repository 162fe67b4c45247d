/**
 * A faithful reader of systemd unit-file syntax (systemd.syntax(7)): sections, repeated keys in order,
 * comments only at line start, backslash continuation (comment lines inside a continuation are skipped,
 * as systemd does). Each item keeps its original text, so a file read and written unchanged comes back
 * byte for byte. Values stay raw here; splitting into words is the job of quote.ts.
 */
import { DefinitionError } from '../errors.js';

export interface Entry {
  readonly kind: 'entry';
  key: string;
  value: string;
  /** 1-based line and column of the key. */
  readonly line: number;
  readonly column: number;
  /** The original text (several physical lines for a continued value); dropped when the entry is edited. */
  raw?: string;
  /** The file the entry came from, when it was merged in from a drop-in. */
  file?: string;
}

export interface Comment {
  readonly kind: 'comment';
  /** The whole line, blank lines included. */
  readonly raw: string;
}

export interface Section {
  name: string;
  readonly line: number;
  raw?: string;
  items: Array<Entry | Comment>;
}

export interface ParsedUnit {
  path: string;
  /** Comments and blank lines before the first section. */
  leading: Comment[];
  sections: Section[];
  /** The line ending of the original text, kept for a byte-exact round trip. */
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

export interface ParseResult {
  unit: ParsedUnit;
  errors: DefinitionError[];
}

const isComment = (trimmed: string): boolean => trimmed.startsWith('#') || trimmed.startsWith(';');

/** True when the text ends in a backslash that is not itself escaped. */
function continues(text: string): boolean {
  let n = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Parses unit-file text; every problem is returned (not only the first), each with file, line and column. */
export function parseUnit(text: string, path: string): ParseResult {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = text.endsWith('\n');
  const body = finalNewline ? text.slice(0, -eol.length) : text;
  const lines = body === '' && !finalNewline ? [] : body.split(eol);
  const unit: ParsedUnit = { path, leading: [], sections: [], eol, finalNewline };
  const errors: DefinitionError[] = [];
  let current: Section | undefined;
  const push = (item: Entry | Comment): void => {
    if (current) current.items.push(item);
    else if (item.kind === 'comment') unit.leading.push(item);
  };

  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    const lineNo = i + 1;
    const trimmed = first.trim();
    if (trimmed === '' || isComment(trimmed)) {
      push({ kind: 'comment', raw: first });
      continue;
    }
    if (trimmed.startsWith('[')) {
      const close = trimmed.indexOf(']');
      const name = close > 0 ? trimmed.slice(1, close) : '';
      if (close < 0 || trimmed.slice(close + 1).trim() !== '' || name === '' || /[[\]\x00-\x1f]/.test(name)) {
        errors.push(new DefinitionError({ file: path, line: lineNo, column: 1 }, `invalid section header "${trimmed}"`));
        // Lines under a bad header belong to no section we keep; they are not reported a second time.
        current = { name: '', line: lineNo, items: [] };
        continue;
      }
      current = { name, line: lineNo, raw: first, items: [] };
      unit.sections.push(current);
      continue;
    }
    // Join continuation lines. Quadlet tolerates whitespace after the backslash, so trailing space is ignored.
    let logical = first.trimEnd();
    let end = i;
    let open = continues(logical);
    if (open) logical = logical.slice(0, -1) + ' ';
    while (open && end + 1 < lines.length) {
      end++;
      const next = lines[end]!;
      if (isComment(next.trim())) continue;
      logical += next.trimEnd();
      open = continues(logical);
      if (open) logical = logical.slice(0, -1) + ' ';
    }
    logical = logical.trimEnd();
    const raw = lines.slice(i, end + 1).join(eol);
    const column = first.length - first.trimStart().length + 1;
    i = end;
    const eq = logical.indexOf('=');
    if (eq < 0) {
      errors.push(new DefinitionError({ file: path, line: lineNo, column },
        `"${trimmed}" is not a key=value assignment, section header or comment`));
      continue;
    }
    const key = logical.slice(0, eq).trim();
    if (key === '') {
      errors.push(new DefinitionError({ file: path, line: lineNo, column }, 'assignment without a key'));
      continue;
    }
    if (!current) {
      errors.push(new DefinitionError({ file: path, line: lineNo, column, key }, 'assignment outside of any section'));
      continue;
    }
    current.items.push({ kind: 'entry', key, value: logical.slice(eq + 1).trim(), line: lineNo, column, raw });
  }
  return { unit, errors };
}
