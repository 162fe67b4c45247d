/** Compiles a .image definition into the oneshot service that pulls the image (templates/image.service). */
import { IMAGE_KEYS } from './image-keys.js';
import { gate, requireGate, supports } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import { applyKeys, checkedTable } from './rules.js';

const S = 'Image';
const SUB = 'image pull';
const POLICY = gate(`${SUB} --policy`);

const HANDLERS: Readonly<Record<string, Handler>> = {
  Policy({ unit, ctx, cmd }) {
    const policy = unit.get(S, 'Policy');
    if (!policy) return;
    // `image pull` before 5.6 has no --policy and always pulls: the same as Policy=always, which is left out.
    if (policy === 'always' && !supports(ctx.target, POLICY)) return;
    requireGate(ctx.target, unit, unit.last(S, 'Policy')!, POLICY);
    cmd.add('--policy', policy);
  },
};

checkedTable(SUB, IMAGE_KEYS, HANDLERS);

export function compileImage(job: Job): KindOutput {
  const image = job.unit.get(S, 'Image');
  if (!image) job.problems.errors.push(fail(job, job.unit.last(S, 'Image'), 'no Image key specified'));
  applyKeys(job, IMAGE_KEYS, SUB, HANDLERS);
  return { template: 'image.service', values: { arguments: job.cmd.args, image: image ?? '' } };
}
