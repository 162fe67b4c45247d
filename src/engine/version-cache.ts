/**
 * Programs' versions (podman's, CRIU's), remembered from one run to the next. Asking podman (`podman
 * --version`) takes ~80 ms, most of a daemon-reload's generator time and a share of every checkpoint; the
 * answer changes only when the binary does.
 * The answer is kept in the runtime folder (/run/berth for the system, $XDG_RUNTIME_DIR/berth for a user;
 * $BERTH_RUNTIME_DIR instead, when set), a tmpfs that starts empty at every boot, keyed by the binary's
 * device, inode, size, mtime and ctime: an upgrade, even one that rewrites the file in place, is a miss.
 *
 * This is the one file berth writes outside the folders systemd hands the generator. Its name is fixed and
 * no definition can change it or what goes into it. It is trusted only in a real folder that no one but
 * root or the user running berth can write to; anything else is a miss, and a cache that cannot be
 * written is no error.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

/** One file per program, named for it: `podman-version`, `criu-version`. */
function fileOf(program: string): string {
  const name = basename(program);
  return `${/^[A-Za-z0-9._-]+$/.test(name) ? name : 'program'}-version`;
}

/** A cache file holds one short line; anything longer is not one. */
const MAX_BYTES = 4096;

/** Where the cache lives for this scope, or undefined when there is no runtime folder to put it in. */
export function versionCacheDir(user: boolean, env: NodeJS.ProcessEnv): string | undefined {
  if (env['BERTH_RUNTIME_DIR']) return env['BERTH_RUNTIME_DIR'];
  if (!user) return '/run/berth';
  const runtime = env['XDG_RUNTIME_DIR'];
  return runtime ? join(runtime, 'berth') : undefined;
}

/** What identifies the binary's contents: the file a path leads to, its size and its times. */
function binaryKey(program: string): string | undefined {
  try {
    const st = statSync(program, { bigint: true });
    return st.isFile() ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : undefined;
  } catch {
    return undefined;
  }
}

/** Owned by root or by whoever runs berth, and writable by no one else. */
function trusted(st: { uid: number; mode: number }): boolean {
  const uid = process.geteuid?.() ?? 0;
  return (st.uid === 0 || st.uid === uid) && (st.mode & 0o022) === 0;
}

function trustedFolder(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && trusted(st);
  } catch {
    return false;
  }
}

interface Entry {
  readonly program: string;
  readonly key: string;
  readonly version: string;
}

function parseEntry(text: string): Entry | undefined {
  try {
    const v = JSON.parse(text) as Partial<Entry>;
    return typeof v.program === 'string' && typeof v.key === 'string' && typeof v.version === 'string' ? (v as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function readEntry(path: string): Entry | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !trusted(st) || st.size > MAX_BYTES) return undefined;
    const buf = Buffer.alloc(MAX_BYTES);
    const n = readSync(fd, buf, 0, MAX_BYTES, 0);
    return parseEntry(buf.toString('utf8', 0, n));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export interface Lookup {
  /** What identifies the program's file now (undefined when it is no regular file), for rememberVersion. */
  readonly key: string | undefined;
  /** The version the program gave when it was last asked, if it is still the same file. */
  readonly version: string | undefined;
}

/** The version `program` (a path) gave last time, when its file is still the same; no version on any doubt. */
export function lookupVersion(dir: string, program: string): Lookup {
  const key = binaryKey(program);
  if (key === undefined || !trustedFolder(dir)) return { key, version: undefined };
  const entry = readEntry(join(dir, fileOf(program)));
  return { key, version: entry && entry.program === program && entry.key === key ? entry.version : undefined };
}

/** Remembers a program's answer, when its file did not change while it was asked (`key` from lookupVersion). Never throws. */
export function rememberVersion(dir: string, program: string, key: string | undefined, version: string): void {
  if (key === undefined || binaryKey(program) !== key) return;
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return;
  }
  if (!trustedFolder(dir)) return;
  const file = fileOf(program);
  const temp = join(dir, `.${file}.${process.pid}`);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, `${JSON.stringify({ program, key, version })}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, join(dir, file));
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was left behind.
    }
  }
}

/** Where a program name is found on $PATH, as a shell would run it; a path is itself. */
export function locateProgram(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (program.includes('/')) return program;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    const candidate = join(dir, program);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/**
 * The version of `program` (a path, or a name on $PATH): remembered in `dir` when its file is unchanged,
 * else `ask()`'s answer, remembered then (an empty answer is not). `ask` runs the program as found here.
 */
export async function cachedVersion(dir: string | undefined, program: string, ask: (path: string) => Promise<string>, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = locateProgram(program, env) ?? program;
  const cached = dir === undefined ? undefined : lookupVersion(dir, path);
  if (cached?.version !== undefined) return cached.version;
  const version = await ask(path);
  if (dir !== undefined && version !== '') rememberVersion(dir, path, cached?.key, version);
  return version;
}
