/**
 * `berth import --install`: writes an imported definition into a definitions folder so that a crash leaves
 * either no file or the whole one: a temporary file beside it, fsynced, then given its name, then the folder
 * fsynced. Without `replace`, the name is given by a hard link, which never replaces a file another writer
 * put there meanwhile.
 */
import { mkdir, rename } from 'node:fs/promises';
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
