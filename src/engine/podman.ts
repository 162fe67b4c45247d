/** The podman calls berth makes at run time (checkpoint, restore, inspect); each failure is an EngineError. */
import { execa } from 'execa';
import { EngineError } from '../errors.js';
import { podmanPath } from './podman-version.js';

export interface ContainerState {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly running: boolean;
  readonly conmonPid: number;
  /** The argv the container was created with: it identifies what an archive of it will restore. */
  readonly createCommand: readonly string[];
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

export class Podman {
  constructor(readonly binary: string = podmanPath()) {}

  async run(args: readonly string[], opts: { timeoutMs?: number; stdin?: 'inherit' | 'ignore' } = {}): Promise<RunResult> {
    const argv = [this.binary, ...args];
    const r = await execa(this.binary, args, { reject: false, timeout: opts.timeoutMs ?? 600_000, stdin: opts.stdin ?? 'ignore' });
    if (r.failed) throw new EngineError(argv, r.exitCode, String(r.stderr || r.message));
    return { stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** The container's state, or undefined when there is no such container. */
  async inspect(name: string): Promise<ContainerState | undefined> {
    const r = await execa(this.binary, ['container', 'inspect', '--format', 'json', name], { reject: false, timeout: 60_000 });
    if (r.exitCode !== 0) {
      if (/no such container/i.test(String(r.stderr))) return undefined;
      throw new EngineError([this.binary, 'container', 'inspect', name], r.exitCode, String(r.stderr));
    }
    const [c] = JSON.parse(String(r.stdout)) as Array<{
      Id: string; Name: string; ImageName?: string; Image: string;
      State: { Running: boolean; ConmonPid?: number }; Config?: { CreateCommand?: string[] };
    }>;
    if (!c) return undefined;
    return {
      id: c.Id,
      name: c.Name,
      image: c.ImageName ?? c.Image,
      running: c.State.Running,
      conmonPid: c.State.ConmonPid ?? 0,
      createCommand: c.Config?.CreateCommand ?? [],
    };
  }

  async version(): Promise<string> {
    return (await this.run(['version', '--format', '{{.Client.Version}}'])).stdout.trim();
  }

  /** Removes what the OCI runtime still holds of a container whose conmon was killed (best effort). */
  async clearRuntimeState(id: string): Promise<void> {
    const runtime = (await this.run(['info', '--format', '{{.Host.OCIRuntime.Path}}'])).stdout.trim();
    await execa(runtime, ['delete', '--force', id], { reject: false, timeout: 60_000 });
  }
}

/** CRIU's version as `criu --version` reports it ('' when CRIU is missing). */
export async function criuVersion(): Promise<string> {
  const r = await execa('criu', ['--version'], { reject: false, timeout: 10_000 });
  return r.exitCode === 0 ? (/Version:\s*(\S+)/.exec(String(r.stdout))?.[1] ?? '') : '';
}
