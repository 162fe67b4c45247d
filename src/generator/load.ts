/**
 * Reads definitions from the search path: every definition file (subfolders included) with its drop-ins
 * merged. Only regular files are read (symlinks followed): a FIFO, socket or device among the definitions
 * is skipped with a warning, never opened in a way that could wait; a file's size is checked before it is
 * read; folders are entered once each, however symlinks loop. A file that cannot be read or parsed is
 * reported and skipped; the others still load.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefinitionError } from '../errors.js';
import { templateParts, type Definition } from '../compile/definition.js';
import { kindOf } from '../compile/kinds.js';
import { UnitFile } from '../unit/unit-file.js';
import { isPrivateSubfolder } from './search-paths.js';

/**
 * The largest definition or drop-in berth reads. Real ones are a few kilobytes; systemd itself refuses
 * unit lines above 1 MiB. A bigger file is refused alone, before it is read.
 */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

/** A definition file that was found but not loaded: it, or one of its drop-ins, could not be read or parsed. */
export interface RefusedFile {
  readonly fileName: string;
  readonly kind: string;
  readonly path: string;
}

export interface LoadResult {
  readonly definitions: Definition[];
  /** In the order met; a later one of the same name may have taken the name (a file that cannot be read leaves it free). */
  readonly refused: RefusedFile[];
  readonly errors: DefinitionError[];
  /** Files and folders that were skipped but are no definition's fault (a FIFO, an unreadable folder). */
  readonly warnings: DefinitionError[];
  /** The drop-ins merged into each definition that has any, by file name, in the order they were merged. */
  readonly dropins: Map<string, string[]>;
}

const at = (file: string, detail: string): DefinitionError => new DefinitionError({ file, line: 0 }, detail);

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * One reading of the search folders: every folder (depth first, each once by device and inode) with its
 * sorted entries. Drop-in folders are listed only where a folder's listing has them: the generator runs
 * at every boot, often over hundreds of files.
 */
class Tree {
  readonly dirs: string[] = [];
  readonly entries = new Map<string, Dirent[]>();
  readonly warnings: DefinitionError[] = [];
  /** The names of every drop-in folder (NAME.d) in any search folder: most trees have none. */
  readonly dropinFolders = new Set<string>();
  readonly #names = new Map<string, Set<string>>();
  readonly #listings = new Map<string, string[]>();
  readonly #visited = new Set<string>();

  constructor(searchDirs: readonly string[]) {
    for (const d of searchDirs) this.#walk(resolve(d), true);
  }

  #walk(dir: string, root: boolean): void {
    let entries: Dirent[];
    try {
      const st = statSync(dir);
      if (!st.isDirectory()) return;
      const id = `${st.dev}:${st.ino}`;
      if (this.#visited.has(id)) return;
      this.#visited.add(id);
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      // A search folder that does not exist is normal; anything else deserves a word.
      if (!(root && code(err) === 'ENOENT')) this.warnings.push(at(dir, `folder skipped: ${(err as Error).message}`));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.dirs.push(dir);
    this.entries.set(dir, entries);
    this.#names.set(dir, new Set(entries.map((e) => e.name)));
    for (const e of entries) {
      if (e.name.endsWith('.d')) this.dropinFolders.add(e.name);
      if (e.name.endsWith('.d') || isPrivateSubfolder(dir, e.name)) continue;
      if (e.isDirectory() || (e.isSymbolicLink() && !kindOf(e.name))) this.#walk(join(dir, e.name), false);
    }
  }

  /** The sorted entries of `name` inside `dir`, when the listing of `dir` has it (read once). */
  listing(dir: string, name: string): string[] {
    if (!this.#names.get(dir)?.has(name)) return [];
    const path = join(dir, name);
    let names = this.#listings.get(path);
    if (!names) {
      try {
        names = readdirSync(path).sort();
      } catch (err) {
        if (code(err) !== 'ENOTDIR' && code(err) !== 'ENOENT') this.warnings.push(at(path, `folder skipped: ${(err as Error).message}`));
        names = [];
      }
      this.#listings.set(path, names);
    }
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

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const NOT_REGULAR = 'not a regular file (a FIFO, socket or device)';

/**
 * Reads a definition file as text, or says why it is not one. Only a regular file is opened (symlinks
 * followed: what the folder listing did not show as a regular file is looked at first), and without
 * blocking, so a FIFO that takes its place between the listing and the open cannot hold the generator
 * either; its size is checked before it is read to its end.
 */
export function readDefinitionText(path: string, listedAsFile = false): { text: string } | { skip: string } | { error: string } {
  let fd: number;
  try {
    if (!listedAsFile) {
      const st = statSync(path);
      if (!st.isFile()) return { skip: st.isDirectory() ? 'a folder, not a file' : NOT_REGULAR };
      if (st.size > MAX_DEFINITION_BYTES) return { error: `is ${st.size} bytes; berth reads definitions of at most ${MAX_DEFINITION_BYTES} bytes` };
    }
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    if (code(err) === 'ELOOP') return { skip: 'a symlink that loops' };
    return code(err) === 'ENXIO' ? { skip: NOT_REGULAR } : { error: `cannot be read: ${(err as Error).message}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { skip: NOT_REGULAR };
    if (st.size > MAX_DEFINITION_BYTES) return { error: `is ${st.size} bytes; berth reads definitions of at most ${MAX_DEFINITION_BYTES} bytes` };
    const buf = Buffer.allocUnsafe(Math.min(st.size, MAX_DEFINITION_BYTES) + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > MAX_DEFINITION_BYTES) return { error: `grew past ${MAX_DEFINITION_BYTES} bytes while it was read` };
    const bytes = buf.subarray(0, n);
    if (bytes.includes(0)) return { error: 'holds a NUL byte: it is not a text file' };
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      return { error: 'is not UTF-8 text' };
    }
    if (text.startsWith('\ufeff')) return { error: 'starts with a byte-order mark, which Quadlet does not read; save it without one' };
    return { text };
  } catch (err) {
    return { error: `cannot be read: ${(err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

interface Reading {
  readonly errors: DefinitionError[];
  readonly warnings: DefinitionError[];
}

function parseFile(path: string, r: Reading, listedAsFile = false): UnitFile | undefined {
  const read = readDefinitionText(path, listedAsFile);
  if ('skip' in read) {
    r.warnings.push(at(path, `skipped: ${read.skip}`));
    return undefined;
  }
  if ('error' in read) {
    r.errors.push(at(path, read.error));
    return undefined;
  }
  const parsed = UnitFile.parse(read.text, path);
  for (const e of parsed.errors) r.errors.push(e);
  return parsed.errors.length === 0 ? parsed.unit : undefined;
}

/**
 * Merges the definition's drop-ins; false when one of them could not be read, which refuses the definition.
 * Their problems name the definition they refuse, as the generator's own do (generate.ts).
 */
function mergeDropins(unit: UnitFile, fileName: string, tree: Tree, r: Reading, merged: Map<string, string[]>): boolean {
  const chosen = new Map<string, string>();
  if (tree.dropinFolders.size === 0) return true;
  for (const name of dropinDirNames(fileName)) {
    if (!tree.dropinFolders.has(name)) continue;
    for (const dir of tree.dirs) {
      for (const conf of tree.listing(dir, name)) {
        if (conf.endsWith('.conf') && !chosen.has(conf)) chosen.set(conf, join(dir, name, conf));
      }
    }
  }
  let ok = true;
  for (const conf of [...chosen.keys()].sort()) {
    const before = r.warnings.length;
    const errors = r.errors.length;
    const dropin = parseFile(chosen.get(conf)!, r);
    if (dropin) {
      unit.merge(dropin);
      const list = merged.get(fileName);
      if (list) list.push(dropin.path);
      else merged.set(fileName, [dropin.path]);
    }
    else if (r.warnings.length === before) ok = false;
    for (let i = errors; i < r.errors.length; i++) r.errors[i] = new DefinitionError({ ...r.errors[i]!.location, definition: fileName }, r.errors[i]!.detail);
  }
  return ok;
}

export function loadDefinitions(searchDirs: readonly string[]): LoadResult {
  const tree = new Tree(searchDirs);
  const seen = new Set<string>();
  const definitions: Definition[] = [];
  const refused: RefusedFile[] = [];
  const r: Reading = { errors: [], warnings: tree.warnings };
  const dropins = new Map<string, string[]>();
  for (const dir of tree.dirs) {
    for (const entry of tree.entries.get(dir)!) {
      const fileName = entry.name;
      const kind = kindOf(fileName);
      if (!kind || seen.has(fileName)) continue;
      const path = join(dir, fileName);
      try {
        const errors = r.errors.length;
        const unit = parseFile(path, r, entry.isFile());
        // As Quadlet does, a file that cannot be read leaves its name free for a later folder.
        if (!unit) {
          if (r.errors.length > errors) refused.push({ fileName, kind, path });
          continue;
        }
        seen.add(fileName);
        if (mergeDropins(unit, fileName, tree, r, dropins)) definitions.push({ fileName, kind, unit });
        else refused.push({ fileName, kind, path });
      } catch (err) {
        r.errors.push(at(path, `berth failed to read it (${(err as Error).message}); this is a bug in berth`));
        refused.push({ fileName, kind, path });
      }
    }
  }
  return { definitions, refused, errors: r.errors, warnings: r.warnings, dropins };
}
