/** Compiles a .artifact definition into the oneshot service that pulls the OCI artifact (templates/artifact.service). */
import { ARTIFACT_KEYS } from './artifact-keys.js';
import { fail, type Job, type KindOutput } from './job.js';
import { applyKeys, checkedTable } from './rules.js';

const S = 'Artifact';

// The Artifact key's gate is `artifact pull` itself (5.4), so an older target is refused at that line.
checkedTable('artifact pull', ARTIFACT_KEYS, {});

export function compileArtifact(job: Job): KindOutput {
  const artifact = job.unit.get(S, 'Artifact');
  if (!artifact) job.problems.errors.push(fail(job, job.unit.last(S, 'Artifact'), 'no Artifact key specified'));
  applyKeys(job, ARTIFACT_KEYS, 'artifact pull', {});
  return { template: 'artifact.service', values: { arguments: job.cmd.args, artifact: artifact ?? '' } };
}
