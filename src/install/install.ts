/**
 * `berth install`: the definitions are checked as the generator will see them once written, then written.
 *
 * Checking: the new files are copied into a private staging folder that is searched just before the
 * definitions folder they go to, so that they replace what they will replace and see (and are seen by)
 * every definition already installed; the search path is then compiled as the generator would, once without
 * and once with the staging folder. What refuses the install: any problem of a new file (reported at its
 * source path), and any problem of another definition that the new files cause (absent without them).
 * A new definition that an earlier search folder hides is refused too: systemd would never run it. (A new
 * file that cannot even be parsed leaves its name to the one it replaces, as the generator does, so only
 * its own problems are reported: that is enough to refuse it.)
 *
 * Writing: each file as import --install writes one (temporary file, fsync, link or rename, folder fsync),
 * all or none: a failure puts back what was there before.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { removeFile } from '../checkpoint/durable.js';
import { isCode } from '../checkpoint/process.js';
import { DefinitionError, InstallError } from '../errors.js';
import { plan } from '../generator/plan.js';
import { installDefinition } from '../import/install.js';
import { filesOf, type InstallItem } from './sources.js';

export interface CheckOptions {
  readonly user: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly podmanVersion?: string;
  /** The folder the files go to, e.g. /etc/berth/definitions. */
  readonly dir: string;
  /** The generator's search path (search-paths.ts). */
  readonly searchDirs: readonly string[];
}

export interface Check {
  /** Problems that refuse the install (unless forced), with source paths. */
  readonly problems: DefinitionError[];
  readonly warnings: DefinitionError[];
  /** Definitions an earlier search folder hides: file name → the path that wins. */
  readonly hidden: Map<string, string>;
  /** The units each definition makes, by file name (e.g. web.container → [web.service]). */
  readonly units: Map<string, string[]>;
  readonly targetWarning?: string;
}

/** Where the staging folder goes in the search path: just before `dir` (first when `dir` is not on it). */
export function stagedSearchPath(searchDirs: readonly string[], dir: string, staging: string): string[] {
  const i = searchDirs.findIndex((d) => resolve(d) === resolve(dir));
  return i < 0 ? [staging, ...searchDirs] : [...searchDirs.slice(0, i), staging, ...searchDirs.slice(i)];
}

/** A problem found in the staging folder, moved to the file it came from. */
function relocate(e: DefinitionError, paths: Map<string, string>): DefinitionError {
  const file = paths.get(e.location.file);
  if (file === undefined) return e;
  const definition = e.location.definition;
  return new DefinitionError({ ...e.location, file, ...(definition !== undefined ? { definition } : {}) }, e.detail);
}

export async function checkInstall(items: readonly InstallItem[], o: CheckOptions): Promise<Check> {
  const staging = await mkdtemp(join(tmpdir(), 'berth-install-'));
  try {
    const paths = new Map<string, string>();
    for (const f of items.flatMap(filesOf)) {
      const path = join(staging, f.relPath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.text, { mode: 0o600 });
      paths.set(path, f.from);
    }
    const common = { user: o.user, env: o.env, ...(o.podmanVersion ? { podmanVersion: o.podmanVersion } : {}) };
    const before = await plan(o.searchDirs, common);
    const { major, minor, patch } = before.target.version;
    const version = o.podmanVersion ?? `${major}.${minor}.${patch}`;
    const after = await plan(stagedSearchPath(o.searchDirs, o.dir, staging), { ...common, podmanVersion: version });
    const inStaging = (file: string): boolean => file.startsWith(staging + sep);
    const known = new Set(before.errors.map((e) => e.message));
    const problems = after.errors.filter((e) => inStaging(e.location.file) || !known.has(e.message)).map((e) => relocate(e, paths));
    const warnings = after.warnings.filter((e) => inStaging(e.location.file)).map((e) => relocate(e, paths));
    const hidden = new Map<string, string>();
    const units = new Map<string, string[]>();
    for (const item of items) {
      const staged = join(staging, item.fileName);
      const loaded = after.loaded.definitions.find((d) => d.fileName === item.fileName);
      if (loaded && loaded.unit.path !== staged) hidden.set(item.fileName, loaded.unit.path);
      units.set(item.fileName, after.result.units.filter((u) => u.source === staged && !u.fileName.includes('/')).map((u) => u.fileName));
    }
    return { problems, warnings, hidden, units, ...(before.target.warning ? { targetWarning: before.target.warning } : {}) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The definitions folder paths an install would take, that are there already. */
export async function taken(items: readonly InstallItem[], dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const f of items.flatMap(filesOf)) {
    const path = join(dir, f.relPath);
    if (await readFile(path).then(() => true, (x) => !isCode(x, 'ENOENT'))) found.push(path);
  }
  return found;
}

export interface Written {
  readonly path: string;
  readonly replaced: boolean;
}

/**
 * Writes every file, all or none: without `replace` none is written while one of the paths is taken; a
 * failure removes what was written, and puts back (atomically again) what a replaced file held.
 */
export async function writeItems(items: readonly InstallItem[], dir: string, replace: boolean): Promise<Written[]> {
  if (!replace) {
    const t = await taken(items, dir);
    if (t.length > 0) throw new InstallError(`${t.join(', ')} already exist${t.length === 1 ? 's' : ''}: nothing was written; give --replace to replace ${t.length === 1 ? 'it' : 'them'}`);
  }
  const done: { path: string; previous: string | undefined }[] = [];
  try {
    for (const f of items.flatMap(filesOf)) {
      const target = join(dir, f.relPath);
      const previous = replace ? await readFile(target, 'utf8').catch((x) => (isCode(x, 'ENOENT') ? undefined : Promise.reject(x))) : undefined;
      const path = await installDefinition(dirname(target), { fileName: target.slice(dirname(target).length + 1), text: f.text, warnings: [] }, replace);
      done.push({ path, previous });
    }
  } catch (x) {
    const code = (x as NodeJS.ErrnoException).code;
    const failure = code && !(x instanceof InstallError) ? new InstallError(`cannot write into ${dir}: ${(x as Error).message}; nothing was written`, { cause: x }) : x;
    for (const d of done.reverse()) {
      if (d.previous === undefined) await removeFile(d.path).catch(() => undefined);
      else await installDefinition(dirname(d.path), { fileName: d.path.slice(dirname(d.path).length + 1), text: d.previous, warnings: [] }, true).catch(() => undefined);
    }
    throw failure;
  }
  return done.map((d) => ({ path: d.path, replaced: d.previous !== undefined }));
}
