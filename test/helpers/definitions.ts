/** Builds definitions from text for pure compiler and generator tests, and compiles one as the generator would. */
import { Command } from '../../src/compile/command.js';
import type { CompileContext, HostCgroups } from '../../src/compile/context.js';
import type { Definition } from '../../src/compile/definition.js';
import type { Job } from '../../src/compile/job.js';
import { kindOf, kindSpec, serviceNameOf, unitInfos } from '../../src/compile/kinds.js';
import { Problems } from '../../src/compile/problems.js';
import { parseVersion } from '../../src/compile/version.js';
import { generate } from '../../src/generator/generate.js';
import { splitWords } from '../../src/unit/quote.js';
import { UnitFile } from '../../src/unit/unit-file.js';

export function definition(fileName: string, text: string, dir = '/etc/berth/definitions'): Definition {
  const path = `${dir}/${fileName}`;
  const { unit, errors } = UnitFile.parse(text, path);
  if (errors.length > 0) throw errors[0];
  const kind = kindOf(fileName);
  if (!kind) throw new Error(`not a definition file name: ${fileName}`);
  return { fileName, kind, unit };
}

export interface CompileOptions {
  /** The target podman, 6.0 by default. */
  readonly target?: string;
  readonly user?: boolean;
  /** The uid of the user manager (user scope); none by default, which refuses [Checkpoint] as for a user. */
  readonly uid?: number;
  readonly podman?: string;
  /** podman's view of the host's cgroups; unknown by default. */
  readonly cgroups?: HostCgroups;
  /** More definitions beside it, by file name (those it refers to). */
  readonly others?: Readonly<Record<string, string>>;
}

/**
 * Generates `fileName` (with `others` beside it) and reads back its unit: the parsed service, the words of
 * its last ExecStart= (argvOf for another Exec key), and every problem.
 */
export function compileOne(fileName: string, text: string, opts: CompileOptions = {}) {
  const main = definition(fileName, text);
  const defs = [main, ...Object.entries(opts.others ?? {}).map(([n, t]) => definition(n, t))];
  const result = generate(defs, { target: parseVersion(opts.target ?? '6.0')!, user: opts.user ?? false, ...(opts.uid !== undefined ? { uid: opts.uid } : {}), cgroups: opts.cgroups, podman: opts.podman ?? '/usr/bin/podman' });
  const units = new Map(result.units.map((u) => [u.fileName, UnitFile.parse(u.text, u.fileName).unit]));
  const service = units.get(`${serviceNameOf(main)}.service`);
  const argvOf = (key: string): string[] => {
    const e = service?.list('Service', key).at(-1);
    return e ? splitWords(e.value, { cunescape: true }) : [];
  };
  return {
    result, units, service, argv: argvOf('ExecStart'), argvOf,
    errors: result.errors.map((e) => e.message), warnings: result.warnings.map((e) => e.message),
  };
}

/** A job for one definition (with `others` beside it), as the driver makes one, for the compilers' own helpers. */
export function jobFor(fileName: string, text: string, opts: CompileOptions = {}): Job {
  const def = definition(fileName, text);
  const defs = [def, ...Object.entries(opts.others ?? {}).map(([n, t]) => definition(n, t))];
  const units = unitInfos(defs);
  const ctx: CompileContext = {
    target: parseVersion(opts.target ?? '6.0')!, user: opts.user ?? false, podman: opts.podman ?? '/usr/bin/podman', berth: ['/usr/bin/berth'],
    validateCalendar: () => undefined, units, isDefinitionName: (n) => kindOf(n) !== undefined, refused: new Set(),
  };
  return {
    def, unit: def.unit, section: kindSpec(def).section, service: def.unit.clone(), ctx, problems: new Problems(),
    info: units.get(fileName)!, cmd: new Command(), podman: [ctx.podman],
  };
}
