/**
 * The state an archive brings back, to check a restore against (`berth adopt`): each process (CRIU's
 * pstree.img, its command name from core-PID.img, its memory mappings from mm-PID.img) and the contents of
 * each tmpfs (CRIU's tmpfs-dev-N.tar.gz.img, named by the mount's device in mountpoints-N.img, and podman's
 * devshm-checkpoint.tar for /dev/shm): every file's type, size, time and sha256. Read in one pass through
 * the decompressor; the tmpfs archives inside are read as they arrive, never unpacked to disk.
 */
import { createHash, type Hash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import type { Compression } from '../compile/checkpoint-settings.js';
import { CheckpointError } from '../errors.js';
import { readArchive, unreadable, type Flow } from './archive-read.js';
import { commOf, CriuImageProblem, FSTYPE_TMPFS, mountsOf, pstreeOf, vmasOf, type Vma } from './criu-image.js';
import { TarHeaders, type MemberSink, type TarMember } from './tar-headers.js';

export interface ArchivedFile {
  /** Relative to the mount point, without a leading `./`; '' is the mount point itself. */
  readonly path: string;
  readonly type: 'file' | 'folder' | 'link' | 'other';
  readonly size: number;
  readonly mtime: number;
  /** Of a regular file's bytes; undefined for a sparse one (the archive holds its data without the holes). */
  readonly sha256?: string;
}

export interface ArchivedState {
  readonly processes: ReadonlyArray<{ readonly pid: number; readonly comm: string; readonly vmas: readonly Vma[] }>;
  /** Mount point → its files. */
  readonly tmpfs: ReadonlyMap<string, readonly ArchivedFile[]>;
}

const KEPT = /^checkpoint\/(pstree\.img|core-\d+\.img|mm-\d+\.img|mountpoints-\d+\.img)$/;
const TMPFS = /^checkpoint\/tmpfs-dev-(\d+)\.tar\.gz\.img$/;
const DEV_SHM = 'devshm-checkpoint.tar';

const TYPES: Readonly<Record<string, ArchivedFile['type']>> = { '0': 'file', '\0': 'file', '7': 'file', S: 'file', '5': 'folder', '2': 'link' };

/** Reads one tmpfs's tar as it arrives: each member's header, and each regular file's sha256. */
class TmpfsReader {
  readonly files: ArchivedFile[] = [];
  readonly #tar = new TarHeaders([], { sink: (m) => this.#member(m) });

  push(chunk: Buffer): void {
    this.#tar.push(chunk);
  }

  end(): void {
    this.#tar.end();
  }

  #member(m: TarMember): MemberSink | undefined {
    const path = m.name.replace(/\/$/, '').replace(/^\.$/, '');
    const type = TYPES[m.type] ?? 'other';
    if (type !== 'file' || m.type === 'S') {
      this.files.push({ path, type, size: m.size, mtime: Math.floor(m.mtime) });
      return undefined;
    }
    const hash: Hash = createHash('sha256');
    return {
      data: (chunk) => hash.update(chunk),
      end: () => this.files.push({ path, type, size: m.size, mtime: Math.floor(m.mtime), sha256: hash.digest('hex') }),
    };
  }
}

export async function archiveState(path: string, compress: Compression): Promise<ArchivedState> {
  const tmpfs = new Map<string, TmpfsReader>();
  const pending: Array<Promise<void>> = [];
  /** A tmpfs inside: CRIU's are gzipped tar files, podman's /dev/shm a plain one. */
  const sink = (flow: Flow, m: TarMember): MemberSink | undefined => {
    const dev = TMPFS.exec(m.name)?.[1];
    if (m.name !== DEV_SHM && dev === undefined) return undefined;
    const inner = new TmpfsReader();
    tmpfs.set(dev === undefined ? '/dev/shm' : `dev:${dev}`, inner);
    if (dev === undefined) return { data: (c) => inner.push(c), end: () => inner.end() };
    const gunzip = createGunzip();
    gunzip.on('data', (c: Buffer) => inner.push(c));
    pending.push(new Promise<void>((resolve, reject) => {
      gunzip.on('end', () => {
        try {
          inner.end();
          resolve();
        } catch (x) {
          reject(x);
        }
      });
      gunzip.on('error', reject);
    }));
    return {
      data: (c) => {
        // The decompressor sets the pace: the archive is read no faster than it takes the tmpfs in.
        if (!gunzip.write(c)) {
          flow.pause();
          gunzip.once('drain', () => flow.resume());
        }
      },
      end: () => gunzip.end(),
    };
  };
  let outer: TarHeaders;
  try {
    outer = await readArchive(path, compress, (flow) => new TarHeaders((name) => KEPT.test(name), { sink: (m) => sink(flow, m) }), () => Promise.all(pending));
  } catch (x) {
    if (x instanceof CheckpointError) throw x;
    throw unreadable(path, `a tmpfs inside it cannot be read (${(x as Error).message})`);
  }
  const pstree = outer.kept.get('checkpoint/pstree.img');
  if (!pstree) throw unreadable(path, 'it holds no checkpoint/pstree.img');
  try {
    const processes = pstreeOf(pstree).map((p) => {
      const image = (kind: string) => outer.kept.get(`checkpoint/${kind}-${p.pid}.img`);
      const mm = image('mm');
      return { pid: p.pid, comm: (image('core') && commOf(image('core')!)) ?? '?', vmas: mm ? vmasOf(mm) : [] };
    });
    const mounts = [...outer.kept].filter(([name]) => name.startsWith('checkpoint/mountpoints-')).flatMap(([, image]) => mountsOf(image));
    const byMount = new Map<string, readonly ArchivedFile[]>();
    for (const [key, inner] of tmpfs) {
      if (!key.startsWith('dev:')) {
        byMount.set(key, inner.files);
        continue;
      }
      // A tmpfs may be mounted more than once (parts of it bound elsewhere): its contents belong to the whole one.
      for (const m of mounts) if (m.fstype === FSTYPE_TMPFS && m.root === '/' && `dev:${m.rootDev}` === key) byMount.set(m.mountpoint, inner.files);
    }
    return { processes, tmpfs: byMount };
  } catch (x) {
    if (x instanceof CriuImageProblem) throw unreadable(path, `a CRIU image cannot be read (${x.message})`);
    throw x;
  }
}
