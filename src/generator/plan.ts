/**
 * What `berth generate` and `berth validate` both do before they part: find out the target podman, read
 * the definitions, and compile them all. The podman version query runs while the definitions are read; its
 * time limit starts once they are, so that a slow disk never makes berth compile for a podman it did not ask.
 */
import { calendarExpressions } from '../compile/checkpoint-settings.js';
import { calendarValidator } from '../engine/calendar.js';
import { hostCgroups } from '../engine/cgroup-version.js';
import { podmanPath, targetVersion, type TargetVersion } from '../engine/podman-version.js';
import { versionCacheDir } from '../engine/version-cache.js';
import { DefinitionError } from '../errors.js';
import { enabledDir, readEnabledState } from './enabled.js';
import { generate, type GeneratedUnit, type GenerateResult } from './generate.js';
import { loadDefinitions, type LoadResult } from './load.js';

/** How long podman may take to say its version, once the definitions are read. */
const VERSION_QUERY_MS = 10_000;

export interface PlanOptions {
  readonly user: boolean;
  /** --podman-version, when given. */
  readonly podmanVersion?: string;
  /** The berth command written into checkpoint units. */
  readonly berth?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Takes each unit as soon as it is final (the generator writes it); without it, the result collects them. */
  readonly emit?: (unit: GeneratedUnit) => void;
  /**
   * The uid whose user manager runs the units (default: this process's): root's runs podman rootful, so it
   * keeps [Checkpoint] and splits cgroups; another user's refuses [Checkpoint].
   */
  readonly uid?: number;
  /** Those of searchDirs that are Quadlet's (read where podman has no Quadlet): no [Checkpoint] there. */
  readonly quadletFolders?: readonly string[];
}

export interface Plan {
  readonly target: TargetVersion;
  readonly loaded: LoadResult;
  readonly result: GenerateResult;
  /** Every problem, those of reading first; warnings apart. */
  readonly errors: readonly DefinitionError[];
  readonly warnings: readonly DefinitionError[];
}

export async function plan(searchDirs: readonly string[], opts: PlanOptions): Promise<Plan> {
  const abort = new AbortController();
  const asked = targetVersion(opts.podmanVersion, opts.env, { signal: abort.signal, cacheDir: versionCacheDir(opts.user, opts.env) });
  asked.catch(() => undefined);
  const loaded = loadDefinitions(searchDirs);
  // The host's cgroups decide a rootless unit's cgroups mode (compile/cgroups-mode.ts), when the units are
  // for this host: not for a podman version given, which may be another host's. root's own user manager
  // runs rootful podman, which splits on v1 as well.
  const forThisHost = !opts.podmanVersion && !opts.env['BERTH_PODMAN_VERSION'];
  const uid = opts.uid ?? process.getuid?.() ?? 0;
  const cgroups = opts.user && forThisHost && uid !== 0 ? hostCgroups() : undefined;
  const dir = enabledDir(opts.user, opts.env);
  const enabled = readEnabledState(dir);
  const limit = setTimeout(() => abort.abort(), VERSION_QUERY_MS);
  const target = await asked.finally(() => clearTimeout(limit));
  const result = generate(loaded.definitions, {
    target: target.version,
    user: opts.user,
    uid,
    cgroups,
    podman: podmanPath(opts.env),
    ...(opts.berth ? { berth: opts.berth } : {}),
    ...(opts.emit ? { emit: opts.emit } : {}),
    ...(opts.quadletFolders ? { quadletFolders: opts.quadletFolders } : {}),
    enabled: enabled.states,
    validateCalendar: calendarValidator(loaded.definitions.flatMap((d) => calendarExpressions(d.unit))),
  });
  return {
    target, loaded, result,
    errors: [...loaded.errors, ...result.errors],
    warnings: [...loaded.warnings, ...(enabled.warning ? [new DefinitionError({ file: dir, line: 0 }, enabled.warning)] : []), ...result.warnings],
  };
}
