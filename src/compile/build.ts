/** Compiles a .build definition into the oneshot service that builds its image with `podman build`. */
import { isAbsolute } from 'node:path';
import type { DefinitionError } from '../errors.js';
import type { Definition } from '../model/definition.js';
import { quoteWords } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { BUILD_KEYS } from './build-keys.js';
import type { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import type { CompileContext } from './context.js';
import { applyKeys, checkKeys, initService, Problems, requireFeature } from './service.js';
import { addNetworks, addVolumes, baseCommand, defaultOneshot, failAt } from './shared.js';
import { isUrlLike, setWorkingDirectory } from './working-directory.js';

const S = 'Build';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly unit: UnitFile;
  readonly service: UnitFile;
  readonly ctx: CompileContext;
  readonly cmd: Command;
  /** The build context from SetWorkingDirectory= ('' for none); undefined once that key failed. */
  context: string | undefined;
}

type Handler = (job: Job) => void;

const fail = (unit: UnitFile, e: Entry | undefined, detail: string): DefinitionError => failAt(unit, S, e, detail);

const noop: Handler = () => undefined;

/** Systemd specifiers start with % (but %% is a literal percent). */
const startsWithSpecifier = (p: string): boolean => p.startsWith('%') && !p.startsWith('%%');

const HANDLERS: Readonly<Record<string, Handler>> = {
  GlobalArgs: noop,
  ContainersConfModule: noop,

  Pull({ unit, cmd, ctx }) {
    const v = unit.get(S, 'Pull');
    if (!v) return;
    // podman before 5.8 takes --pull=newer silently as "missing": refuse it rather than pull less.
    if (v.toLowerCase() === 'newer') requireFeature(ctx, unit, unit.last(S, 'Pull')!, 'build --pull=newer');
    cmd.add(`--pull=${v}`);
  },

  Network: (job) => addNetworks(job, S, job.cmd),
  Volume: (job) => addVolumes(job, S, job.cmd),

  SetWorkingDirectory(job) {
    job.context = undefined;
    job.context = setWorkingDirectory(job, S);
  },

  File({ unit, cmd }) {
    const file = unit.get(S, 'File');
    if (file) cmd.add('--file', file);
  },
};

/**
 * The command's last word: the context SetWorkingDirectory= gave, else the working directory when File=
 * is relative (or absent), as Quadlet does. Throws when neither says where to build.
 */
function buildContext(job: Job, context: string): string | undefined {
  const { unit, service } = job;
  const workingDirectory = service.get('Service', 'WorkingDirectory') ?? '';
  const file = unit.get(S, 'File') ?? '';
  if (!workingDirectory && !file && !context) {
    throw fail(unit, unit.last(S, 'SetWorkingDirectory'), 'neither SetWorkingDirectory, nor File key specified');
  }
  if (context) return context;
  if (startsWithSpecifier(file) || isAbsolute(file) || isUrlLike(file)) return undefined;
  if (!workingDirectory) throw fail(unit, unit.last(S, 'File'), 'relative path in File key requires SetWorkingDirectory key to be set');
  return workingDirectory;
}

export function compileBuild(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKeys(def, BUILD_KEYS, 'build', ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;

  // Other definitions name the image by its first tag: without one there is nothing to build.
  if (!info.resourceName) problems.errors.push(fail(unit, unit.last(S, 'ImageTag'), 'no ImageTag key specified'));

  const cmd = baseCommand(unit, S, ctx).add('build');
  const job: Job = { unit, service, ctx, cmd, context: '' };
  applyKeys(unit, S, BUILD_KEYS, HANDLERS, job, cmd, ctx, problems);

  const context = job.context;
  if (context !== undefined) {
    problems.guard(() => {
      const last = buildContext(job, context);
      if (last !== undefined) cmd.add(last);
    });
  }
  service.add('Service', 'ExecStart', quoteWords(cmd.args));
  // As Quadlet: no RemainAfterExit, the service is done once the build exits (a later start builds again).
  defaultOneshot(service, false);

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
