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
const isSystemdSpace = (c: number): boolean => c === 0x20 || c === 0x09;

function keyProblem(key: string): string | undefined {
  if (key === '') return 'the key is empty or holds "="';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x3d) return 'the key is empty or holds "="';
    if (c < 0x20 || c === 0x7f) return 'the key holds a control character';
  }
  if (key[0] === '[' || key[0] === '#' || key[0] === ';') return `a key starting with "${key[0]}" reads as a section header or comment`;
  if (isSystemdSpace(key.charCodeAt(0)) || isSystemdSpace(key.charCodeAt(key.length - 1))) return 'the key starts or ends with a space';
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (LINE_BREAK.test(value)) return 'the value holds a line break or NUL, where systemd would end the line';
  const last = value.charCodeAt(value.length - 1);
  if (last === 0x5c) return 'the value ends in a backslash, which would join the next line to it';
  if (isSystemdSpace(value.charCodeAt(0)) || isSystemdSpace(last)) return 'the value starts or ends with a space or tab, which systemd drops';
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
  let out = '';
  for (const line of header) {
    if (LINE_BREAK.test(line)) throw new Error(`a header comment cannot hold a line break: ${JSON.stringify(line)}`);
    out += `# ${line}`.trimEnd() + '\n';
  }
  // Keys repeat from unit to unit: each is checked once per unit.
  const goodKeys = new Set<string>();
  for (const section of sections) {
    const bad = sectionProblem(section.name);
    if (bad) throw new DefinitionError({ file: section.entries[0]?.file ?? '', line: section.line }, bad);
    if (out !== '') out += '\n';
    out += `[${section.name}]\n`;
    for (const e of section.entries) {
      const problem = (goodKeys.has(e.key) ? undefined : keyProblem(e.key)) ?? valueProblem(e.value);
      if (problem) throw refuse(e, problem);
      goodKeys.add(e.key);
      if (e.key.length + e.value.length >= MAX_LINE / 3 && Buffer.byteLength(e.key) + 1 + Buffer.byteLength(e.value) > MAX_LINE) {
        throw refuse(e, `the line is longer than systemd's limit of ${MAX_LINE + 1} bytes`);
      }
      out += `${e.key}=${e.value}\n`;
    }
  }
  return out;
}
