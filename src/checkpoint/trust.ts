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
import { distrust, owners } from './trust-rule.js';

export { distrust, owners, trustedUid, type Ownership } from './trust-rule.js';

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
