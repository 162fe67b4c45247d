/**
 * Reads definitions from the search path: every definition file (subfolders included) with its drop-ins
 * merged. A file that cannot be read or parsed is reported and skipped; the others still load.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefinitionError } from '../errors.js';
import { kindOf, templateParts, type Definition } from '../model/definition.js';
import { UnitFile } from '../unit/unit-file.js';
import { isPrivateSubfolder } from './search-paths.js';

export interface LoadResult {
  readonly definitions: Definition[];
  readonly errors: DefinitionError[];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * One reading of the search folders: every folder with its sorted entry names and which of them are
 * folders. Each folder is read once, without a stat per file, and drop-in folders are looked for only
 * where a folder's listing has them: the generator runs at every boot, often over hundreds of files.
 */
class Tree {
  /** Search folders and their subfolders (depth first), skipping drop-in folders. */
  readonly dirs: string[] = [];
  /** Each folder's entries, sorted; a folder that cannot be read has none. */
  readonly names = new Map<string, string[]>();
  readonly #has = new Map<string, Set<string>>();
  readonly #listings = new Map<string, string[]>();

  constructor(searchDirs: readonly string[]) {
    for (const d of searchDirs) if (isDir(d)) this.#walk(resolve(d));
  }

  #walk(dir: string): void {
    this.dirs.push(dir);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      entries = [];
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const names = entries.map((e) => e.name);
    this.names.set(dir, names);
    this.#has.set(dir, new Set(names));
    for (const e of entries) {
      if (e.name.endsWith('.d') || isPrivateSubfolder(dir, e.name)) continue;
      const sub = join(dir, e.name);
      // A symlink is followed, as stat does; other kinds need no stat to rule them out.
      if (e.isDirectory() || (e.isSymbolicLink() && isDir(sub))) this.#walk(sub);
    }
  }

  /** The sorted entries of `name` inside `dir`, when the listing of `dir` has it (read once). */
  listing(dir: string, name: string): string[] {
    if (!this.#has.get(dir)?.has(name)) return [];
    const path = join(dir, name);
    let names = this.#listings.get(path);
    if (!names) this.#listings.set(path, (names = listDir(path)));
    return names;
  }
}

/** Each search folder followed by its subfolders (depth first), skipping drop-in folders. */
export function expandDirs(dirs: readonly string[]): string[] {
  return new Tree(dirs).dirs;
}

/** Drop-in folder names for a definition, most specific first (as systemd orders unit drop-ins). */
export function dropinDirNames(fileName: string): string[] {
  const ext = fileName.slice(fileName.lastIndexOf('.'));
  const { prefix, instance, isTemplate } = templateParts(fileName);
  const names = [ext.slice(1) + '.d'];
  const parts = prefix.split('-');
  for (let i = 1; i < parts.length; i++) {
    const truncated = parts.slice(0, i).join('-') + '-';
    names.push(truncated + ext + '.d');
    if (isTemplate) names.push(truncated + '@' + ext + '.d');
  }
  if (instance !== '') names.push(`${prefix}@${ext}.d`);
  names.push(fileName + '.d');
  return names.reverse();
}

function parseFile(path: string, errors: DefinitionError[]): UnitFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    errors.push(new DefinitionError({ file: path, line: 0 }, `cannot read: ${(err as Error).message}`));
    return undefined;
  }
  const parsed = UnitFile.parse(text, path);
  errors.push(...parsed.errors);
  return parsed.errors.length === 0 ? parsed.unit : undefined;
}

function mergeDropins(unit: UnitFile, fileName: string, tree: Tree, errors: DefinitionError[]): boolean {
  const chosen = new Map<string, string>();
  for (const name of dropinDirNames(fileName)) {
    for (const dir of tree.dirs) {
      for (const conf of tree.listing(dir, name)) {
        if (conf.endsWith('.conf') && !chosen.has(conf)) chosen.set(conf, join(dir, name, conf));
      }
    }
  }
  let ok = true;
  for (const conf of [...chosen.keys()].sort()) {
    const dropin = parseFile(chosen.get(conf)!, errors);
    if (dropin) unit.merge(dropin);
    else ok = false;
  }
  return ok;
}

export function loadDefinitions(searchDirs: readonly string[]): LoadResult {
  const tree = new Tree(searchDirs);
  const seen = new Set<string>();
  const definitions: Definition[] = [];
  const errors: DefinitionError[] = [];
  for (const dir of tree.dirs) {
    for (const fileName of tree.names.get(dir) ?? []) {
      const kind = kindOf(fileName);
      if (!kind || seen.has(fileName)) continue;
      seen.add(fileName);
      const unit = parseFile(join(dir, fileName), errors);
      if (unit && mergeDropins(unit, fileName, tree, errors)) definitions.push({ fileName, kind, unit });
    }
  }
  return { definitions, errors };
}
