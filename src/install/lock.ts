/**
 * The lock `berth install` and `berth rm` hold while they validate and write a scope's definitions, so that
 * two of them never interleave: one lock per scope, `<locks>/definitions/install.lock/` (locks:
 * /run/berth/locks, or $XDG_RUNTIME_DIR/berth/locks for a user; a tmpfs, empty after each boot). It is the
 * checkpoint lock (checkpoint/lock.ts: numbered files, a dead holder superseded, never deleted by path) in a
 * subfolder of its own, so no container's checkpoint lock can share its name; where that lock refuses at
 * once, this one waits for the holder, up to a time limit.
 */
import { join } from 'node:path';
import { CheckpointLock } from '../checkpoint/lock.js';
import { lockDir } from '../checkpoint/take.js';
import { CheckpointError, InstallError } from '../errors.js';

export const LOCK_NAME = 'install';
export const DEFAULT_WAIT_MS = 60_000;

/** The folder holding the definitions lock of a scope. */
export function definitionsLockDir(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return join(lockDir(user, env), 'definitions');
}

/** Takes the definitions lock under `dir`, waiting while another process holds it (InstallError after `waitMs`). */
export async function acquireDefinitionsLock(dir: string, waitMs = DEFAULT_WAIT_MS): Promise<CheckpointLock> {
  const until = Date.now() + waitMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      return await CheckpointLock.acquire(dir, LOCK_NAME);
    } catch (x) {
      const code = (x as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new InstallError(`cannot take the definitions lock in ${dir} (${code}): the system's definitions need root (--user for your own); nothing was done`, { cause: x });
      }
      if (!(x instanceof CheckpointError && x.code === 'locked')) throw x;
      if (Date.now() >= until) throw new InstallError(`another berth install or rm held ${join(dir, `${LOCK_NAME}.lock`)} for ${waitMs} ms (${x.message.replace(/^.*\((pid \d+)\)$/, '$1')}); nothing was done`);
      await new Promise((r) => setTimeout(r, pause + Math.random() * pause));
    }
  }
}
