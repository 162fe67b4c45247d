/**
 * `berth import -- podman run …` (or pod, network, volume create): a podman command line → the definition that
 * does the same; `berth import compose.yaml`: a compose file → its project's definitions.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { Podman } from '../engine/podman.js';
import { importRun } from '../import/container.js';
import { baselineArgs, importInspected } from '../import/inspect.js';
import { definitionsDir } from '../generator/search-paths.js';
import type { Imported } from '../import/definition.js';
import { importCompose } from '../import/compose/project.js';
import { installDefinition, installDefinitions } from '../import/install.js';
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
  readonly projectName?: string;
}

/** A compose file is named by one argument ending in .yaml or .yml. */
export const isComposeFile = (argv: readonly string[]): boolean => argv.length === 1 && /\.ya?ml$/.test(argv[0]!);

/** The edge of compose import: reads the file, the .env beside it (if any) and the environment. */
async function readCompose(file: string, projectName: string | undefined): Promise<ReturnType<typeof importCompose>> {
  const dir = dirname(resolve(file));
  const text = await readFile(file, 'utf8').catch((x: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${x.code ?? x.message}`);
  });
  const dotenv = await readFile(join(dir, '.env'), 'utf8').catch((x: NodeJS.ErrnoException) => {
    if (x.code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${join(dir, '.env')}: ${x.code ?? x.message}`);
  });
  return importCompose({ file, dir, text, env: process.env, ...(dotenv === undefined ? {} : { dotenv }), home: homedir(), ...(projectName === undefined ? {} : { projectName }) });
}

/** Prints a compose project's definitions (each under a ---NAME--- line), or installs them all or none. */
async function runComposeImport(file: string, opts: ImportFlags): Promise<number> {
  const { files, warnings } = await readCompose(file, opts.projectName);
  for (const w of [...warnings, ...files.flatMap((f) => f.warnings)]) process.stderr.write(`berth: warning: ${w}\n`);
  if (!opts.install) {
    process.stdout.write(files.map((f) => `---${f.fileName}---\n${f.text}`).join(''));
    return 0;
  }
  const paths = await installDefinitions(definitionsDir(opts.user ?? false), files, opts.replace ?? false);
  process.stdout.write(paths.map((p) => `${p}\n`).join(''));
  return 0;
}

/** Prints the definition, or with --install writes it into the definitions folder and names the file. */
export async function runImport(argv: string[], opts: ImportFlags = {}): Promise<number> {
  if (!opts.install && (opts.user || opts.replace)) throw new UsageError('--user and --replace go with --install');
  if ((opts.container === undefined) === (argv.length === 0)) throw new UsageError('import takes a podman command line after --, a compose file, or --container NAME');
  if (isComposeFile(argv)) return runComposeImport(argv[0]!, opts);
  if (opts.projectName !== undefined) throw new UsageError('--project-name goes with a compose file');
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
