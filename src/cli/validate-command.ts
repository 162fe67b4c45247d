/** `berth validate FILE|DIR…`: every check the generator makes, writing nothing. */
import { homedir } from 'node:os';
import { quadletDirs } from '../generator/quadlet-folders.js';
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { formatProblem, UsageError } from '../errors.js';
import { plan } from '../generator/plan.js';

export interface ValidateFlags {
  user?: boolean;
  podmanVersion?: string;
}

/** Prints each problem as FILE:LINE[:COL]: KEY: message; returns 0 when there are none. */
export async function runValidate(paths: string[], flags: ValidateFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (paths.length === 0) throw new UsageError('validate needs at least one file or folder');
  const dirs: string[] = [];
  const files = new Set<string>();
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (isDir) dirs.push(p);
    else {
      dirs.push(dirname(p));
      files.add(basename(p));
    }
  }
  const { target, loaded, errors: all, warnings } = await plan([...new Set(dirs)], { user: flags.user ?? false, env, quadletFolders: quadletDirs(flags.user ?? false, env, process.getuid?.() ?? 0, homedir()), ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}) });
  if (target.warning) process.stderr.write(`berth: ${target.warning}\n`);
  // A named file is checked against its folder's other definitions, which it may reference.
  const wanted = (path: string): boolean => files.size === 0 || dirs.some((d) => paths.includes(d) && path.startsWith(d)) || files.has(basename(path));
  const errors = all.filter((e) => wanted(e.location.file));
  for (const w of warnings.filter((x) => wanted(x.location.file))) process.stderr.write(`${formatProblem(w, 'compiler')}\n`);
  for (const err of errors) process.stdout.write(`${formatProblem(err, 'compiler')}\n`);
  const checked = loaded.definitions.filter((d) => wanted(d.unit.path)).length;
  process.stderr.write(`berth: ${checked} definition(s) checked, ${errors.length} problem(s)\n`);
  return errors.length > 0 ? 1 : 0;
}
