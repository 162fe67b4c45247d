/** `berth generate`: the systemd generator (systemd.generator(7)). */
import { formatProblem, UsageError } from '../errors.js';
import { plan } from '../generator/plan.js';
import { searchPaths } from '../generator/search-paths.js';
import { quadletDirs } from '../generator/quadlet-folders.js';
import { homedir } from 'node:os';
import { formatDryRun, OutputFolder } from '../generator/write.js';
import type { GeneratedUnit } from '../generator/generate.js';
import { kmsgLogger, stderrLogger, type Logger } from './log.js';

/** The berth command written into checkpoint units: $BERTH_COMMAND (words), else the packaged /usr/bin/berth. */
export function berthCommand(env: NodeJS.ProcessEnv): string[] {
  return env['BERTH_COMMAND']?.trim().split(/\s+/) ?? ['/usr/bin/berth'];
}

export interface GenerateFlags {
  user?: boolean;
  kmsgLog?: boolean;
  dryrun?: boolean;
  podmanVersion?: string;
}

/** Returns the exit status: 0 when every definition compiled, 1 when any was reported and skipped. */
export async function runGenerate(dirs: string[], flags: GenerateFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const user = flags.user ?? env['SYSTEMD_SCOPE'] === 'user';
  const log: Logger =
    (!flags.dryrun && flags.kmsgLog !== false && env['SYSTEMD_SCOPE'] !== undefined ? kmsgLogger('berth-generator') : undefined) ??
    stderrLogger('berth-generator: ');
  const outputDir = dirs[0];
  if (!flags.dryrun && !outputDir) throw new UsageError('generate needs an output folder (NORMAL_DIR [EARLY_DIR LATE_DIR])');

  // Units go to disk as they are final; the --dryrun form prints them all at the end.
  const out = flags.dryrun ? undefined : new OutputFolder(outputDir!);
  let unwritten = 0;
  const emit = out && ((unit: GeneratedUnit): void => {
    const error = out.write(unit);
    if (!error) return;
    log.error(`${unit.source}: ${unit.fileName} could not be written: ${error.message}`);
    unwritten++;
  });
  const searchDirs = searchPaths(user, env);
  const quadlet = quadletDirs(user, env, process.getuid?.() ?? 0, homedir()).filter((d) => searchDirs.includes(d));
  const { target, result, errors, warnings } = await plan(searchDirs, {
    user, quadletFolders: quadlet, berth: berthCommand(env), env, ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}), ...(emit ? { emit } : {}),
  });
  if (target.warning) log.warn(target.warning);
  for (const w of warnings) log.warn(formatProblem(w, 'journal', 'warning'));
  for (const err of errors) log.error(formatProblem(err, 'journal'));
  if (flags.dryrun) process.stdout.write(formatDryRun(result.units));
  const failed = errors.length + unwritten;
  return failed > 0 ? 1 : 0;
}
