/**
 * Which containers are defined: every .container definition on the search path (generator/search-paths.ts)
 * that compiles to a unit of its own (templates without an instance do not), with the names berth gives its
 * units and podman container, whether it has a health check, and its [Checkpoint] settings. The one place
 * `berth status` and `berth agent` learn what exists, from the same files the generator reads.
 */
import { readCheckpoint, type CheckpointSettings } from '../compile/checkpoint-settings.js';
import { resolvedContainerName, serviceNameOf } from '../compile/kinds.js';
import { DefinitionError } from '../errors.js';
import { loadDefinitions } from '../generator/load.js';
import { searchPaths } from '../generator/search-paths.js';
import type { Definition } from '../compile/definition.js';
import { Problems } from '../compile/problems.js';

export interface ContainerEntry {
  /** The unit's name without .service, e.g. web; what commands take as NAME. */
  readonly name: string;
  /** e.g. web.service */
  readonly unit: string;
  /** The definition file (drop-ins merged into it). */
  readonly definition: string;
  /** podman's name for the container; null when it uses specifiers other than the unit's name. */
  readonly container: string | null;
  /** HealthCmd= is set: podman reports a health. */
  readonly healthCheck: boolean;
  readonly checkpoint?: CheckpointSettings;
  /** Why the [Checkpoint] section is unusable, when it is. */
  readonly checkpointProblem?: string;
  /** NAME-checkpoint.timer, when [Checkpoint] has schedules. */
  readonly timer?: string;
  /** Cron= lines as written: the agent's fallback scheduler runs them (the timer runs their translation). */
  readonly cron: readonly string[];
  /** OnCalendar= lines as written. */
  readonly onCalendar: readonly string[];
}

/** A container with a usable [Checkpoint] section. */
export type CheckpointedEntry = ContainerEntry & { readonly checkpoint: CheckpointSettings };

export interface Inventory {
  readonly containers: ContainerEntry[];
  /** Definitions that could not be read (they are not listed). */
  readonly errors: DefinitionError[];
  readonly searchPaths: readonly string[];
}

export function containerEntry(def: Definition): ContainerEntry | undefined {
  const name = serviceNameOf(def);
  if (name.endsWith('@')) return undefined; // a template: only its instances are units
  const resolved = resolvedContainerName(def, name);
  const problems = new Problems();
  // The generator already judged the calendar expressions; status only reads the settings.
  const checkpoint = readCheckpoint(def.unit, () => undefined, problems);
  const problem = problems.errors[0]?.message;
  return {
    name,
    unit: `${name}.service`,
    definition: def.unit.path,
    container: resolved.includes('%') ? null : resolved,
    healthCheck: Boolean(def.unit.get('Container', 'HealthCmd')) && def.unit.get('Container', 'HealthCmd') !== 'none',
    ...(checkpoint && !problem ? { checkpoint } : {}),
    ...(problem ? { checkpointProblem: problem } : {}),
    ...(checkpoint && !problem && checkpoint.schedules.length > 0 ? { timer: `${name}-checkpoint.timer` } : {}),
    cron: def.unit.hasSection('Checkpoint') ? def.unit.list('Checkpoint', 'Cron').map((e) => e.value) : [],
    onCalendar: def.unit.hasSection('Checkpoint') ? def.unit.list('Checkpoint', 'OnCalendar').map((e) => e.value) : [],
  };
}

export function loadInventory(opts: { user?: boolean; env?: NodeJS.ProcessEnv } = {}): Inventory {
  const paths = searchPaths(opts.user ?? false, opts.env ?? process.env);
  const { definitions, errors } = loadDefinitions(paths);
  const containers: ContainerEntry[] = [];
  for (const def of definitions) {
    if (def.kind !== 'container') continue;
    const entry = containerEntry(def);
    if (entry) containers.push(entry);
  }
  containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { containers, errors, searchPaths: paths };
}
