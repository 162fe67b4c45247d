/**
 * One compilation: the definition, the unit being built from it, what it may know of the others, and what
 * it found. The driver (compile.ts) makes one per definition; a kind's compiler (kinds.ts) fills in the
 * podman arguments and the values of its template.
 */
import { DefinitionError } from '../errors.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { ExtraUnit } from './checkpoint.js';
import type { Command } from './command.js';
import type { CompileContext, UnitInfo } from './context.js';
import type { Definition } from './definition.js';
import type { Problems } from './problems.js';
import type { TemplateValues } from './template.js';

export interface Job {
  readonly def: Definition;
  /** The definition, drop-ins merged. */
  readonly unit: UnitFile;
  /** Its kind's section, e.g. Container. */
  readonly section: string;
  /** The unit being built: the definition's own sections, then what the compiler and template add. */
  readonly service: UnitFile;
  readonly ctx: CompileContext;
  readonly problems: Problems;
  /** This definition's names (service, podman object). */
  readonly info: UnitInfo;
  /** The arguments the definition's keys make, after the kind's podman subcommand. */
  readonly cmd: Command;
  /** podman with its --module and global arguments: the first words of every podman line. */
  readonly podman: readonly string[];
}

/** What a kind's compiler gives back: its template's name and values, and any more units it needs. */
export interface KindOutput {
  readonly template: string;
  readonly values: TemplateValues;
  readonly extraUnits?: readonly ExtraUnit[];
  /** Comment lines for the unit's header: why it differs from what Quadlet would write, when a host fact decided. */
  readonly notes?: readonly string[];
}

export type KindCompiler = (job: Job) => KindOutput;

/** A key's own code, where a table rule cannot say what it does. */
export type Handler<J extends Job = Job> = (job: J) => void;

/** A definition error at an entry of the job's section, or at the section when no entry is to blame. */
export function fail(job: Pick<Job, 'unit' | 'section'>, e: Entry | undefined, detail: string): DefinitionError {
  return e ? job.unit.error(e, detail) : new DefinitionError({ file: job.unit.path, line: job.unit.sectionLine(job.section) }, detail);
}
