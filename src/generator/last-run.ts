/**
 * The generator's record of its last run: when it ran, for which podman, and for each definition it refused
 * or found problems in, its kind, its units and every problem with its place (file, line, column, key). The generator writes it into its own
 * output folder, as `berth/last-run.json` (place(), write.ts): systemd reads only unit files, drop-in and
 * .wants/.requires folders there, and a name without a unit type's suffix is none of them. `berth list`,
 * `berth status` and the agent read it back (last-run-file.ts) as untrusted input: parseLastRun() keeps
 * only fields of the expected types.
 *
 * The record is bounded whatever the definitions hold: a hostile tree of thousands of broken files costs at
 * most MAX_DEFINITIONS entries, MAX_PROBLEMS problems (MAX_PER_DEFINITION each) and MAX_MESSAGE characters a
 * message; what is left out is counted in `omitted`.
 */
import type { DefinitionError } from '../errors.js';
import type { Definition } from '../compile/definition.js';
import { fileServiceName, serviceNameOf, type UnitKind } from '../compile/kinds.js';
import type { RefusedFile } from './load.js';

/** Where the record goes, inside the generator's output folder. */
export const LAST_RUN_FILE = 'berth/last-run.json';
export const LAST_RUN_VERSION = 1;

export const MAX_DEFINITIONS = 10_000;
export const MAX_PROBLEMS = 1_000;
export const MAX_PER_DEFINITION = 10;
export const MAX_MESSAGE = 500;

export interface RecordedProblem {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  /** 0: the file as a whole. */
  readonly line: number;
  readonly column?: number;
  readonly key?: string;
  readonly message: string;
}

export interface RecordedDefinition {
  readonly source: string;
  readonly kind: string;
  /** The units written for it; for a refused one, the main unit it would have had. */
  readonly units: readonly string[];
  /** No unit was written: it (or a definition it needs) has an error. */
  readonly refused: boolean;
  readonly problems: readonly RecordedProblem[];
  /** Problems of this definition left out of the record. */
  readonly more?: number;
}

export interface LastRun {
  readonly version: number;
  /** ISO 8601 */
  readonly time: string;
  /** The podman the units were compiled for, X.Y.Z. */
  readonly podman: string;
  readonly scope: 'system' | 'user';
  readonly definitions: readonly RecordedDefinition[];
  /** Problems that are no definition's (a folder that could not be read). */
  readonly other: readonly RecordedProblem[];
  readonly omitted: { readonly definitions: number; readonly problems: number };
}

export interface RunFacts {
  readonly time: Date;
  readonly podman: string;
  readonly user: boolean;
  readonly definitions: readonly Definition[];
  readonly refused: readonly RefusedFile[];
  readonly errors: readonly DefinitionError[];
  readonly warnings: readonly DefinitionError[];
  /** The files written for each definition, by its path (links and drop-ins aside). */
  readonly units: ReadonlyMap<string, readonly string[]>;
}

/** A definition's entry while problems are filed: `refused` and `more` change, and `more` appears only when needed. */
type Draft = { -readonly [K in keyof RecordedDefinition]: K extends 'problems' ? RecordedProblem[] : RecordedDefinition[K] };

const clip = (text: string): string => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text);

function recorded(p: DefinitionError, severity: RecordedProblem['severity']): RecordedProblem {
  const { file, line, column, key } = p.location;
  return { severity, file: clip(file), line, ...(column ? { column } : {}), ...(key ? { key: clip(key) } : {}), message: clip(p.detail) };
}

/**
 * The record of a run, built once at its end from what the run found. Only definitions with something to
 * say are in it (refused, or with problems): the others are what the search path and systemd show, and a
 * run over 10,000 good definitions, where the generator's memory peaks, allocates next to nothing for it.
 */
export function recordRun(facts: RunFacts): LastRun {
  const drafts = new Map<string, Draft>();
  const add = (source: string, kind: string, units: readonly string[], refused: boolean): Draft => {
    const draft: Draft = { source, kind, units, refused, problems: [] };
    drafts.set(source, draft);
    return draft;
  };
  const mainUnit = (d: Definition) => [`${serviceNameOf(d)}.service`];
  for (const f of facts.refused) add(f.path, f.kind, [`${fileServiceName(f.fileName, f.kind as UnitKind)}.service`], true);
  // A definition without units was refused for one it needs, which has the error.
  for (const def of facts.definitions) if (!facts.units.has(def.unit.path)) add(def.unit.path, def.kind, mainUnit(def), true);
  // A problem names its definition by file name (a drop-in's) or by path. Few runs have problems: the maps
  // are made only for them. A file that could not be read leaves its name to a later one, which comes after
  // it in the load order, and the definitions that loaded come after all refusals.
  let byName: Map<string, () => Draft> | undefined;
  let byPath: Map<string, () => Draft> | undefined;
  const draftOf = (p: DefinitionError): Draft | undefined => {
    const known = drafts.get(p.location.file);
    if (known && p.location.definition === undefined) return known;
    if (!byName || !byPath) {
      const entries = [
        ...facts.refused.map((f) => [f.fileName, f.path, () => drafts.get(f.path)!] as const),
        ...facts.definitions.map((d) => [d.fileName, d.unit.path, () => drafts.get(d.unit.path) ?? add(d.unit.path, d.kind, facts.units.get(d.unit.path) ?? mainUnit(d), false)] as const),
      ];
      byName = new Map(entries.map(([name, , draft]) => [name, draft]));
      byPath = new Map(entries.map(([, path, draft]) => [path, draft]));
    }
    return ((p.location.definition !== undefined ? byName.get(p.location.definition) : undefined) ?? byPath.get(p.location.file))?.();
  };
  const other: RecordedProblem[] = [];
  let problems = 0;
  let omitted = 0;
  const file = (p: DefinitionError, severity: RecordedProblem['severity']): void => {
    const draft = draftOf(p);
    if (draft && severity === 'error') draft.refused = true;
    const full = problems >= MAX_PROBLEMS || (draft ? draft.problems.length >= MAX_PER_DEFINITION : other.length >= MAX_PER_DEFINITION);
    if (full) {
      if (draft) draft.more = (draft.more ?? 0) + 1;
      else omitted++;
      return;
    }
    problems++;
    (draft?.problems ?? other).push(recorded(p, severity));
  };
  // Errors first: when the record is full, a refusal's reason is worth more than a warning.
  for (const e of facts.errors) file(e, 'error');
  for (const w of facts.warnings) file(w, 'warning');
  const all = [...drafts.values()];
  return {
    version: LAST_RUN_VERSION,
    time: facts.time.toISOString(),
    podman: facts.podman,
    scope: facts.user ? 'user' : 'system',
    definitions: all.length > MAX_DEFINITIONS ? all.slice(0, MAX_DEFINITIONS) : all,
    other,
    omitted: { definitions: Math.max(0, all.length - MAX_DEFINITIONS), problems: omitted },
  };
}

/** One line of JSON: the record is read by programs; `berth list` is its human form. */
export function serializeLastRun(run: LastRun): string {
  return JSON.stringify(run) + '\n';
}

const str = (v: unknown): v is string => typeof v === 'string';
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const array = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const object = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function parseProblem(v: unknown): RecordedProblem | undefined {
  const o = object(v);
  if (!o || (o['severity'] !== 'error' && o['severity'] !== 'warning') || !str(o['file']) || !count(o['line']) || !str(o['message'])) return undefined;
  return {
    severity: o['severity'], file: o['file'], line: o['line'], message: o['message'],
    ...(count(o['column']) ? { column: o['column'] } : {}),
    ...(str(o['key']) ? { key: o['key'] } : {}),
  };
}

function parseDefinition(v: unknown): RecordedDefinition | undefined {
  const o = object(v);
  if (!o || !str(o['source']) || !str(o['kind']) || typeof o['refused'] !== 'boolean') return undefined;
  return {
    source: o['source'], kind: o['kind'], refused: o['refused'],
    units: array(o['units']).filter(str),
    problems: array(o['problems']).flatMap((p) => parseProblem(p) ?? []),
    ...(count(o['more']) ? { more: o['more'] } : {}),
  };
}

/** The record in a file's text, or undefined when it is not one this berth reads; malformed entries are dropped. */
export function parseLastRun(text: string): LastRun | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = object(raw);
  if (!o || o['version'] !== LAST_RUN_VERSION || !str(o['time']) || Number.isNaN(Date.parse(o['time'])) || !str(o['podman'])) return undefined;
  const omitted = object(o['omitted']);
  return {
    version: LAST_RUN_VERSION,
    time: o['time'],
    podman: o['podman'],
    scope: o['scope'] === 'user' ? 'user' : 'system',
    definitions: array(o['definitions']).flatMap((d) => parseDefinition(d) ?? []),
    other: array(o['other']).flatMap((p) => parseProblem(p) ?? []),
    omitted: { definitions: count(omitted?.['definitions']) ? omitted['definitions'] : 0, problems: count(omitted?.['problems']) ? omitted['problems'] : 0 },
  };
}
