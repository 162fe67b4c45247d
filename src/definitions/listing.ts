/**
 * What `berth list` shows and the agent serves (Definitions, ListDefinitions): one row per definition on the
 * search path, with its kind, file and unit, and its state: systemd's, or "not loaded" with the reason, from
 * the generator's record of its last run (generator/last-run.ts) when it refused the definition. Pure: the
 * definitions, the record and systemd's answer are read by the caller (collect.ts).
 */
import { fileServiceName, serviceNameOf, type UnitKind } from '../compile/kinds.js';
import { isBareTemplate } from '../compile/definition.js';
import { formatLocation } from '../errors.js';
import type { LastRun, RecordedDefinition, RecordedProblem } from '../generator/last-run.js';
import type { LoadResult } from '../generator/load.js';
import { isUnitName } from '../unit/unit-name.js';

/** A definition file on the search path, as far as its name and contents say. */
export interface DefinitionFile {
  /** e.g. web.container */
  readonly name: string;
  readonly kind: string;
  readonly source: string;
  /** Its main unit, e.g. web.service; null for a template without an instance (only its instances are units). */
  readonly unit: string | null;
  /** The definition podman's own Quadlet compiles into the same unit, when it runs here (quadlet-folders.ts). */
  readonly quadlet: string | null;
}

/** systemd's answer about a unit (ListUnitsByNames). */
export interface UnitState {
  readonly load: string;
  readonly active: string;
  readonly sub: string;
}

export const NOT_LOADED = 'not loaded';
export const NOT_GENERATED = 'not generated yet (run systemctl daemon-reload)';

export interface DefinitionRow extends DefinitionFile {
  /** systemd's ActiveState (active, inactive, failed, activating …) when it loaded the unit; else "not loaded",
   * the LoadState (masked, bad-setting …), "template", or "unknown" (no systemd to ask). */
  readonly state: string;
  /** systemd's LoadState and SubState; null when systemd was not asked. */
  readonly load: string | null;
  readonly sub: string | null;
  /** Why it is not loaded: the generator's first error (FILE:LINE:COLUMN: KEY: message), or NOT_GENERATED. */
  readonly reason: string | null;
  /** Its errors and warnings at the generator's last run. */
  readonly problems: readonly RecordedProblem[];
}

/**
 * Every definition file the search path holds, those that could not be read included, sorted by name;
 * `quadlet`: by source, the definition podman's Quadlet compiles into the same unit.
 */
export function definitionFiles(loaded: Pick<LoadResult, 'definitions' | 'refused'>, quadlet: ReadonlyMap<string, string> = new Map()): DefinitionFile[] {
  const unit = (fileName: string, service: string): string | null => (isBareTemplate(fileName) ? null : `${service}.service`);
  const file = (name: string, kind: string, source: string, service: string): DefinitionFile => ({ name, kind, source, unit: unit(name, service), quadlet: quadlet.get(source) ?? null });
  const files: DefinitionFile[] = [
    ...loaded.definitions.map((d) => file(d.fileName, d.kind, d.unit.path, serviceNameOf(d))),
    ...loaded.refused.map((f) => file(f.fileName, f.kind, f.path, fileServiceName(f.fileName, f.kind as UnitKind))),
  ];
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** The units to ask systemd about: those that are units (not templates) with names systemd accepts. */
export function unitsToAsk(files: readonly DefinitionFile[]): string[] {
  return [...new Set(files.flatMap((f) => (f.unit !== null && isUnitName(f.unit) ? [f.unit] : [])))];
}

/** Why a refused definition was: its first error, and how many more problems there are. */
export function refusalReason(d: RecordedDefinition): string {
  const first = d.problems.find((p) => p.severity === 'error');
  if (!first) return 'the generator wrote no unit for it (see its log)';
  const others = d.problems.filter((p) => p.severity === 'error').length - 1 + (d.more ?? 0);
  const where = formatLocation({ file: first.file, line: first.line, ...(first.column ? { column: first.column } : {}), ...(first.key ? { key: first.key } : {}) });
  return `${where}${first.message}${others > 0 ? ` (and ${others} more)` : ''}`;
}

/** One row per file; `states` is systemd's answer by unit name (undefined: no systemd to ask). */
export function listRows(files: readonly DefinitionFile[], run: LastRun | undefined, states: ReadonlyMap<string, UnitState> | undefined): DefinitionRow[] {
  const recorded = new Map((run?.definitions ?? []).map((d) => [d.source, d]));
  return files.map((f) => {
    const record = recorded.get(f.source);
    const s = f.unit !== null ? states?.get(f.unit) : undefined;
    const row = { ...f, load: s?.load ?? null, sub: s?.sub ?? null, reason: null, problems: record?.problems ?? [] };
    if (f.unit === null) return { ...row, state: 'template' };
    if (s?.load === 'loaded') return { ...row, state: s.active };
    if (record?.refused) return { ...row, state: NOT_LOADED, reason: refusalReason(record) };
    if (!states) return { ...row, state: 'unknown' };
    if (s && s.load !== 'not-found') return { ...row, state: s.load };
    // The generator records every definition it refused: one it did not, systemd has no unit of, came since.
    return { ...row, state: NOT_LOADED, reason: NOT_GENERATED };
  });
}
