/**
 * Writes generated units and their install symlinks into a generator output folder. Everything goes
 * through place(), the one function that creates files and links there: it takes only paths of the form
 * NAME or DIR/NAME (no `.`, `..` or empty part), makes DIR as a real folder inside the output folder, and
 * never follows a symlink it finds on the way, so nothing is ever created outside the folder systemd gave.
 */
import { lstatSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedUnit } from './generate.js';

export class PlaceError extends Error {
  override readonly name = 'PlaceError';
}

type Content = { readonly text: string } | { readonly link: string };

/** The folder part of a relative output path (NAME or DIR/NAME), or a PlaceError when it could reach outside. */
function folderOf(rel: string): string | undefined {
  const p = rel.split('/');
  if (p.length > 2 || p.some((x) => x === '' || x === '.' || x === '..' || x.includes('\0'))) {
    throw new PlaceError(`refusing to create "${rel}": not a name or folder/name inside the output folder`);
  }
  return p.length === 2 ? p[0] : undefined;
}

/** Makes a folder directly inside `root`, or checks the one there is a folder and not a symlink. */
function ensureFolder(root: string, dir: string, made: Set<string>): void {
  if (made.has(dir)) return;
  const path = join(root, dir);
  try {
    mkdirSync(path, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (!lstatSync(path).isDirectory()) throw new PlaceError(`refusing to use ${path}: it is not a folder`);
  made.add(dir);
}

/** Makes the file or link; false when something is in the way (EEXIST), which is never followed. */
function create(path: string, content: Content): boolean {
  try {
    if ('link' in content) {
      symlinkSync(content.link, path);
      return true;
    }
    // 'wx' is O_CREAT|O_EXCL, which fails on anything at the path, a symlink too, and so never follows one.
    // One call: Node opens, writes and closes a UTF-8 string in native code.
    writeFileSync(path, content.text, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Creates one file or symlink at `rel` inside `root`, replacing what is there without following it. It
 * tries creating first: the output folder is empty at every run, and a failed unlink costs an exception.
 */
export function place(root: string, rel: string, content: Content, made: Set<string> = new Set()): void {
  const dir = folderOf(rel);
  if (dir !== undefined) ensureFolder(root, dir, made);
  const path = join(root, rel);
  if (create(path, content)) return;
  try {
    unlinkSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw code === 'EISDIR' || code === 'EPERM' ? new PlaceError(`refusing to replace the folder ${path}`) : err;
  }
  if (!create(path, content)) throw new PlaceError(`${path} keeps being created by someone else`);
}

/** A generator's output folder, written unit by unit as the units are final. */
export class OutputFolder {
  readonly #made = new Set<string>();

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  /** Writes a unit and its links; returns why it could not be, and the other units are still written. */
  write(unit: GeneratedUnit): Error | undefined {
    try {
      place(this.root, unit.fileName, { text: unit.text }, this.#made);
      for (const link of unit.symlinks) place(this.root, link.path, { link: link.target }, this.#made);
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  /** Writes a file of berth's own (the record of the run, last-run.ts); returns why it could not be. */
  writeFile(rel: string, text: string): Error | undefined {
    try {
      place(this.root, rel, { text }, this.#made);
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }
}

/** The --dryrun form, as quadlet -dryrun prints it. */
export function formatDryRun(units: readonly GeneratedUnit[]): string {
  return units.map((u) => `---${u.fileName}---\n${u.text}\n`).join('');
}
