/**
 * Whether the process that wrote a lock or a temporary file still runs. A pid alone can be reused, so a
 * process is identified by its pid and its start time (field 22 of /proc/<pid>/stat: clock ticks after
 * boot), which together never repeat until reboot. Linux only.
 */
import { readFile } from 'node:fs/promises';

/** USER_HZ: 100 on every Linux architecture berth runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Slack when comparing a file's modification time with a process's start time: a process that started
 * more than this long after a file was last written cannot have written it. Generous, because the two
 * clocks differ (wall clock vs. time since boot) and the wall clock may be stepped.
 */
const REUSE_MARGIN_MS = 60_000;

/** The start time of a running process, or undefined when there is none (or only a zombie). */
export async function processStart(pid: number): Promise<number | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (x) {
    if (isCode(x, 'ENOENT') || isCode(x, 'ESRCH')) return undefined;
    throw x;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return undefined;
  const start = Number(fields[19]);
  if (!Number.isSafeInteger(start)) throw new Error(`cannot read the start time of pid ${pid} from /proc/${pid}/stat`);
  return start;
}

/** This process's identity, as written into lock files. */
export async function selfIdentity(): Promise<{ pid: number; start: number }> {
  const start = await processStart(process.pid);
  if (start === undefined) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, start };
}

/**
 * Whether process `pid` may still own a file it names that was last modified at `mtimeMs`: it runs and
 * did not start (well) after that modification. A pid that now belongs to a younger process is a reuse.
 */
export async function mayOwn(pid: number, mtimeMs: number): Promise<boolean> {
  if (pid === process.pid) return true;
  let start: number | undefined;
  try {
    start = await processStart(pid);
  } catch {
    return true; // unreadable: assume the worst (alive)
  }
  if (start === undefined) return false;
  const uptimeMs = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]) * 1000;
  const startedAtMs = Date.now() - (uptimeMs - (start * 1000) / CLOCK_TICKS_PER_SECOND);
  return !(startedAtMs > mtimeMs + REUSE_MARGIN_MS);
}

export function isCode(x: unknown, code: string): boolean {
  return typeof x === 'object' && x !== null && (x as NodeJS.ErrnoException).code === code;
}
