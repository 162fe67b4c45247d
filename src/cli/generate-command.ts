/** `berth generate`: the systemd generator (systemd.generator(7)). */
import { formatProblem, UsageError } from '../errors.js';
import { plan } from '../generator/plan.js';
import { searchPaths } from '../generator/search-paths.js';
import { formatDryRun, writeUnits } from '../generator/write.js';
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

  const { target, result, errors, warnings } = await plan(searchPaths(user, env), { user, berth: berthCommand(env), env, ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}) });
  if (target.warning) log.warn(target.warning);
  for (const w of warnings) log.warn(formatProblem(w, 'journal', 'warning'));
  for (const err of errors) log.error(formatProblem(err, 'journal'));
  let failed = errors.length;

  if (flags.dryrun) process.stdout.write(formatDryRun(result.units));
  else {
    for (const { unit, error } of writeUnits(outputDir!, result.units)) {
      log.error(`${unit.source}: ${unit.fileName} could not be written: ${error.message}`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
