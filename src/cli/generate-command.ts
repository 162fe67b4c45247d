/** `berth generate`: the systemd generator (systemd.generator(7)). */
import { formatVersion } from '../compile/version.js';
import { formatProblem, UsageError } from '../errors.js';
import { LAST_RUN_FILE, recordRun, serializeLastRun } from '../generator/last-run.js';
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
  /** The units written for each definition, for the record of the run. */
  const written = new Map<string, string[]>();
  const emit = out && ((unit: GeneratedUnit): void => {
    const error = out.write(unit);
    if (!error) {
      const units = written.get(unit.source);
      if (unit.fileName.includes('/')) return;
      if (units) units.push(unit.fileName);
      else written.set(unit.source, [unit.fileName]);
      return;
    }
    log.error(`${unit.source}: ${unit.fileName} could not be written: ${error.message}`);
    unwritten++;
  });
  const searchDirs = searchPaths(user, env);
  const quadlet = quadletDirs(user, env, process.getuid?.() ?? 0, homedir()).filter((d) => searchDirs.includes(d));
  const { target, loaded, result, errors, warnings } = await plan(searchDirs, {
    user, quadletFolders: quadlet, berth: berthCommand(env), env, ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}), ...(emit ? { emit } : {}),
  });
  if (target.warning) log.warn(target.warning);
  for (const w of warnings) log.warn(formatProblem(w, 'journal', 'warning'));
  for (const err of errors) log.error(formatProblem(err, 'journal'));
  if (flags.dryrun) process.stdout.write(formatDryRun(result.units));
  if (out) {
    const run = recordRun({
      time: new Date(), podman: formatVersion(target.version), user,
      definitions: loaded.definitions, refused: loaded.refused, errors, warnings, units: written,
    });
    const error = out.writeFile(LAST_RUN_FILE, serializeLastRun(run));
    if (error) log.warn(`the record of this run (${LAST_RUN_FILE}) could not be written: ${error.message}`);
  }
  const failed = errors.length + unwritten;
  return failed > 0 ? 1 : 0;
}
