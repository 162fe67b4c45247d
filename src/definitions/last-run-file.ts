/**
 * Reads the generator's record of its last run (generator/last-run.ts) from the generator's output folder:
 * /run/systemd/generator/berth/last-run.json, or $XDG_RUNTIME_DIR/systemd/generator/berth/… for a user's
 * manager. The file is believed only when it and its folder belong to root (the user, for a user's manager)
 * and nobody else may write them; it is opened without following a symlink or waiting on a FIFO, and read
 * only up to a size no record of berth reaches.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAST_RUN_FILE, parseLastRun, type LastRun } from '../generator/last-run.js';

/** Far above the largest record (last-run.ts caps its entries), far below what would hurt to read. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/** The folder systemd hands the generator as NORMAL_DIR. */
export function generatorDir(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  if (!user) return '/run/systemd/generator';
  return join(env['XDG_RUNTIME_DIR'] || `/run/user/${process.getuid?.() ?? 0}`, 'systemd/generator');
}

export function lastRunPath(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return join(generatorDir(user, env), LAST_RUN_FILE);
}

/** Owned by `owner` and writable by nobody else. */
const trusted = (st: { uid: number; mode: number }, owner: number): boolean => st.uid === owner && (st.mode & 0o022) === 0;

/**
 * The record at `path`, or undefined when there is none, it is not `owner`'s alone (root's, 0, for the
 * system), or it is not a record this berth reads.
 */
export function readLastRun(path: string, owner: number): LastRun | undefined {
  let fd: number;
  try {
    const folder = lstatSync(dirname(path));
    if (!folder.isDirectory() || !trusted(folder, owner)) return undefined;
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !trusted(st, owner) || st.size > MAX_RECORD_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    return parseLastRun(buf.subarray(0, n).toString('utf8'));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
