/** Compiles a .artifact definition into the oneshot service that pulls the OCI artifact with `podman artifact pull`. */
import type { Definition } from '../model/definition.js';
import { quoteWords } from '../unit/quote.js';
import { ARTIFACT_KEYS } from './artifact-keys.js';
import type { CompiledUnit } from './compiled.js';
import type { CompileContext } from './context.js';
import { applyKeys, checkKeys, initService, Problems } from './service.js';
import { baseCommand, defaultOneshot, failAt } from './shared.js';

const S = 'Artifact';

export function compileArtifact(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  // The Artifact key's gate is `artifact pull` itself (5.4), so an older target is refused at that line.
  checkKeys(def, ARTIFACT_KEYS, 'artifact pull', ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;

  const artifact = unit.get(S, 'Artifact');
  if (!artifact) problems.errors.push(failAt(unit, S, unit.last(S, 'Artifact'), 'no Artifact key specified'));

  const cmd = baseCommand(unit, S, ctx).add('artifact', 'pull');
  applyKeys(unit, S, ARTIFACT_KEYS, {}, undefined, cmd, ctx, problems);
  cmd.add(artifact ?? '');
  service.add('Service', 'ExecStart', quoteWords(cmd.args));
  defaultOneshot(service, true);

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
