/** Finds one container definition by its unit name, for the commands that act on a running container. */
import { readCheckpoint, type CheckpointSettings } from '../compile/checkpoint-settings.js';
import type { Definition } from '../compile/definition.js';
import { unitInfos } from '../compile/kinds.js';
import { Problems } from '../compile/problems.js';
import { UsageError } from '../errors.js';
import { loadDefinitions } from './load.js';
import { searchPaths } from './search-paths.js';

export interface ContainerDefinition {
  readonly definition: Definition;
  /** The unit's name without .service, e.g. web. */
  readonly serviceName: string;
  /** The podman container's name, specifiers resolved. */
  readonly containerName: string;
  readonly checkpoint?: CheckpointSettings;
}

export function findContainer(name: string, user: boolean, env: NodeJS.ProcessEnv = process.env, dirs = searchPaths(user, env)): ContainerDefinition {
  const unitName = name.replace(/\.service$/, '');
  const { definitions } = loadDefinitions(dirs);
  const infos = unitInfos(definitions);
  const definition = definitions.find((d) => d.kind === 'container' && infos.get(d.fileName)?.serviceName === unitName);
  if (!definition) throw new UsageError(`no container definition named ${unitName} on the search path (${dirs.join(', ')})`);
  const containerName = infos.get(definition.fileName)!.resourceName;
  if (containerName.includes('%')) throw new UsageError(`${unitName}: its ContainerName uses specifiers other than the unit's name (%N, %n, %p …), which berth cannot resolve outside systemd`);
  const problems = new Problems();
  const checkpoint = readCheckpoint(definition.unit, () => undefined, problems);
  if (problems.errors.length > 0) throw problems.errors[0]!;
  return { definition, serviceName: unitName, containerName, ...(checkpoint ? { checkpoint } : {}) };
}
