/**
 * Writes generated units and their install symlinks into a generator output folder. Everything goes
 * through place(), the one function that creates files and links there: it takes only paths of the form
 * NAME or DIR/NAME (no `.`, `..` or empty part), makes DIR as a real folder inside the output folder, and
 * never follows a symlink it finds on the way, so nothing is ever created outside the folder systemd gave.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, symlinkSync, unlinkSync, writeSync } from 'node:fs';
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

/** Creates one file or symlink at `rel` inside `root`, replacing what is there without following it. */
export function place(root: string, rel: string, content: Content, made: Set<string> = new Set()): void {
  const dir = folderOf(rel);
  if (dir !== undefined) ensureFolder(root, dir, made);
  const path = join(root, rel);
  try {
    unlinkSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw code === 'EISDIR' || code === 'EPERM' ? new PlaceError(`refusing to replace the folder ${path}`) : err;
  }
  if ('link' in content) {
    symlinkSync(content.link, path);
    return;
  }
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    const data = Buffer.from(content.text, 'utf8');
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
}

/** Writes every unit and its links; a unit that cannot be written is reported and the others still are. */
export function writeUnits(outputDir: string, units: readonly GeneratedUnit[]): Array<{ unit: GeneratedUnit; error: Error }> {
  mkdirSync(outputDir, { recursive: true });
  const made = new Set<string>();
  const failed: Array<{ unit: GeneratedUnit; error: Error }> = [];
  for (const unit of units) {
    try {
      place(outputDir, unit.fileName, { text: unit.text }, made);
      for (const link of unit.symlinks) place(outputDir, link.path, { link: link.target }, made);
    } catch (err) {
      failed.push({ unit, error: err as Error });
    }
  }
  return failed;
}

/** The --dryrun form, as quadlet -dryrun prints it. */
export function formatDryRun(units: readonly GeneratedUnit[]): string {
  return units.map((u) => `---${u.fileName}---\n${u.text}\n`).join('');
}
