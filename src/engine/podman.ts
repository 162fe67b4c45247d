/**
 * Every podman call berth makes at run time (the generator's `podman --version` aside:
 * engine/podman-version.ts): the container list, inspect, checkpoint, restore, remove, version and info.
 * Each failure is an EngineError with podman's argv, exit status and stderr.
 */
import { EngineError } from '../errors.js';
import { commandFailed, mustRun, runAttached, runCommand, type CommandResult } from './command.js';
import { podmanPath } from './podman-version.js';
import type { InspectedContainer } from './inspected.js';

export interface ContainerState {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  readonly conmonPid: number;
}

/** One row of `podman ps -a`: what both the container's state and its health are read from. */
export interface ListedContainer {
  readonly id: string;
  readonly name: string;
  /** podman's state: running, exited, created, paused … */
  readonly state: string;
  /** podman's status text, e.g. "Up 2 minutes (healthy)". */
  readonly status: string;
  readonly pid: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface CheckpointFlags {
  readonly compress: string;
  readonly leaveRunning: boolean;
  /** Keep CRIU's images in the container's storage too, for restoreLocal(). */
  readonly keep?: boolean;
  readonly tcpEstablished: boolean;
  readonly fileLocks: boolean;
}

export type RestoreFlags = Pick<CheckpointFlags, 'tcpEstablished' | 'fileLocks'> & {
  /** Restore under this name (podman then gives it a new ID) rather than the archived one. */
  readonly name?: string;
  /** Publish these ports (podman's --publish syntax) instead of the archived ones. */
  readonly publish?: readonly string[];
  readonly ignoreStaticIp?: boolean;
  readonly ignoreStaticMac?: boolean;
};

const LIST_TIMEOUT_MS = 30_000;
const INSPECT_TIMEOUT_MS = 60_000;
const VERSION_TIMEOUT_MS = 10_000;

export class Podman {
  constructor(
    readonly binary: string = podmanPath(),
    readonly env?: NodeJS.ProcessEnv,
  ) {}

  /** A podman command; EngineError unless it exits 0. */
  async run(args: readonly string[], opts: { timeoutMs?: number; stdin?: 'inherit' | 'ignore'; signal?: AbortSignal } = {}): Promise<RunResult> {
    const { stdout, stderr } = await mustRun([this.binary, ...args], { ...opts, ...(this.env ? { env: this.env } : {}) });
    return { stdout, stderr };
  }

  /** A podman command attached to this process's stdio (a unit's `podman run`); returns its exit status. */
  runAttached(args: readonly string[]): Promise<number> {
    return runAttached([this.binary, ...args]);
  }

  /** A podman command as the doctor asks it: how it went, never an exception. */
  probe(args: readonly string[], timeoutMs: number): Promise<CommandResult> {
    return runCommand([this.binary, ...args], { timeoutMs, ...(this.env ? { env: this.env } : {}) });
  }

  /** Every container podman knows (`podman ps -a`), in one call. */
  async list(): Promise<ListedContainer[]> {
    const { stdout } = await this.run(['ps', '-a', '--format', 'json'], { timeoutMs: LIST_TIMEOUT_MS });
    let rows: Array<{ Id?: string; Names?: string[]; State?: string; Status?: string; Pid?: number }>;
    try {
      rows = JSON.parse(stdout);
    } catch {
      throw new EngineError([this.binary, 'ps', '-a', '--format', 'json'], 0, '', `${this.binary} ps printed no JSON: ${stdout.slice(0, 200)}`);
    }
    return rows.map((c) => ({ id: c.Id ?? '', name: c.Names?.[0] ?? '', state: c.State ?? 'unknown', status: c.Status ?? '', pid: c.Pid ?? 0 }));
  }

  /** podman's whole inspect of a container (its JSON object), or undefined when there is no such container. */
  async inspectJson(name: string): Promise<InspectedContainer | undefined> {
    const args = ['container', 'inspect', '--format', 'json', name];
    const r = await this.probe(args, INSPECT_TIMEOUT_MS);
    if (r.exitCode !== 0) {
      if (/no such container/i.test(r.stderr)) return undefined;
      throw commandFailed([this.binary, ...args], r);
    }
    const [c] = JSON.parse(r.stdout) as InspectedContainer[];
    return c;
  }

  /** The container's state, or undefined when there is no such container. */
  async inspect(name: string): Promise<ContainerState | undefined> {
    const c = await this.inspectJson(name);
    if (!c) return undefined;
    const state = c.State as { Running?: boolean; ConmonPid?: number } | undefined;
    return { id: c.Id, name: c.Name, running: state?.Running === true, conmonPid: state?.ConmonPid ?? 0 };
  }

  /**
   * The inspect of a new container made with these arguments (options, image, command), which is removed
   * again: what podman fills in by itself for such a container. The image is never pulled.
   */
  async inspectNew(args: readonly string[]): Promise<InspectedContainer> {
    const name = `berth-baseline-${process.pid}-${Date.now()}`;
    await this.run(['create', '--pull=never', '--name', name, ...args], { timeoutMs: INSPECT_TIMEOUT_MS });
    try {
      const c = await this.inspectJson(name);
      if (!c) throw new EngineError([this.binary, 'container', 'inspect', name], 0, '', `${name} was created but cannot be inspected`);
      return c;
    } finally {
      await this.remove(name);
    }
  }

  /**
   * Exports a CRIU checkpoint of a running container into `file`; returns podman's output (--print-stats).
   * Aborting `signal` kills podman, its runtime and CRIU; the container goes on as it was.
   */
  async checkpoint(container: string, file: string, flags: CheckpointFlags, signal?: AbortSignal): Promise<string> {
    const args = ['container', 'checkpoint', '--export', file, '--compress', flags.compress, '--print-stats'];
    if (flags.leaveRunning) args.push('--leave-running');
    if (flags.keep) args.push('--keep');
    if (flags.tcpEstablished) args.push('--tcp-established');
    if (flags.fileLocks) args.push('--file-locks');
    return (await this.run([...args, container], signal ? { signal } : {})).stdout;
  }

  /** Restores an exported checkpoint, under the name and ID it was taken from unless given a name. */
  async restore(archive: string, flags: RestoreFlags): Promise<void> {
    const args = ['container', 'restore', '--import', archive];
    if (flags.name !== undefined) args.push('--name', flags.name);
    for (const p of flags.publish ?? []) args.push('--publish', p);
    if (flags.ignoreStaticIp) args.push('--ignore-static-ip');
    if (flags.ignoreStaticMac) args.push('--ignore-static-mac');
    if (flags.tcpEstablished) args.push('--tcp-established');
    if (flags.fileLocks) args.push('--file-locks');
    await this.run(args);
  }

  /** Restores a container checkpointed with `keep` from the images in its own storage, as it was. */
  async restoreLocal(container: string): Promise<void> {
    await this.run(['container', 'restore', container]);
  }

  /** Freezes or thaws every process of a running container (the cgroup freezer). */
  async pause(container: string, paused: boolean): Promise<void> {
    await this.run([paused ? 'pause' : 'unpause', container], { timeoutMs: INSPECT_TIMEOUT_MS });
  }

  /**
   * Removes the container of exactly this name at once, running or not; none of that name is fine. podman
   * rm takes a name that no container has for an ID prefix, so the name is first looked up exactly: only
   * the container that has it is removed.
   */
  async remove(name: string): Promise<void> {
    const { stdout } = await this.run(['ps', '-a', '--filter', `name=^${name.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}$`, '--format', '{{.ID}} {{.Names}}'], { timeoutMs: LIST_TIMEOUT_MS });
    const ids = stdout.split('\n').map((l) => l.split(' ')).filter(([id, n]) => id && n === name).map(([id]) => id!);
    if (ids.length > 0) await this.run(['rm', '-f', '--ignore', '-t', '0', ...ids]);
  }

  /** Whether podman's store holds this image (by ID or name). */
  async imageExists(image: string): Promise<boolean> {
    const args = ['image', 'exists', image];
    const r = await this.probe(args, INSPECT_TIMEOUT_MS);
    if (r.exitCode === 0 || r.exitCode === 1) return r.exitCode === 0;
    throw commandFailed([this.binary, ...args], r);
  }

  /** podman's own version, as `podman --version` prints it. */
  async version(): Promise<string> {
    const { stdout } = await this.run(['--version'], { timeoutMs: VERSION_TIMEOUT_MS });
    const version = /^podman version (\S+)$/m.exec(stdout)?.[1];
    if (!version) throw new EngineError([this.binary, '--version'], 0, '', `${this.binary} --version names no version: ${stdout.trim().slice(0, 200)}`);
    return version;
  }

  /** Removes what the OCI runtime still holds of a container whose conmon was killed (best effort). */
  async clearRuntimeState(id: string): Promise<void> {
    const runtime = (await this.run(['info', '--format', '{{.Host.OCIRuntime.Path}}'])).stdout.trim();
    await runCommand([runtime, 'delete', '--force', id], { timeoutMs: INSPECT_TIMEOUT_MS });
  }
}

/** CRIU's version as `criu --version` reports it (`criu`: its path, as version-cache.ts found it); EngineError when it cannot be told. */
export async function criuVersion(criu: string): Promise<string> {
  const { stdout } = await mustRun([criu, '--version'], { timeoutMs: VERSION_TIMEOUT_MS });
  const version = /Version:\s*(\S+)/.exec(stdout)?.[1];
  if (!version) throw new EngineError([criu, '--version'], 0, '', `${criu} --version names no version: ${stdout.trim().slice(0, 200)}`);
  return version;
}

/** An OCI runtime's version as `runc --version` or `crun --version` reports it (its first line). */
export async function runtimeVersion(runtime: string): Promise<string> {
  const { stdout } = await mustRun([runtime, '--version'], { timeoutMs: VERSION_TIMEOUT_MS });
  const version = /version\s+(\S+)/.exec(stdout)?.[1];
  if (!version) throw new EngineError([runtime, '--version'], 0, '', `${runtime} --version names no version: ${stdout.trim().slice(0, 200)}`);
  return version;
}
