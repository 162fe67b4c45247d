/**
 * Reads what `berth list` and the agent's ListDefinitions show (listing.ts): the definitions on the search
 * path, the generator's record of its last run, and the state of every unit from systemd in one
 * ListUnitsByNames call.
 */
import { homedir } from 'node:os';
import type { Definition } from '../compile/definition.js';
import type { LastRun } from '../generator/last-run.js';
import { podmanQuadletRuns, probePodmanGenerator, quadletDirs, quadletOverlaps } from '../generator/quadlet-folders.js';
import { loadDefinitions } from '../generator/load.js';
import { searchPaths } from '../generator/search-paths.js';
import type { SystemdManager } from '../systemd/manager.js';
import { lastRunPath, readLastRun } from './last-run-file.js';
import { definitionFiles, listRows, unitsToAsk, type DefinitionFile, type DefinitionRow, type UnitState } from './listing.js';

export interface CollectOptions {
  readonly user: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** systemd's state of each unit, by name: one call for all. */
export async function unitStates(manager: SystemdManager, units: readonly string[]): Promise<Map<string, UnitState>> {
  const rows = await manager.listUnitsByNames(units);
  return new Map(rows.map((r) => [r.name, { load: r.loadState, active: r.activeState, sub: r.subState }]));
}

/** The generator's record of its last run, when there is one to believe: root's for the system, the user's for a user. */
export function lastRun(opts: CollectOptions): LastRun | undefined {
  return readLastRun(lastRunPath(opts.user, opts.env), opts.user ? (process.getuid?.() ?? 0) : 0);
}

/** Where podman's own Quadlet runs, the definitions it compiles into units berth's also make: by berth's source, its. */
function sharedWithQuadlet(definitions: readonly Definition[], opts: CollectOptions, env: NodeJS.ProcessEnv): Map<string, string> {
  if (!podmanQuadletRuns(probePodmanGenerator(opts.user ? 'user' : 'system'))) return new Map();
  const theirs = loadDefinitions(quadletDirs(opts.user, env, process.getuid?.() ?? 0, homedir())).definitions;
  return new Map(quadletOverlaps(definitions, theirs).map((o) => [o.berth, o.quadlet]));
}

/** The definition files on the search path and the record of the generator's last run. */
export function readListing(opts: CollectOptions): { files: DefinitionFile[]; run: LastRun | undefined } {
  const env = opts.env ?? process.env;
  const loaded = loadDefinitions(searchPaths(opts.user, env));
  return { files: definitionFiles(loaded, sharedWithQuadlet(loaded.definitions, opts, env)), run: lastRun(opts) };
}

/** The rows, with systemd's states when a manager is given. */
export async function collectDefinitions(manager: SystemdManager | undefined, opts: CollectOptions): Promise<DefinitionRow[]> {
  const { files, run } = readListing(opts);
  const states = manager ? await unitStates(manager, unitsToAsk(files)) : undefined;
  return listRows(files, run, states);
}
