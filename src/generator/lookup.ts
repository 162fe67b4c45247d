/**
 * Finds one definition by name: a container definition by its unit name, for the commands that act on a
 * running container (findContainer), or a definition of any kind (findDefinition).
 */
import { readCheckpoint, type CheckpointSettings } from '../compile/checkpoint-settings.js';
import type { Definition } from '../compile/definition.js';
import { kindOf, unitInfos } from '../compile/kinds.js';
import { Problems } from '../compile/problems.js';
import { UsageError } from '../errors.js';
import { loadDefinitions, type LoadResult } from './load.js';
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

export interface FoundDefinition {
  readonly definition: Definition;
  /** Its main unit's name without .service (web, db-volume; web@ for a template). */
  readonly serviceName: string;
  /** The drop-ins merged into it, in the order they were merged. */
  readonly dropins: readonly string[];
  readonly loaded: LoadResult;
}

/**
 * A definition of any kind by its file name (web.container, db.volume), its main unit's name (web,
 * web.service, db-volume), or its file name without the suffix when only one definition has it (db).
 */
export function findDefinition(name: string, user: boolean, env: NodeJS.ProcessEnv = process.env, dirs = searchPaths(user, env)): FoundDefinition {
  const loaded = loadDefinitions(dirs);
  const { definitions } = loaded;
  const infos = unitInfos(definitions);
  const found = (definition: Definition): FoundDefinition =>
    ({ definition, serviceName: infos.get(definition.fileName)!.serviceName, dropins: loaded.dropins.get(definition.fileName) ?? [], loaded });
  const where = `on the search path (${dirs.join(', ')})`;
  if (kindOf(name)) {
    const d = definitions.find((x) => x.fileName === name);
    if (d) return found(d);
    const refused = loaded.errors.find((e) => e.location.file.endsWith(`/${name}`));
    throw new UsageError(refused ? `${name} cannot be read: ${refused.message}` : `no definition named ${name} ${where}`);
  }
  const unit = name.replace(/\.service$/, '');
  const byUnit = definitions.find((d) => infos.get(d.fileName)?.serviceName === unit);
  if (byUnit) return found(byUnit);
  const byBase = definitions.filter((d) => d.fileName.slice(0, d.fileName.lastIndexOf('.')) === name);
  if (byBase.length === 1) return found(byBase[0]!);
  if (byBase.length > 1) throw new UsageError(`${name} names ${byBase.map((d) => d.fileName).join(', ')}: give the file name`);
  throw new UsageError(`no definition named ${name} ${where}`);
}
