/**
 * The fixed shape of every unit berth writes lives in templates/ (one unit file per shape, embedded at
 * build time into templates.generated.ts): a compiler fills in only what the definition decides.
 *
 * A template is a unit file. Section names say where its lines go in the unit, whose own [Unit],
 * [Service] and [Install] lines come from the definition:
 *   [Service]          after the definition's lines
 *   [Unit:first]       before them (so that an empty assignment in the definition clears them)
 *   [Service:default]  only when the definition does not set the key itself
 *   [Service:replace]  in place of any the definition sets
 * `{{name}}` is filled in from the compiler's values. In Exec*= lines every space-separated word is one
 * argument, and a value is quoted for systemd here (a list is several arguments, an empty list none); a
 * value left undefined removes its line. In other lines a list gives one line per item.
 */
import type { Entry } from '../unit/syntax.js';
import { parseUnit } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { quoteWord } from '../unit/quote.js';
import { TEMPLATE_TEXTS } from './templates.generated.js';

export type TemplateValue = string | readonly string[] | undefined;
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

type Mode = 'add' | 'first' | 'default' | 'replace';

/**
 * A piece of a line, parsed once per template: literal text, a placeholder standing alone (which may be a
 * list), or one inside other text (which must be a string).
 */
type Part = { readonly text: string } | { readonly value: string; readonly alone: boolean };

interface TemplateLine {
  readonly section: string;
  readonly mode: Mode;
  readonly key: string;
  /** Exec*= lines: the prefix (-, @, …) and one part list per word; other lines: one part list. */
  readonly prefix: string;
  readonly words: ReadonlyArray<readonly Part[]>;
  readonly exec: boolean;
}

const PLACEHOLDER = /\{\{([a-z0-9-]+)\}\}/g;
const EXEC_PREFIX = /^[-@:+!]*/;
const parsed = new Map<string, readonly TemplateLine[]>();

function parts(text: string): Part[] {
  const out: Part[] = [];
  let at = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ value: m[1]!, alone: m[0].length === text.length });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** A template's lines, parsed once; a malformed template is a mistake in berth and throws. */
function templateLines(name: string): readonly TemplateLine[] {
  let lines = parsed.get(name);
  if (lines) return lines;
  const text = TEMPLATE_TEXTS[name];
  if (text === undefined) throw new Error(`no template "${name}" in templates/`);
  const { sections, errors } = parseUnit(text, `templates/${name}`);
  if (errors.length > 0) throw errors[0]!;
  lines = sections.flatMap((s) => {
    const [section, mode = 'add'] = s.name.split(':') as [string, string?];
    if (!['add', 'first', 'default', 'replace'].includes(mode)) throw new Error(`templates/${name}: unknown section mode [${s.name}]`);
    return s.entries.map((e): TemplateLine => {
      const exec = e.key.startsWith('Exec');
      const prefix = exec ? EXEC_PREFIX.exec(e.value)![0] : '';
      const words = exec ? e.value.slice(prefix.length).split(/\s+/).map(parts) : [parts(e.value)];
      return { section, mode: mode as Mode, key: e.key, prefix, words, exec };
    });
  });
  parsed.set(name, lines);
  return lines;
}

function valueOf(values: TemplateValues, name: string, template: string): TemplateValue {
  if (!Object.hasOwn(values, name)) throw new Error(`templates/${template}: no value given for {{${name}}}`);
  return values[name];
}

/** One word (or value) filled in: a list when a placeholder stands alone for one, undefined when a value is. */
function fill(word: readonly Part[], values: TemplateValues, template: string): string | readonly string[] | undefined {
  const only = word.length === 1 ? word[0]! : undefined;
  if (only && 'value' in only && only.alone) return valueOf(values, only.value, template);
  let out = '';
  for (const p of word) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const v = valueOf(values, p.value, template);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`templates/${template}: the list {{${p.value}}} must stand alone`);
    out += v;
  }
  return out;
}

/** The values a line becomes: one for most lines, one per item of a list, none when a value is undefined. */
function render(line: TemplateLine, values: TemplateValues, template: string): readonly string[] {
  if (!line.exec) {
    const v = fill(line.words[0]!, values, template);
    return v === undefined ? [] : typeof v === 'string' ? [v] : v;
  }
  let argv = '';
  for (const word of line.words) {
    const v = fill(word, values, template);
    if (v === undefined) return [];
    for (const w of typeof v === 'string' ? [v] : v) argv += (argv === '' ? '' : ' ') + quoteWord(w);
  }
  return argv === '' ? [] : [line.prefix + argv];
}

/** Adds a template's lines to the unit being built; `from` is the entry problems with them are reported at. */
export function applyTemplate(service: UnitFile, name: string, values: TemplateValues, from?: Entry): void {
  const first: Array<[string, string, string]> = [];
  const replaced = new Set<string>();
  for (const line of templateLines(name)) {
    for (const value of render(line, values, name)) {
      switch (line.mode) {
        case 'first':
          first.push([line.section, line.key, value]);
          break;
        case 'default':
          if (!service.has(line.section, line.key)) service.add(line.section, line.key, value, from);
          break;
        case 'replace':
          if (!replaced.has(`${line.section}/${line.key}`)) service.unset(line.section, line.key);
          replaced.add(`${line.section}/${line.key}`);
          service.add(line.section, line.key, value, from);
          break;
        default:
          service.add(line.section, line.key, value, from);
      }
    }
  }
  for (const [section, key, value] of first.reverse()) service.prepend(section, key, value);
}

/** Every template's name, for the tests that check each one parses and names only known values. */
export function templateNames(): string[] {
  return Object.keys(TEMPLATE_TEXTS);
}
