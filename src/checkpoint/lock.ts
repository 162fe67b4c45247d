/**
 * One checkpoint run per container at a time, across processes, surviving SIGKILL of the holder.
 *
 * The lock of NAME is the folder `<dir>/NAME.lock/` (dir: /run/berth/locks, so it empties at boot) holding
 * numbered files; the highest number is the current state: `<pid> <start time>` while held, `free` once
 * released. To acquire, a process reads the highest file; when its holder runs (same pid AND same start
 * time, so a reused pid does not count) it gives up; otherwise it creates the next number, create-only
 * (a hard link of a complete temporary file, so no one ever reads a half-written lock), and then checks
 * that no higher number appeared meanwhile. Numbers only grow, and a stale lock is never deleted by path
 * before being superseded, so two processes that both find a dead holder cannot both win — the race that
 * "unlink the stale lock file, then O_EXCL-create it" has. Lower numbers are removed afterwards.
 */
import { link, lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CheckpointError } from '../errors.js';
import { removeFile } from './durable.js';
import { checkName } from './names.js';
import { isCode, mayOwn, processStart, selfIdentity } from './process.js';

export const DEFAULT_LOCK_DIR = '/run/berth/locks';

const FREE = 'free';
const MAX_ATTEMPTS = 100;
let tmpCounter = 0;

/** A temporary file of this process in a lock folder; unique within the process too. */
function tmpIn(folder: string): string {
  return join(folder, `.tmp-${process.pid}-${++tmpCounter}`);
}

export class CheckpointLock {
  #released = false;

  private constructor(
    readonly name: string,
    /** The numbered file this process holds. */
    readonly path: string,
  ) {}

  /** Takes the lock of `name` under `dir`, or throws CheckpointError `locked` naming the live holder's pid. */
  static async acquire(dir: string, name: string): Promise<CheckpointLock> {
    checkName(name);
    const folder = join(dir, `${name}.lock`);
    await mkdir(folder, { recursive: true, mode: 0o755 });
    const me = await selfIdentity();

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const top = await highest(folder);
      if (top !== undefined) {
        let content: string;
        try {
          content = await readFile(join(folder, String(top)), 'utf8');
        } catch (x) {
          if (isCode(x, 'ENOENT')) continue; // a loser backing off removed it: look again
          throw x;
        }
        const holder = parseHolder(content);
        if (holder && (await processStart(holder.pid)) === holder.start) {
          throw new CheckpointError('locked', `another checkpoint of ${name} is running (pid ${holder.pid})`);
        }
      }
      const mine = (top ?? 0) + 1;
      const path = join(folder, String(mine));
      const tmp = tmpIn(folder);
      await writeFile(tmp, `${me.pid} ${me.start}\n`, { mode: 0o644 });
      try {
        await link(tmp, path);
      } catch (x) {
        if (isCode(x, 'EEXIST')) continue; // someone else took this number: look again
        throw x;
      } finally {
        await removeFile(tmp);
      }
      if ((await highest(folder)) !== mine) {
        // A process that had looked earlier took a higher number first: it decides, not us.
        await removeFile(path);
        continue;
      }
      await tidy(folder, mine);
      return new CheckpointLock(name, path);
    }
    throw new CheckpointError('locked', `could not take the checkpoint lock of ${name}: ${MAX_ATTEMPTS} attempts lost to other processes`);
  }

  /** Marks the lock free (its file stays, so that numbers keep growing). Safe to call twice. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const tmp = tmpIn(dirname(this.path));
    await writeFile(tmp, `${FREE}\n`, { mode: 0o644 });
    await rename(tmp, this.path);
  }
}

function parseHolder(content: string): { pid: number; start: number } | undefined {
  const m = /^(\d+) (\d+)\n$/.exec(content);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

async function highest(folder: string): Promise<number | undefined> {
  let top: number | undefined;
  for (const entry of await readdir(folder)) {
    if (!/^[1-9]\d*$/.test(entry)) continue;
    const n = Number(entry);
    if (Number.isSafeInteger(n) && (top === undefined || n > top)) top = n;
  }
  return top;
}

/** Best effort: removes numbers below ours, and temporary files of processes that are gone. */
async function tidy(folder: string, mine: number): Promise<void> {
  try {
    for (const entry of await readdir(folder)) {
      if (/^[1-9]\d*$/.test(entry) && Number(entry) < mine) {
        await removeFile(join(folder, entry));
        continue;
      }
      const tmp = /^\.tmp-(\d+)-\d+$/.exec(entry);
      if (tmp) {
        const path = join(folder, entry);
        const st = await lstat(path).catch(() => undefined);
        if (st && !(await mayOwn(Number(tmp[1]), st.mtimeMs))) await removeFile(path);
      }
    }
  } catch {
    // tidying is optional
  }
}
