/** Writes a parsed unit back as text: untouched items as they were read, edited ones in canonical form. */
import type { ParsedUnit, Section } from './syntax.js';

function sectionLines(section: Section): string[] {
  const out = [section.raw ?? `[${section.name}]`];
  for (const item of section.items) {
    out.push(item.kind === 'comment' ? item.raw : item.raw ?? `${item.key}=${item.value}`);
  }
  return out;
}

export function serializeUnit(unit: ParsedUnit): string {
  const lines = unit.leading.map((c) => c.raw);
  for (const section of unit.sections) {
    // Sections a generator added get a blank line before them; read ones keep their own spacing.
    if (section.raw === undefined && lines.length > 0 && lines[lines.length - 1]!.trim() !== '') lines.push('');
    lines.push(...sectionLines(section));
  }
  const text = lines.join(unit.eol);
  return unit.finalNewline && lines.length > 0 ? text + unit.eol : text;
}
