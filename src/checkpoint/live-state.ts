/**
 * The state of a running container as the host sees it, to compare with the archive it was restored from
 * (archive-state.ts): its processes (those in its PID namespace, with their PIDs there, command names and
 * memory mappings) and the files of its tmpfs mounts, read through /proc/PID/root. Meant to be read while the
 * container is paused: nothing in it moves then. Files are opened without following links, and only those
 * on the tmpfs itself are read.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, readFile, readlink } from 'node:fs/promises';
import type { ArchivedFile } from './archive-state.js';

export interface LiveMapping {
  readonly start: number;
  readonly end: number;
  /** PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4, as CRIU writes them. */
  readonly prot: number;
  /** `[heap]`, `[stack]`, `[vdso]`, a path, or ''. */
  readonly name: string;
}

export interface LiveProcess {
  /** Its PID in the container's namespace. */
  readonly pid: number;
  readonly hostPid: number;
  readonly comm: string;
  readonly maps: readonly LiveMapping[];
}

export interface LiveState {
  readonly processes: readonly LiveProcess[];
  readonly tmpfs: ReadonlyMap<string, readonly ArchivedFile[]>;
}

/** /proc/PID/maps → mappings. */
export function parseMaps(text: string): LiveMapping[] {
  return text.split('\n').filter(Boolean).map((line) => {
    const [range, perms, , , , ...name] = line.split(/\s+/);
    const [start, end] = range!.split('-').map((h) => parseInt(h, 16));
    const prot = (perms![0] === 'r' ? 1 : 0) | (perms![1] === 'w' ? 2 : 0) | (perms![2] === 'x' ? 4 : 0);
    return { start: start!, end: end!, prot, name: name.join(' ') };
  });
}

async function processesOf(initPid: number): Promise<LiveProcess[]> {
  const ns = await readlink(`/proc/${initPid}/ns/pid`);
  const out: LiveProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readlink(`/proc/${entry}/ns/pid`)) !== ns) continue;
      const [status, comm, maps] = await Promise.all(['status', 'comm', 'maps'].map((f) => readFile(`/proc/${entry}/${f}`, 'utf8')));
      const nspid = /^NSpid:\s+(.*)$/m.exec(status!)?.[1]?.trim().split(/\s+/).at(-1);
      out.push({ pid: Number(nspid), hostPid: Number(entry), comm: comm!.trim(), maps: parseMaps(maps!) });
    } catch {
      // A process that ended while it was read is not the container's any more.
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

async function filesOf(root: string): Promise<ArchivedFile[]> {
  const top = await lstat(root);
  const out: ArchivedFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    const path = rel ? `${root}/${rel}` : root;
    const st = await lstat(path);
    const mtime = Math.floor(st.mtimeMs / 1000);
    if (st.dev !== top.dev) return;
    if (st.isDirectory()) {
      out.push({ path: rel, type: 'folder', size: 0, mtime });
      for (const name of await readdir(path)) await walk(rel ? `${rel}/${name}` : name);
    } else if (st.isSymbolicLink()) {
      out.push({ path: rel, type: 'link', size: 0, mtime });
    } else if (st.isFile()) {
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        const opened = await handle.stat();
        if (!opened.isFile() || opened.dev !== top.dev || opened.ino !== st.ino) return;
        const hash = createHash('sha256');
        for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
        out.push({ path: rel, type: 'file', size: opened.size, mtime, sha256: hash.digest('hex') });
      } finally {
        await handle.close();
      }
    } else {
      out.push({ path: rel, type: 'other', size: 0, mtime });
    }
  };
  await walk('');
  return out;
}

/** The state of the container whose first process is `initPid` on the host, with the files of these tmpfs mounts. */
export async function liveState(initPid: number, mountpoints: readonly string[]): Promise<LiveState> {
  const processes = await processesOf(initPid);
  const tmpfs = new Map<string, readonly ArchivedFile[]>();
  for (const m of mountpoints) tmpfs.set(m, await filesOf(`/proc/${initPid}/root${m}`).catch(() => []));
  return { processes, tmpfs };
}
