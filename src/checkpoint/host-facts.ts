/**
 * This host's side of the facts (facts.ts): kernel, CPU, the OCI runtime's and podman's and CRIU's
 * versions. Cheap enough to read at every checkpoint: the kernel from uname, the CPU from the first
 * processor's lines of /proc/cpuinfo (one read of its start, however many CPUs there are), and the
 * programs' versions remembered while their binaries stay the same (version-cache.ts).
 */
import { open } from 'node:fs/promises';
import { machine, release } from 'node:os';
import { criuVersion, runtimeVersion, type Podman } from '../engine/podman.js';
import { cachedVersion, locateProgram } from '../engine/version-cache.js';
import { cpuOf } from './facts.js';

export interface HostFacts {
  readonly kernel: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuFlags: readonly string[];
  readonly podmanVersion: string;
  readonly criuVersion: string;
}

/** The first processor's lines fit in this: one read of the start of /proc/cpuinfo. */
const CPUINFO_HEAD = 64 * 1024;

async function cpuinfoHead(): Promise<string> {
  const file = await open('/proc/cpuinfo', 'r');
  try {
    const buf = Buffer.alloc(CPUINFO_HEAD);
    const { bytesRead } = await file.read(buf, 0, CPUINFO_HEAD, 0);
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    await file.close();
  }
}

/** What this host is; a version or CPU that cannot be told is `unknown` (or no flags), never a failure. */
export async function hostFacts(podman: Podman, cacheDir: string | undefined, env: NodeJS.ProcessEnv): Promise<HostFacts> {
  const [podmanVersion, criu, cpu] = await Promise.all([
    cachedVersion(cacheDir, podman.binary, () => podman.version(), env).catch(() => 'unknown'),
    cachedVersion(cacheDir, 'criu', criuVersion, env).catch(() => 'unknown'),
    cpuinfoHead().then(cpuOf, () => ({ model: '', flags: [] })),
  ]);
  return { kernel: release(), arch: machine(), cpuModel: cpu.model, cpuFlags: cpu.flags, podmanVersion, criuVersion: criu };
}

/** Where podman finds a runtime named in a container's configuration, besides PATH (containers.conf's defaults). */
const RUNTIME_DIRS = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The runtime a container's configuration names (runc, crun, or a path): its path here, and its version. */
export async function runtimeHere(runtime: string, cacheDir: string | undefined, env: NodeJS.ProcessEnv): Promise<{ path?: string; version: string }> {
  const name = runtime || 'runc';
  const path = locateProgram(name, { PATH: `${env['PATH'] ?? ''}:${RUNTIME_DIRS}` });
  if (!path) return { version: 'unknown' };
  return { path, version: await cachedVersion(cacheDir, path, runtimeVersion, env).catch(() => 'unknown') };
}
