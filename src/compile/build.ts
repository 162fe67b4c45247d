/** Compiles a .build definition into the oneshot service that builds its image with `podman build` (templates/build.service). */
import { isAbsolute } from 'node:path';
import { BUILD_KEYS } from './build-keys.js';
import { gate, requireGate } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import { applyKeys, checkedTable } from './rules.js';
import { addNetworks, addVolumes } from './shared.js';
import { isUrlLike, setWorkingDirectory } from './working-directory.js';

const S = 'Build';
const PULL_NEWER = gate('build --pull=newer');

interface BuildJob extends Job {
  /** The build context from SetWorkingDirectory= ('' for none); undefined once that key failed. */
  context: string | undefined;
}

/** Systemd specifiers start with % (but %% is a literal percent). */
const startsWithSpecifier = (p: string): boolean => p.startsWith('%') && !p.startsWith('%%');

const HANDLERS: Readonly<Record<string, Handler<BuildJob>>> = {
  Pull({ unit, cmd, ctx }) {
    const v = unit.get(S, 'Pull');
    if (!v) return;
    // podman before 5.8 takes --pull=newer silently as "missing": refuse it rather than pull less.
    if (v.toLowerCase() === 'newer') requireGate(ctx.target, unit, unit.last(S, 'Pull')!, PULL_NEWER);
    cmd.add(`--pull=${v}`);
  },

  Network(job) {
    addNetworks(job);
  },

  Volume: (job) => addVolumes(job),

  SetWorkingDirectory(job) {
    job.context = undefined;
    job.context = setWorkingDirectory(job, S);
  },

  File({ unit, cmd }) {
    const file = unit.get(S, 'File');
    if (file) cmd.add('--file', file);
  },
};

checkedTable('build', BUILD_KEYS, HANDLERS);

/**
 * The command's last word: the context SetWorkingDirectory= gave, else the working directory when File=
 * is relative (or absent), as Quadlet does. Throws when neither says where to build.
 */
function buildContext(job: BuildJob, context: string): string[] {
  const { unit, service } = job;
  const workingDirectory = service.get('Service', 'WorkingDirectory') ?? '';
  const file = unit.get(S, 'File') ?? '';
  if (!workingDirectory && !file && !context) {
    throw fail(job, unit.last(S, 'SetWorkingDirectory'), 'neither SetWorkingDirectory, nor File key specified');
  }
  if (context) return [context];
  if (startsWithSpecifier(file) || isAbsolute(file) || isUrlLike(file)) return [];
  if (!workingDirectory) throw fail(job, unit.last(S, 'File'), 'relative path in File key requires SetWorkingDirectory key to be set');
  return [workingDirectory];
}

export function compileBuild(base: Job): KindOutput {
  // Other definitions name the image by its first tag: without one there is nothing to build.
  if (!base.info.resourceName) base.problems.errors.push(fail(base, base.unit.last(S, 'ImageTag'), 'no ImageTag key specified'));
  const job: BuildJob = { ...base, context: '' };
  applyKeys(job, BUILD_KEYS, 'build', HANDLERS);
  let context: string[] = [];
  const found = job.context;
  if (found !== undefined) {
    job.problems.guard(() => {
      context = buildContext(job, found);
    });
  }
  return { template: 'build.service', values: { arguments: job.cmd.args, context } };
}
