/**
 * What an archive holds, for `berth checkpoints show`: its processes (CRIU's pstree.img, and each one's
 * command name from its core-PID.img) and the bytes of memory pages (checkpoint/pages-*.img), read in one
 * pass through the decompressor with the tar reader that checks exports (tar-headers.ts).
 */
import type { Compression } from '../compile/checkpoint-settings.js';
import { readArchive, unreadable } from './archive-read.js';
import { commOf, CriuImageProblem, pstreeOf, type PstreeEntry } from './criu-image.js';
import { TarHeaders } from './tar-headers.js';

export interface ArchivedProcess extends PstreeEntry {
  readonly comm: string;
}

export interface ArchiveContents {
  readonly processes: readonly ArchivedProcess[];
  /** Bytes of memory pages (checkpoint/pages-*.img). */
  readonly memoryBytes: number;
  readonly members: number;
}

const CORE = /^checkpoint\/core-(\d+)\.img$/;
const PAGES = /^checkpoint\/pages-\d+\.img$/;

export async function archiveContents(path: string, compress: Compression): Promise<ArchiveContents> {
  const tar = await readArchive(path, compress, () => new TarHeaders((name) => name === 'checkpoint/pstree.img' || CORE.test(name)));
  const pstree = tar.kept.get('checkpoint/pstree.img');
  if (!pstree) throw unreadable(path, 'it holds no checkpoint/pstree.img');
  try {
    const processes = pstreeOf(pstree).map((p) => {
      const core = tar.kept.get(`checkpoint/core-${p.pid}.img`);
      return { ...p, comm: (core && commOf(core)) ?? '?' };
    });
    let memoryBytes = 0;
    for (const [name, size] of tar.sizes) if (PAGES.test(name)) memoryBytes += size;
    return { processes, memoryBytes, members: tar.names.length };
  } catch (x) {
    if (x instanceof CriuImageProblem) throw unreadable(path, `a CRIU image cannot be read (${x.message})`);
    throw x;
  }
}
