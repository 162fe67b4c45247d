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

interface TemplateLine {
  readonly section: string;
  readonly mode: Mode;
  readonly key: string;
  readonly value: string;
}

const PLACEHOLDER = /\{\{([a-z0-9-]+)\}\}/g;
const EXEC_PREFIX = /^[-@:+!]*/;
const parsed = new Map<string, readonly TemplateLine[]>();

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
    return s.entries.map((e) => ({ section, mode: mode as Mode, key: e.key, value: e.value }));
  });
  parsed.set(name, lines);
  return lines;
}

function valueOf(values: TemplateValues, name: string, template: string): TemplateValue {
  if (!Object.hasOwn(values, name)) throw new Error(`templates/${template}: no value given for {{${name}}}`);
  return values[name];
}

/** Text with its placeholders filled in (each a string), or undefined when one of them is undefined. */
function fillIn(text: string, values: TemplateValues, template: string): string | undefined {
  let missing = false;
  const out = text.replace(PLACEHOLDER, (_, name: string) => {
    const v = valueOf(values, name, template);
    if (Array.isArray(v)) throw new Error(`templates/${template}: the list {{${name}}} must stand alone`);
    if (v === undefined) missing = true;
    return typeof v === 'string' ? v : '';
  });
  return missing ? undefined : out;
}

/** Fills in one word of an Exec*= line: its arguments, or undefined when a value is undefined. */
function execWords(token: string, values: TemplateValues, template: string): string[] | undefined {
  const whole = /^\{\{([a-z0-9-]+)\}\}$/.exec(token);
  if (whole) {
    const v = valueOf(values, whole[1]!, template);
    if (v === undefined) return undefined;
    return (typeof v === 'string' ? [v] : v).map((w) => quoteWord(w));
  }
  const word = fillIn(token, values, template);
  return word === undefined ? undefined : [quoteWord(word)];
}

/** The values a line becomes: one for most lines, one per item of a list, none when a value is undefined. */
function render(line: TemplateLine, values: TemplateValues, template: string): string[] {
  if (line.key.startsWith('Exec')) {
    const tokens = line.value.split(/\s+/);
    const prefix = EXEC_PREFIX.exec(tokens[0]!)![0];
    tokens[0] = tokens[0]!.slice(prefix.length);
    const words: string[] = [];
    for (const token of tokens) {
      const w = execWords(token, values, template);
      if (w === undefined) return [];
      for (const x of w) words.push(x);
    }
    return words.length === 0 ? [] : [prefix + words.join(' ')];
  }
  const whole = /^\{\{([a-z0-9-]+)\}\}$/.exec(line.value);
  if (whole) {
    const v = valueOf(values, whole[1]!, template);
    return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
  }
  const text = fillIn(line.value, values, template);
  return text === undefined ? [] : [text];
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
