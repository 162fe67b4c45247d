/** `berth generate`: the systemd generator (systemd.generator(7)). */
import { generate } from '../generator/generate.js';
import { loadDefinitions } from '../generator/load.js';
import { searchPaths } from '../generator/search-paths.js';
import { formatDryRun, writeUnits } from '../generator/write.js';
import { podmanPath, targetVersion } from '../engine/podman-version.js';
import { formatConverting, UsageError } from '../errors.js';
import { kmsgLogger, stderrLogger, type Logger } from './log.js';
import { calendarValidator } from '../engine/calendar.js';
import { calendarExpressions } from '../compile/checkpoint-settings.js';

/** How long podman may take to say its version, once the definitions are read. */
const VERSION_QUERY_MS = 10_000;

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

  // Asking podman its version takes a while: read the definitions while it answers. Its time limit starts
  // once they are read, so that a slow disk never makes berth compile for a podman it did not ask.
  const abort = new AbortController();
  const asked = targetVersion(flags.podmanVersion, env, abort.signal);
  asked.catch(() => undefined);
  const loaded = loadDefinitions(searchPaths(user, env));
  const limit = setTimeout(() => abort.abort(), VERSION_QUERY_MS);
  const target = await asked.finally(() => clearTimeout(limit));
  if (target.warning) log.warn(target.warning);
  const result = generate(loaded.definitions, {
    target: target.version,
    user,
    podman: podmanPath(env),
    berth: berthCommand(env),
    validateCalendar: calendarValidator(loaded.definitions.flatMap((d) => calendarExpressions(d.unit))),
  });
  for (const w of loaded.warnings) log.warn(w.message);
  for (const err of loaded.errors) log.error(err.message);
  for (const err of result.errors) log.error(formatConverting(err));
  for (const w of result.warnings) log.warn(`${w.detail} (at ${w.location.file}:${w.location.line})`);
  let failed = loaded.errors.length + result.errors.length;

  if (flags.dryrun) process.stdout.write(formatDryRun(result.units));
  else {
    for (const { unit, error } of writeUnits(outputDir!, result.units)) {
      log.error(`${unit.source}: ${unit.fileName} could not be written: ${error.message}`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
