/**
 * `berth import --install`: writes an imported definition into a definitions folder so that a crash leaves
 * either no file or the whole one: a temporary file beside it, fsynced, then given its name, then the folder
 * fsynced. Without `replace`, the name is given by a hard link, which never replaces a file another writer
 * put there meanwhile.
 */
import { lstat, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, linkNoReplace, removeFile, writeDurably } from '../checkpoint/durable.js';
import { CheckpointError, InstallError } from '../errors.js';
import type { Imported } from './definition.js';

/** Writes the definition into `dir` (made when missing) and returns its path. */
export async function installDefinition(dir: string, imported: Imported, replace: boolean): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, imported.fileName);
  // A dot first and no definition suffix: neither the generator nor a listing takes it for a definition.
  const temp = join(dir, `.${imported.fileName}.${process.pid}.tmp`);
  await writeDurably(temp, imported.text, 0o644);
  try {
    if (replace) await rename(temp, path);
    else await linkNoReplace(temp, path);
  } catch (x) {
    if (x instanceof CheckpointError && x.code === 'exists') throw new InstallError(`${path} already exists: give --replace to replace it`);
    throw x;
  } finally {
    await removeFile(temp);
  }
  await fsyncDir(dir);
  return path;
}

/**
 * Writes several definitions (a compose project's) all or none: without `replace`, none is written while
 * one of their names is taken, and those written are removed again if a later one fails.
 */
export async function installDefinitions(dir: string, imported: readonly Imported[], replace: boolean): Promise<string[]> {
  if (!replace) {
    const taken: string[] = [];
    for (const i of imported) {
      const path = join(dir, i.fileName);
      if (await lstat(path).then(() => true, () => false)) taken.push(path);
    }
    if (taken.length > 0) throw new InstallError(`${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}: nothing was written; give --replace to replace ${taken.length === 1 ? 'it' : 'them'}`);
  }
  const written: string[] = [];
  try {
    for (const i of imported) written.push(await installDefinition(dir, i, replace));
  } catch (x) {
    if (!replace) for (const path of written) await removeFile(path);
    throw x;
  }
  return written;
}
