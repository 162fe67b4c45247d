/**
 * Which checkpoint folders and archives berth may act on. `berth restore` runs as root and hands an archive
 * to CRIU, which recreates processes, memory and files from it: an archive anyone else could have written
 * or replaced must never get that far. Trusted means owned by root or by the user berth runs as (user
 * scope), and writable by no one else; every folder above must keep others from renaming what is in it
 * (not writable by others, or sticky like /tmp). Anything else is refused with the reason, never fixed by
 * chown: a folder someone else made is theirs.
 */
import { lstat, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CheckpointError } from '../errors.js';
import { isCode } from './process.js';

const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;

/** What trust looks at of a file or folder (a subset of fs.Stats, so that tests can make them). */
export interface Ownership {
  readonly uid: number;
  readonly mode: number;
}

/** root, or the user berth runs as. */
export function trustedUid(uid: number, euid: number = process.geteuid?.() ?? 0): boolean {
  return uid === 0 || uid === euid;
}

function owners(euid: number): string {
  return euid === 0 ? 'root' : `root or uid ${euid}`;
}

/**
 * Why berth cannot trust a file or folder it is to read or write in (`what` names it), or undefined when
 * it can. `ancestor` folders may be writable by others when sticky: no one else can then rename or remove
 * the trusted entries in them.
 */
export function distrust(what: string, st: Ownership, opts: { ancestor?: boolean; euid?: number } = {}): string | undefined {
  const euid = opts.euid ?? process.geteuid?.() ?? 0;
  if (!trustedUid(st.uid, euid)) return `${what} belongs to uid ${st.uid}, not ${owners(euid)}`;
  if ((st.mode & WRITABLE_BY_OTHERS) !== 0 && !(opts.ancestor && (st.mode & STICKY) !== 0)) {
    return `${what} can be written by ${(st.mode & 0o002) !== 0 ? 'anyone' : 'its group'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

/**
 * Refuses (CheckpointError `untrusted`) a checkpoint folder (Directory=, or a container's folder in it)
 * that berth cannot trust: the folder, once it exists, and each folder above it. A folder that does not
 * exist yet is judged by the nearest one that does, in which berth will create it.
 */
export async function checkFolderTrust(dir: string, euid: number = process.geteuid?.() ?? 0): Promise<void> {
  let path = dir;
  let own = true;
  for (;;) {
    let real: string;
    try {
      real = await realpath(path);
    } catch (x) {
      if (!isCode(x, 'ENOENT') || dirname(path) === path) throw x;
      path = dirname(path);
      own = false;
      continue;
    }
    for (let p = real, first = true; ; p = dirname(p), first = false) {
      const st = await lstat(p);
      const what = p === dir || (first && own) ? `the checkpoint folder ${dir}${real !== dir ? ` (${real})` : ''}` : `${p}, above the checkpoint folder ${dir}`;
      const why = distrust(what, { uid: st.uid, mode: st.mode }, { ancestor: !(first && own), euid });
      if (why) {
        throw new CheckpointError('untrusted', `${why}; berth does not keep or restore checkpoints there (make it ${owners(euid)}'s alone, or set Directory= to a folder that is)`);
      }
      if (dirname(p) === p) return;
    }
  }
}
