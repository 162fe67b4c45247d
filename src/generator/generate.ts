/**
 * The generator's core: definitions in, units out. Each definition is compiled, serialized and given its
 * install links on its own, so one that fails (or makes berth fail) costs only its own units. A
 * definition that needs another one which was refused (Network=x.network, Pod=x.pod, Requires=x.volume …)
 * is refused as well, since its unit would require one that never exists; a pod starts only the members
 * that were generated. No I/O here but the compilers' own reads of the definitions they were given.
 */
import { DefinitionError } from '../errors.js';
import { compileDefinition } from '../compile/compile.js';
import type { CompileContext, HostCgroups } from '../compile/context.js';
import type { Definition } from '../compile/definition.js';
import { kindOf, kindSpec, unitInfos } from '../compile/kinds.js';
import type { Version } from '../compile/version.js';
import type { Entry } from '../unit/syntax.js';
import { entryError, type UnitFile } from '../unit/unit-file.js';
import { checkUnitName } from '../unit/unit-name.js';
import { defaultTarget, type EnabledState } from './enabled.js';
import { installSymlinks, type Symlink } from './install.js';

export interface GeneratedUnit {
  /** e.g. web.service */
  readonly fileName: string;
  readonly text: string;
  readonly symlinks: readonly Symlink[];
  readonly source: string;
}

export interface GenerateResult {
  /** The units, when no GenerateOptions.emit took them. */
  readonly units: GeneratedUnit[];
  /** Definitions that were skipped, each problem with its file, line and key. */
  readonly errors: DefinitionError[];
  readonly warnings: DefinitionError[];
}

export interface GenerateOptions {
  readonly target: Version;
  readonly user: boolean;
  /** The uid whose user manager runs the units (user scope): [Checkpoint] is refused unless it is 0. */
  readonly uid?: number;
  /** podman's view of this host's cgroups, when the units are for this host (plan.ts). */
  readonly cgroups?: HostCgroups | undefined;
  readonly podman: string;
  /** Names the generator in the generated files' header comment. */
  readonly generatedBy?: string;
  /** The berth command written into checkpoint units (default /usr/bin/berth). */
  readonly berth?: readonly string[];
  /** Checks [Checkpoint] calendars; the CLI passes systemd's (engine/calendar.ts). Default: accept all. */
  readonly validateCalendar?: (expr: string) => string | undefined;
  /** Takes each unit as soon as it is final; without it, the result collects them. */
  readonly emit?: (unit: GeneratedUnit) => void;
  /** Quadlet's folders, when berth reads them (quadlet-folders.ts): a [Checkpoint] section is refused there. */
  readonly quadletFolders?: readonly string[];
  /** `berth enable|disable` states by definition file name (generator/enabled.ts); none: [Install] decides. */
  readonly enabled?: ReadonlyMap<string, EnabledState>;
}

/** [Unit] keys by which a unit cannot start without another. */
const HARD_DEPENDENCIES = new Set(['Requires', 'Requisite', 'BindsTo']);

/** A definition another one cannot start without, and the line that says so. */
interface Need {
  readonly file: string;
  readonly entry: Entry;
  readonly path: string;
}

/** One definition's outcome: its units when it compiled, else why not. */
interface Outcome {
  readonly def: Definition;
  readonly units: GeneratedUnit[];
  readonly errors: DefinitionError[];
  readonly warnings: DefinitionError[];
  readonly needs: readonly Need[];
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

/** The other definitions a unit requires, binds to or is requisite of, by their generated services' names. */
function needsOf(def: Definition, service: UnitFile, owner: ReadonlyMap<string, string>): Need[] {
  const needs: Need[] = [];
  for (const e of service.entries('Unit')) {
    if (!HARD_DEPENDENCIES.has(e.key)) continue;
    for (const word of service.splitEntry(e, { retainEscape: true }) ?? []) {
      const file = owner.get(word);
      if (file !== undefined && file !== def.fileName) needs.push({ file, entry: e, path: service.path });
    }
  }
  return needs;
}

/**
 * A [Checkpoint] section in one of Quadlet's folders: refused, since podman's own Quadlet takes those
 * folders over once podman is upgraded to 4.4 or later, and would silently run the container without it.
 */
function checkpointInQuadletFolder(def: Definition, folders: readonly string[]): DefinitionError | undefined {
  if (folders.length === 0 || !def.unit.hasSection('Checkpoint')) return undefined;
  const folder = folders.find((f) => def.unit.path.startsWith(`${f}/`));
  return folder === undefined ? undefined : new DefinitionError({ file: def.unit.path, line: def.unit.sectionLine('Checkpoint') },
    `a [Checkpoint] section is read only in berth's own folders (/etc/berth/definitions …), not in ${folder}, which podman's own Quadlet compiles from podman 4.4 on (without checkpoints): move this file to /etc/berth/definitions`);
}

/** Compiles one definition into the text and links of each of its units. Never throws. */
function build(def: Definition, ctx: CompileContext, header: readonly string[], owner: ReadonlyMap<string, string>, opts: Pick<GenerateOptions, 'quadletFolders' | 'enabled'> = {}): Outcome {
  const units: GeneratedUnit[] = [];
  const warnings: DefinitionError[] = [];
  const refused = (errors: DefinitionError[]): Outcome => ({ def, units: [], errors, warnings, needs: [] });
  try {
    const foreign = checkpointInQuadletFolder(def, opts.quadletFolders ?? []);
    if (foreign) return refused([foreign]);
    const compiled = compileDefinition(def, ctx);
    for (const w of compiled.warnings) warnings.push(w);
    if (compiled.errors.length > 0) return refused([...compiled.errors]);
    const main = { fileName: `${compiled.serviceName}.service`, unit: compiled.service };
    const all = [main, ...(compiled.extraUnits ?? [])];
    for (const u of all) {
      const bad = nameProblem(def, 'dropinFor' in u && u.dropinFor !== undefined ? u.dropinFor : u.fileName);
      if (bad) return refused([bad]);
    }
    const text = (unit: UnitFile): string => unit.toString(header);
    const state = opts.enabled?.get(def.fileName);
    const install = installSymlinks(main.unit, main.fileName, state && { state, defaultTarget: defaultTarget(ctx.user) });
    for (const w of install.warnings) warnings.push(w);
    const mainText = compiled.notes ? main.unit.toString([...header, ...compiled.notes, '']) : text(main.unit);
    units.push({ fileName: main.fileName, text: mainText, symlinks: install.links, source: def.unit.path });
    // A definition's extra units (its checkpoint timer) are enabled when its own unit is: by WantedBy= and
    // the like, not by a mere Alias=.
    const installed = install.links.some((l) => l.path.includes('/'));
    for (const extra of compiled.extraUnits ?? []) {
      const links = installed ? installSymlinks(extra.unit, extra.fileName).links : [];
      units.push({ fileName: extra.fileName, text: text(extra.unit), symlinks: links, source: def.unit.path });
    }
    return { def, units, errors: [], warnings, needs: needsOf(def, compiled.service, owner) };
  } catch (err) {
    return refused([err instanceof DefinitionError ? err : bug(def, err)]);
  }
}

/**
 * Compiles every definition. A unit is final, and handed to `opts.emit` (or collected in the result),
 * as soon as every definition it cannot start without is final too, so that most units go to disk while
 * the others compile and nothing holds them all. A definition that needs a refused one is refused; pods
 * are final last, when it is known which of their members are refused, with those that wait for them.
 */
export function generate(definitions: readonly Definition[], opts: GenerateOptions): GenerateResult {
  const refused = new Set<string>();
  const accepted = new Set<string>();
  const ctx: CompileContext = {
    target: opts.target,
    user: opts.user,
    ...(opts.user && opts.uid !== undefined ? { uid: opts.uid } : {}),
    cgroups: opts.cgroups,
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

  const units: GeneratedUnit[] = [];
  const emit = opts.emit ?? ((u: GeneratedUnit) => void units.push(u));
  const errors: DefinitionError[] = [];
  const warnings: DefinitionError[] = [];
  /** A problem found in a drop-in names the definition it refuses. */
  const owned = (def: Definition, e: DefinitionError): DefinitionError =>
    e.location.file === def.unit.path ? e : new DefinitionError({ ...e.location, definition: def.fileName }, e.detail);
  // Which definition each name in the output folder belongs to: a unit file, or an alias link.
  const written = new Map<string, string>();
  /** Outcomes that wait for another definition to be final, by the one each waits for. */
  const waiting = new Map<string, Outcome[]>();

  const release = (file: string): void => {
    const waiters = waiting.get(file);
    waiting.delete(file);
    for (const w of waiters ?? []) settle(w);
  };
  const report = (o: Outcome, problems: readonly DefinitionError[]): void => {
    for (const w of capped(o.def, o.warnings)) warnings.push(owned(o.def, w));
    for (const e of capped(o.def, problems)) errors.push(owned(o.def, e));
  };
  const refuse = (o: Outcome, problems: readonly DefinitionError[]): void => {
    refused.add(o.def.fileName);
    report(o, problems);
    release(o.def.fileName);
  };
  const accept = (o: Outcome): void => {
    accepted.add(o.def.fileName);
    report(o, []);
    const clash = o.units.find((u) => written.has(u.fileName));
    if (clash) errors.push(new DefinitionError({ file: o.def.unit.path, line: 1 }, `${clash.fileName} is already generated from ${written.get(clash.fileName)}`));
    else {
      for (const u of o.units) written.set(u.fileName, o.def.unit.path);
      for (const u of o.units) emit(withoutAliasClashes(u, written, warnings));
    }
    release(o.def.fileName);
  };
  /** The refusal of an outcome that needs a refused definition, if it does. */
  const needsRefused = (o: Outcome): DefinitionError | undefined => {
    const bad = o.needs.find((n) => refused.has(n.file));
    return bad && entryError(bad.entry, bad.path, `depends on ${bad.file}, which was refused`);
  };
  /** Refuses, accepts, or makes wait for the first definition it needs that is not final yet. */
  function settle(o: Outcome): void {
    if (o.errors.length > 0) return refuse(o, o.errors);
    const bad = needsRefused(o);
    if (bad) return refuse(o, [bad]);
    const open = o.needs.find((n) => !accepted.has(n.file));
    if (!open) return accept(o);
    const list = waiting.get(open.file);
    if (list) list.push(o);
    else waiting.set(open.file, [o]);
  }

  const sorted = [...definitions].sort((a, b) => kindSpec(a).order - kindSpec(b).order);
  const order = new Map(sorted.map((d, i) => [d.fileName, i]));
  for (const def of sorted) if (def.kind !== 'pod') settle(build(def, ctx, header, owner, opts));

  // Left: the pods, built now that their members' fate is known, what waits for them, and definitions
  // that need each other. Refuse what needs a refused definition until nothing more is; pods are rebuilt
  // each round, as more of their members may have been refused.
  const pods = () => sorted.filter((d) => d.kind === 'pod' && !refused.has(d.fileName)).map((d) => build(d, ctx, header, owner, opts));
  let left = [...pods(), ...[...waiting.values()].flat()].sort((a, b) => order.get(a.def.fileName)! - order.get(b.def.fileName)!);
  waiting.clear();
  for (let grew = true; grew; ) {
    grew = false;
    for (const o of left) {
      const problems = o.errors.length > 0 ? o.errors : [needsRefused(o)].filter((e) => e !== undefined);
      if (problems.length === 0 || refused.has(o.def.fileName)) continue;
      refuse(o, problems);
      grew = true;
    }
    left = left.filter((o) => !refused.has(o.def.fileName));
    if (grew) left = left.map((o) => (o.def.kind === 'pod' ? build(o.def, ctx, header, owner, opts) : o));
  }
  for (const o of left) accept(o);
  return { units, errors, warnings };
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
