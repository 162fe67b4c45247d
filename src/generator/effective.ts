/**
 * `berth print NAME --effective`: a definition with its drop-ins merged, as the compilers read it, each
 * line with the file and line it came from. The merge is the loader's (generator/load.ts): the definition's
 * entries, then each drop-in's in file-name order, appended to their sections; what is left out here is
 * what no lookup reads any more:
 *  - an empty assignment resets a key: the entries of that key before it are dropped (the empty one is kept
 *    only when nothing follows it, since it then says "back to the default");
 *  - a key of the kind's own section that takes one value (a string, a boolean: the key tables' rules),
 *    or of [Checkpoint] (all but its schedules, OnCalendar= and Cron=), counts at its last assignment only.
 * Every other repeated key (list keys such as PublishPort=, and the [Unit], [Service], [Install] keys that
 * systemd reads) is kept at each assignment, in order, as systemd appends them.
 */
import type { Definition } from '../compile/definition.js';
import { CHECKPOINT_KEYS } from '../compile/checkpoint-settings.js';
import { kindSpec } from '../compile/kinds.js';

export interface EffectiveEntry {
  readonly key: string;
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface EffectiveSection {
  readonly name: string;
  readonly entries: EffectiveEntry[];
}

const SINGLE_VALUED = new Set(['string', 'bool', 'if-true']);
const CHECKPOINT_LISTS = new Set(['OnCalendar', 'Cron']);

export function effectiveDefinition(def: Definition): EffectiveSection[] {
  const spec = kindSpec(def);
  const single = (section: string, key: string): boolean => {
    if (section === 'Checkpoint') return CHECKPOINT_KEYS.has(key) && !CHECKPOINT_LISTS.has(key);
    if (section !== spec.section) return false;
    const rule = Object.hasOwn(spec.keys, key) ? spec.keys[key]!.rule : undefined;
    return rule !== undefined && SINGLE_VALUED.has(rule.kind);
  };
  const sections: EffectiveSection[] = [];
  for (const name of def.unit.sectionNames()) {
    const entries = def.unit.entries(name);
    const lastIndex = new Map<string, number>();
    const resetAt = new Map<string, number>();
    entries.forEach((e, i) => {
      lastIndex.set(e.key, i);
      if (e.value === '') resetAt.set(e.key, i);
    });
    const kept: EffectiveEntry[] = [];
    entries.forEach((e, i) => {
      const last = lastIndex.get(e.key)!;
      const reset = resetAt.get(e.key);
      if (reset !== undefined && (i < reset || (i === reset && last !== i))) return;
      if (i !== last && single(name, e.key)) return;
      kept.push({ key: e.key, value: e.value, file: e.file || def.unit.path, line: e.line });
    });
    sections.push({ name, entries: kept });
  }
  return sections;
}

/** The text form: each key after a `# FILE:LINE` comment (a comment after a value would be part of it). */
export function formatEffective(def: Definition, sections: readonly EffectiveSection[], dropins: readonly string[]): string {
  const head = dropins.length === 0
    ? `# ${def.unit.path}, as berth reads it; each line after the file and line it comes from\n`
    : `# ${def.unit.path} with ${dropins.length} drop-in(s) merged, as berth reads it; each line after the file and line it comes from\n`;
  const parts = sections.map((s) => `[${s.name}]\n${s.entries.map((e) => `# ${e.file}:${e.line}\n${e.key}=${e.value}\n`).join('')}`);
  return head + parts.join('\n');
}
