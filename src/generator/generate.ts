/**
 * The generator's core: definitions in, units out. Each definition is compiled, serialized and given its
 * install links on its own, so one that fails (or makes berth fail) costs only its own units. A
 * definition that needs another one which was refused (Network=x.network, Pod=x.pod, Requires=x.volume …)
 * is refused as well, since its unit would require one that never exists; a pod starts only the members
 * that were generated. No I/O here but the compilers' own reads of the definitions they were given.
 */
import { DefinitionError } from '../errors.js';
import { compileDefinition } from '../compile/compile.js';
import type { CompiledUnit } from '../compile/compiled.js';
import type { CompileContext } from '../compile/context.js';
import type { Definition } from '../compile/definition.js';
import { kindOf, kindSpec, unitInfos } from '../compile/kinds.js';
import type { Version } from '../compile/version.js';
import type { UnitFile } from '../unit/unit-file.js';
import { checkUnitName } from '../unit/unit-name.js';
import { installSymlinks, type Symlink } from './install.js';

export interface GeneratedUnit {
  /** e.g. web.service */
  readonly fileName: string;
  readonly text: string;
  readonly symlinks: readonly Symlink[];
  readonly source: string;
}

export interface GenerateResult {
  readonly units: GeneratedUnit[];
  /** Definitions that were skipped, each problem with its file, line and key. */
  readonly errors: DefinitionError[];
  readonly warnings: DefinitionError[];
}

export interface GenerateOptions {
  readonly target: Version;
  readonly user: boolean;
  readonly podman: string;
  /** Names the generator in the generated files' header comment. */
  readonly generatedBy?: string;
  /** The berth command written into checkpoint units (default /usr/bin/berth). */
  readonly berth?: readonly string[];
  /** Checks [Checkpoint] calendars; the CLI passes systemd's (engine/calendar.ts). Default: accept all. */
  readonly validateCalendar?: (expr: string) => string | undefined;
}

/** [Unit] keys by which a unit cannot start without another. */
const HARD_DEPENDENCIES = ['Requires', 'Requisite', 'BindsTo'];

/** One definition's outcome: its units when it compiled, else why not. */
interface Outcome {
  readonly def: Definition;
  readonly compiled?: CompiledUnit;
  readonly units: GeneratedUnit[];
  readonly errors: DefinitionError[];
  readonly warnings: DefinitionError[];
}

function bug(def: Definition, err: unknown): DefinitionError {
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new DefinitionError({ file: def.unit.path, line: 1 }, `berth failed on this definition (${what}); this is a bug in berth`);
}

/** A unit name from ServiceName= or the file's name that systemd would not accept. */
function nameProblem(def: Definition, fileName: string): DefinitionError | undefined {
  const c = checkUnitName(fileName);
  if (!('problem' in c)) return undefined;
  const e = def.unit.last(kindSpec(def).section, 'ServiceName');
  return e ? def.unit.error(e, c.problem) : new DefinitionError({ file: def.unit.path, line: 1 }, `its unit name is not valid: ${c.problem}`);
}

/** Compiles one definition into the text and links of each of its units. Never throws. */
function build(def: Definition, ctx: CompileContext, header: readonly string[]): Outcome {
  const units: GeneratedUnit[] = [];
  const warnings: DefinitionError[] = [];
  let compiled: CompiledUnit;
  try {
    compiled = compileDefinition(def, ctx);
    for (const w of compiled.warnings) warnings.push(w);
    if (compiled.errors.length > 0) return { def, units, errors: [...compiled.errors], warnings };
    const main = { fileName: `${compiled.serviceName}.service`, unit: compiled.service };
    const all = [main, ...(compiled.extraUnits ?? [])];
    for (const { fileName } of all) {
      const bad = nameProblem(def, fileName);
      if (bad) return { def, units, errors: [bad], warnings };
    }
    const text = (unit: UnitFile): string => unit.toString(header);
    const install = installSymlinks(main.unit, main.fileName);
    for (const w of install.warnings) warnings.push(w);
    units.push({ fileName: main.fileName, text: text(main.unit), symlinks: install.links, source: def.unit.path });
    // A definition's extra units (its checkpoint timer) are enabled when its own unit is: by WantedBy= and
    // the like, not by a mere Alias=.
    const installed = install.links.some((l) => l.path.includes('/'));
    for (const extra of compiled.extraUnits ?? []) {
      const links = installed ? installSymlinks(extra.unit, extra.fileName).links : [];
      units.push({ fileName: extra.fileName, text: text(extra.unit), symlinks: links, source: def.unit.path });
    }
  } catch (err) {
    return { def, units: [], errors: [err instanceof DefinitionError ? err : bug(def, err)], warnings };
  }
  return { def, compiled, units, errors: [], warnings };
}

export function generate(definitions: readonly Definition[], opts: GenerateOptions): GenerateResult {
  const refused = new Set<string>();
  const ctx: CompileContext = {
    target: opts.target,
    user: opts.user,
    podman: opts.podman,
    berth: opts.berth ?? ['/usr/bin/berth'],
    validateCalendar: opts.validateCalendar ?? (() => undefined),
    units: unitInfos(definitions),
    isDefinitionName: (name) => kindOf(name) !== undefined,
    refused,
  };
  const header = [`Automatically generated by ${opts.generatedBy ?? 'berth generate'}`, ''];
  const owner = new Map<string, string>();
  for (const [fileName, info] of ctx.units) owner.set(`${info.serviceName}.service`, fileName);

  const outcomes = new Map<string, Outcome>();
  const record = (o: Outcome): void => {
    outcomes.set(o.def.fileName, o);
    if (o.errors.length > 0) refused.add(o.def.fileName);
  };
  /** A problem found in a drop-in names the definition it refuses. */
  const owned = (def: Definition, e: DefinitionError): DefinitionError =>
    e.location.file === def.unit.path ? e : new DefinitionError({ ...e.location, definition: def.fileName }, e.detail);
  for (const def of [...definitions].sort((a, b) => kindSpec(a).order - kindSpec(b).order)) record(build(def, ctx, header));

  // Refuse what needs a refused definition, until nothing more is refused; pods are rebuilt each round,
  // since their members may have been refused.
  for (let grew = true; grew; ) {
    grew = false;
    for (const o of outcomes.values()) {
      if (!o.compiled || refused.has(o.def.fileName)) continue;
      const service = o.compiled.service;
      for (const e of service.entries('Unit')) {
        if (!HARD_DEPENDENCIES.includes(e.key)) continue;
        const needed = (service.splitEntry(e, { retainEscape: true }) ?? []).map((w) => owner.get(w)).find((f) => f !== undefined && f !== o.def.fileName && refused.has(f));
        if (needed === undefined) continue;
        record({ ...o, units: [], errors: [service.error(e, `depends on ${needed}, which was refused`)] });
        grew = true;
        break;
      }
    }
    if (grew) for (const o of outcomes.values()) if (o.def.kind === 'pod' && !refused.has(o.def.fileName)) record(build(o.def, ctx, header));
  }

  const units: GeneratedUnit[] = [];
  const errors: DefinitionError[] = [];
  const warnings: DefinitionError[] = [];
  // Which definition each name in the output folder belongs to: a unit file, or an alias link.
  const written = new Map<string, string>();
  for (const o of outcomes.values()) {
    for (const w of capped(o.def, o.warnings)) warnings.push(owned(o.def, w));
    for (const e of capped(o.def, o.errors)) errors.push(owned(o.def, e));
    if (o.errors.length > 0) continue;
    const clash = o.units.find((u) => written.has(u.fileName));
    if (clash) {
      errors.push(new DefinitionError({ file: o.def.unit.path, line: 1 }, `${clash.fileName} is already generated from ${written.get(clash.fileName)}`));
      continue;
    }
    for (const u of o.units) written.set(u.fileName, o.def.unit.path);
    for (const u of o.units) units.push(u);
  }
  return { units: units.map((u) => withoutAliasClashes(u, written, warnings)), errors, warnings };
}

/** At most this many problems of one definition are reported, then how many more there are. */
const MAX_REPORTED = 50;

function capped(def: Definition, problems: readonly DefinitionError[]): readonly DefinitionError[] {
  if (problems.length <= MAX_REPORTED) return problems;
  const more = new DefinitionError({ file: def.unit.path, line: 0 }, `… and ${problems.length - MAX_REPORTED} more of the same kind`);
  return [...problems.slice(0, MAX_REPORTED), more];
}

/** A unit without the Alias= links whose names another definition's unit or alias already has. */
function withoutAliasClashes(unit: GeneratedUnit, written: Map<string, string>, warnings: DefinitionError[]): GeneratedUnit {
  const keep = unit.symlinks.filter((link) => {
    if (link.path.includes('/')) return true;
    const owner = written.get(link.path);
    if (owner === undefined) {
      written.set(link.path, unit.source);
      return true;
    }
    warnings.push(new DefinitionError({ file: unit.source, line: 1, key: 'Alias' }, `the alias ${link.path} is already a name of ${owner}; no link is made for it`));
    return false;
  });
  return keep.length === unit.symlinks.length ? unit : { ...unit, symlinks: keep };
}
