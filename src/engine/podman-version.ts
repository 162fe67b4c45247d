/** Finds out which podman the generated units will run: given, from the environment, or asked. */
import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';
import { NEWEST_PODMAN, parseVersion, type Version } from '../compile/version.js';
import { cachedVersion } from './version-cache.js';

export function podmanPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['PODMAN'] || '/usr/bin/podman';
}

export interface TargetVersion {
  readonly version: Version;
  /** Where it came from, for messages: 'given', 'environment', 'detected' or 'default'. */
  readonly source: 'given' | 'environment' | 'detected' | 'default';
  readonly warning?: string;
}

export interface AskOptions {
  /** Ends the question to podman. */
  readonly signal?: AbortSignal;
  /** Where podman's answer is remembered between runs (version-cache.ts); not at all when undefined. */
  readonly cacheDir?: string | undefined;
}

/**
 * --podman-version, else $BERTH_PODMAN_VERSION, else `podman --version` (remembered while the binary stays
 * the same), else the newest podman berth knows.
 */
export async function targetVersion(given: string | undefined, env: NodeJS.ProcessEnv = process.env, ask: AskOptions = {}): Promise<TargetVersion> {
  for (const [value, source, what] of [
    [given, 'given', '--podman-version'],
    [env['BERTH_PODMAN_VERSION'], 'environment', 'BERTH_PODMAN_VERSION'],
  ] as const) {
    if (value === undefined || value === '') continue;
    const version = parseVersion(value);
    if (!version) throw new UsageError(`${what}: "${value}" is not a version (X.Y or X.Y.Z)`);
    return { version, source };
  }
  const podman = podmanPath(env);
  const signal = ask.signal ?? AbortSignal.timeout(10_000);
  // Only an answer that names a version is remembered.
  const answer = await cachedVersion(
    ask.cacheDir,
    podman,
    async (path) => {
      const said = (await podmanVersionOutput(path, signal))?.replace(/^podman version /, '');
      return said !== undefined && parseVersion(said) ? said : '';
    },
    env,
  );
  const version = parseVersion(answer);
  if (version) return { version, source: 'detected' };
  return {
    version: NEWEST_PODMAN,
    source: 'default',
    warning: `could not run ${podman} --version; compiling for podman ${NEWEST_PODMAN.major}.${NEWEST_PODMAN.minor}`,
  };
}

/** Loads Node's builtins on demand, synchronously. */
const builtin = createRequire(import.meta.url);

/**
 * `podman --version`'s output, or undefined when it cannot be run or fails. The generator runs at every
 * boot and daemon-reload, so this costs nothing unless podman is asked: node:child_process (which brings
 * net, dgram and streams along) is loaded here, not at start-up, and execa, which takes longer to load
 * than podman takes to answer, not at all. podman starts at the call, so a caller can read definitions
 * while it runs.
 */
function podmanVersionOutput(podman: string, signal: AbortSignal): Promise<string | undefined> {
  const { execFile } = builtin('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    execFile(podman, ['--version'], { signal, encoding: 'utf8' }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}
