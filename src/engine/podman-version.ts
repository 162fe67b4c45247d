/** Finds out which podman the generated units will run: given, from the environment, or asked. */
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import { NEWEST_PODMAN, parseVersion, type Version } from '../compile/version.js';

export function podmanPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['PODMAN'] || '/usr/bin/podman';
}

export interface TargetVersion {
  readonly version: Version;
  /** Where it came from, for messages: 'given', 'environment', 'detected' or 'default'. */
  readonly source: 'given' | 'environment' | 'detected' | 'default';
  readonly warning?: string;
}

/** --podman-version, else $BERTH_PODMAN_VERSION, else `podman --version`, else the newest podman berth knows. */
export async function targetVersion(given: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<TargetVersion> {
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
  const result = await execa(podman, ['--version'], { reject: false, timeout: 10_000 });
  const version = result.exitCode === 0 ? parseVersion(String(result.stdout).replace(/^podman version /, '')) : undefined;
  if (version) return { version, source: 'detected' };
  return {
    version: NEWEST_PODMAN,
    source: 'default',
    warning: `could not run ${podman} --version; compiling for podman ${NEWEST_PODMAN.major}.${NEWEST_PODMAN.minor}`,
  };
}
