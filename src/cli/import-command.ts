/** `berth import -- podman run …` (or pod, network, volume create): a podman command line → the definition that does the same. */
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { Podman } from '../engine/podman.js';
import { importRun } from '../import/container.js';
import { baselineArgs, importInspected } from '../import/inspect.js';
import { definitionsDir } from '../generator/search-paths.js';
import type { Imported } from '../import/definition.js';
import { installDefinition } from '../import/install.js';
import { importPodCreate } from '../import/pod.js';
import { importNetworkCreate, importVolumeCreate } from '../import/resources.js';

/** The definition that makes an existing container again, from its inspect and a baseline's (import/inspect.ts). */
export async function importContainer(podman: Podman, name: string): Promise<Imported> {
  const c = await podman.inspectJson(name);
  if (!c) throw new UsageError(`podman has no container ${name}`);
  return importInspected(c, await podman.inspectNew(baselineArgs(c)));
}

/** The podman command after `podman`, and the importer of its arguments. */
const IMPORTERS: ReadonlyArray<readonly [readonly string[], (argv: readonly string[]) => Imported]> = [
  [['run'], importRun],
  [['container', 'run'], importRun],
  [['pod', 'create'], importPodCreate],
  [['network', 'create'], importNetworkCreate],
  [['volume', 'create'], importVolumeCreate],
];

/** The definition a podman command line (podman first) asks for. */
export function importCommand(argv: readonly string[]): Imported {
  if (argv.length === 0 || basename(argv[0]!) !== 'podman') throw new UsageError('import needs a podman command line after --, e.g. berth import -- podman run IMAGE');
  const rest = argv.slice(1);
  if (rest[0]?.startsWith('-')) throw new UsageError(`podman's global options (${rest[0]}) are not supported by import: give them in GlobalArgs= by hand`);
  for (const [words, run] of IMPORTERS) {
    if (words.every((w, i) => rest[i] === w)) return run(rest.slice(words.length));
  }
  throw new UsageError(`cannot import "podman ${rest.slice(0, 2).join(' ')}": only ${IMPORTERS.map(([w]) => `podman ${w.join(' ')}`).join(', ')}`);
}

export interface ImportFlags {
  readonly container?: string;
  readonly install?: boolean;
  readonly user?: boolean;
  readonly replace?: boolean;
}

/** Prints the definition, or with --install writes it into the definitions folder and names the file. */
export async function runImport(argv: string[], opts: ImportFlags = {}): Promise<number> {
  if (!opts.install && (opts.user || opts.replace)) throw new UsageError('--user and --replace go with --install');
  if ((opts.container === undefined) === (argv.length === 0)) throw new UsageError('import takes either a podman command line after -- or --container NAME');
  const imported = opts.container !== undefined ? await importContainer(new Podman(), opts.container) : importCommand(argv);
  for (const w of imported.warnings) process.stderr.write(`berth: warning: ${w}\n`);
  if (!opts.install) {
    process.stdout.write(imported.text);
    return 0;
  }
  const path = await installDefinition(definitionsDir(opts.user ?? false), imported, opts.replace ?? false);
  process.stdout.write(`${path}\n`);
  return 0;
}
