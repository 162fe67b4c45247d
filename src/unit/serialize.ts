/**
 * Writes a unit for systemd from parsed and generated values only: one `Key=value` line per entry, never a
 * line of the input. Each line is checked to be read back by systemd as exactly that key and value; one
 * that would not be (a line break inside, a trailing backslash that would join the next line, a key that
 * reads as a section header …) is a definition error at the entry it came from, so it costs only its unit.
 */
import { DefinitionError } from '../errors.js';
import type { Entry, Section } from './syntax.js';

/** systemd refuses longer lines (LONG_LINE_MAX) and then the whole unit. */
export const MAX_LINE = 1024 * 1024 - 1;

// systemd ends a line at \n, \r or NUL, and strips spaces, tabs and line breaks around keys and values.
const LINE_BREAK = /[\n\r\0]/;
const SYSTEMD_SPACE = /^[ \t]|[ \t]$/;

function keyProblem(key: string): string | undefined {
  if (key === '' || key.includes('=')) return 'the key is empty or holds "="';
  if (/[\x00-\x1f\x7f]/.test(key)) return 'the key holds a control character';
  if (key[0] === '[' || key[0] === '#' || key[0] === ';') return `a key starting with "${key[0]}" reads as a section header or comment`;
  if (SYSTEMD_SPACE.test(key)) return 'the key starts or ends with a space';
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (LINE_BREAK.test(value)) return 'the value holds a line break or NUL, where systemd would end the line';
  if (value.endsWith('\\')) return 'the value ends in a backslash, which would join the next line to it';
  if (SYSTEMD_SPACE.test(value)) return 'the value starts or ends with a space or tab, which systemd drops';
  return undefined;
}

function sectionProblem(name: string): string | undefined {
  return name === '' || /[[\]\x00-\x1f\x7f]/.test(name) ? `"${name}" cannot be a section name` : undefined;
}

function refuse(e: Entry, detail: string): DefinitionError {
  const at = e.from ?? e;
  const what = e.from ? `the ${e.key}= made from it` : 'it';
  return new DefinitionError({ file: at.file, line: at.line, column: at.column, key: at.key }, `${what} cannot be written so that systemd reads it back: ${detail}`);
}

/** The text of a unit: header comment lines, then each section with its entries. */
export function serializeUnit(sections: readonly Section[], header: readonly string[] = []): string {
  const out: string[] = [];
  for (const line of header) {
    if (LINE_BREAK.test(line)) throw new Error(`a header comment cannot hold a line break: ${JSON.stringify(line)}`);
    out.push(`# ${line}`.trimEnd());
  }
  for (const section of sections) {
    const bad = sectionProblem(section.name);
    if (bad) throw new DefinitionError({ file: section.entries[0]?.file ?? '', line: section.line }, bad);
    if (out.length > 0) out.push('');
    out.push(`[${section.name}]`);
    for (const e of section.entries) {
      const problem = keyProblem(e.key) ?? valueProblem(e.value);
      if (problem) throw refuse(e, problem);
      const line = `${e.key}=${e.value}`;
      if (line.length > MAX_LINE / 3 && Buffer.byteLength(line) > MAX_LINE) throw refuse(e, `the line is longer than systemd's limit of ${MAX_LINE + 1} bytes`);
      out.push(line);
    }
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
