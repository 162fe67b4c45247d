/** Compiles a .image definition into the oneshot service that pulls the image with `podman image pull`. */
import type { Definition } from '../model/definition.js';
import { quoteWords } from '../unit/quote.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import type { CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { IMAGE_KEYS } from './image-keys.js';
import { applyKeys, checkKeys, initService, Problems, requireFeature } from './service.js';
import { baseCommand, defaultOneshot, failAt } from './shared.js';
import { atLeast } from './version.js';

const S = 'Image';
const SUB = 'image pull';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly unit: UnitFile;
  readonly ctx: CompileContext;
  readonly cmd: Command;
}

type Handler = (job: Job) => void;

const HANDLERS: Readonly<Record<string, Handler>> = {
  Policy({ unit, ctx, cmd }) {
    const policy = unit.get(S, 'Policy');
    if (!policy) return;
    // `image pull` before 5.6 has no --policy and always pulls: the same as Policy=always, which is left out.
    if (policy === 'always' && !atLeast(ctx.target, FLAG_SINCE[`${SUB} --policy`]!)) return;
    requireFeature(ctx, unit, unit.last(S, 'Policy')!, `${SUB} --policy`);
    cmd.add('--policy', policy);
  },
};

export function compileImage(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKeys(def, IMAGE_KEYS, SUB, ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;

  const image = unit.get(S, 'Image');
  if (!image) problems.errors.push(failAt(unit, S, unit.last(S, 'Image'), 'no Image key specified'));

  const cmd = baseCommand(unit, S, ctx).add('image', 'pull');
  const job: Job = { unit, ctx, cmd };
  applyKeys(unit, S, IMAGE_KEYS, HANDLERS, job, cmd, ctx, problems);
  cmd.add(image ?? '');
  service.add('Service', 'ExecStart', quoteWords(cmd.args));
  defaultOneshot(service, true);

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
