/**
 * What `berth install FILE|DIR…` takes from its arguments: a FILE is one definition (its drop-ins are not
 * taken: name its folder to install them with it); a DIR is every definition directly in it, each with the
 * drop-in folder of its exact name (NAME.container.d/*.conf). Anything else in a DIR is left, and said so.
 * The files are read once, here; what is validated is what is written.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { kindOf, type UnitKind } from '../compile/kinds.js';
import { InstallError, UsageError } from '../errors.js';
import { readDefinitionText } from '../generator/load.js';

/** A file to install: where it goes, relative to the definitions folder, and where it came from. */
export interface SourceFile {
  /** e.g. web.container, or web.container.d/10-port.conf */
  readonly relPath: string;
  readonly from: string;
  readonly text: string;
}

export interface InstallItem {
  /** e.g. web.container */
  readonly fileName: string;
  readonly kind: UnitKind;
  readonly definition: SourceFile;
  readonly dropins: readonly SourceFile[];
}

export type EntryType = 'file' | 'dir' | 'other';

/** What a DIR's listing gives: definitions, their own drop-in folders, and what is left with why. */
export interface DirSelection {
  readonly definitions: string[];
  readonly dropinFolders: string[];
  readonly skipped: { name: string; why: string }[];
}

/** Pure: the choice made from a folder's entries (names and types). */
export function selectFromListing(entries: ReadonlyArray<{ name: string; type: EntryType }>): DirSelection {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const definitions = sorted.filter((e) => e.type === 'file' && kindOf(e.name) !== undefined && !e.name.startsWith('.')).map((e) => e.name);
  const defined = new Set(definitions);
  const dropinFolders: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const e of sorted) {
    if (defined.has(e.name)) continue;
    if (e.type === 'dir' && e.name.endsWith('.d')) {
      const owner = e.name.slice(0, -2);
      if (defined.has(owner)) dropinFolders.push(e.name);
      else if (kindOf(owner)) skipped.push({ name: e.name, why: `drop-ins of ${owner}, which is not in this folder` });
      else skipped.push({ name: e.name, why: 'a drop-in folder shared by several definitions (only NAME.KIND.d folders go with their definition)' });
    } else if (e.type === 'dir') skipped.push({ name: e.name, why: 'a subfolder (not read: name it to install its definitions)' });
    else if (kindOf(e.name) && e.type !== 'file') skipped.push({ name: e.name, why: 'not a regular file' });
    else skipped.push({ name: e.name, why: 'not a definition' });
  }
  return { definitions, dropinFolders, skipped };
}

function typeOf(path: string): EntryType | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

function listing(dir: string): { name: string; type: EntryType }[] {
  return readdirSync(dir).map((name) => ({ name, type: typeOf(join(dir, name)) ?? 'other' }));
}

function read(from: string, relPath: string): SourceFile {
  const r = readDefinitionText(from);
  if ('skip' in r) throw new InstallError(`${from}: ${r.skip}; nothing was written`);
  if ('error' in r) throw new InstallError(`${from}: ${r.error}; nothing was written`);
  return { relPath, from, text: r.text };
}

function dropinsOf(folder: string, fileName: string, notes: string[]): SourceFile[] {
  const files: SourceFile[] = [];
  for (const e of listing(folder).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.type === 'file' && e.name.endsWith('.conf') && !e.name.startsWith('.')) files.push(read(join(folder, e.name), `${fileName}.d/${e.name}`));
    else notes.push(`${join(folder, e.name)}: left out (only *.conf files are drop-ins)`);
  }
  return files;
}

/**
 * Reads what the arguments name. A missing path or a FILE that is no definition is a UsageError; two
 * arguments giving the same definition name too. `notes` gets a line for each thing a DIR had that is left.
 */
export function resolveSources(paths: readonly string[], notes: string[] = []): InstallItem[] {
  if (paths.length === 0) throw new UsageError('install needs at least one definition file or folder');
  const items: InstallItem[] = [];
  const origin = new Map<string, string>();
  const add = (item: InstallItem): void => {
    const before = origin.get(item.fileName);
    if (before !== undefined) throw new UsageError(`${item.definition.from} and ${before} are both ${item.fileName}: install one of them`);
    origin.set(item.fileName, item.definition.from);
    items.push(item);
  };
  for (const p of paths) {
    const type = typeOf(p);
    if (type === undefined) throw new UsageError(`${p}: no such file or folder`);
    if (type === 'dir') {
      const dir = resolve(p);
      const sel = selectFromListing(listing(dir));
      for (const s of sel.skipped) notes.push(`${join(dir, s.name)}: left out (${s.why})`);
      if (sel.definitions.length === 0) throw new UsageError(`${p}: no definitions in this folder (.container, .pod, .network, .volume, .kube, .image, .build …)`);
      for (const fileName of sel.definitions) {
        const dropins = sel.dropinFolders.includes(`${fileName}.d`) ? dropinsOf(join(dir, `${fileName}.d`), fileName, notes) : [];
        add({ fileName, kind: kindOf(fileName)!, definition: read(join(dir, fileName), fileName), dropins });
      }
      continue;
    }
    const fileName = basename(p);
    const kind = kindOf(fileName);
    if (!kind || fileName.startsWith('.')) throw new UsageError(`${p}: not a definition (its name must end in .container, .pod, .network, .volume, .kube, .image, .build …)`);
    add({ fileName, kind, definition: read(resolve(p), fileName), dropins: [] });
  }
  return items;
}

/** Every file an item puts into the definitions folder, definition first. */
export const filesOf = (item: InstallItem): SourceFile[] => [item.definition, ...item.dropins];
