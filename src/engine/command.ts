/**
 * The one way berth runs a program at run time (podman, CRIU, systemctl, systemd-notify; the doctor's
 * probes): execa, loaded on the first call so that commands which never run anything (`berth status` without
 * health checks) do not pay for loading it. The generator's `podman --version` is the exception
 * (engine/podman-version.ts): it is on the boot path and must not load execa at all.
 */
import { constants } from 'node:os';
import { EngineError } from '../errors.js';

export interface CommandResult {
  /** False when the program could not be started at all (not found, not executable). */
  readonly started: boolean;
  /** The exit status; -1 when it was killed (timeout, signal) or could not start. */
  readonly exitCode: number;
  /** Killed because it ran longer than the timeout. */
  readonly timedOut?: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: 'inherit' | 'ignore';
}

const DEFAULT_TIMEOUT_MS = 600_000;

/** Runs argv to its end and says how it went; never throws. */
export async function runCommand(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  const r = await execa(file!, args, {
    reject: false,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stdin: opts.stdin ?? 'ignore',
    maxBuffer: 64 << 20,
    ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
  });
  const spawnError = r.failed && r.exitCode === undefined && !r.timedOut && !r.isTerminated;
  if (spawnError) return { started: false, exitCode: -1, stdout: '', stderr: r.message ?? String(r.stderr) };
  return { started: true, exitCode: r.exitCode ?? -1, ...(r.timedOut ? { timedOut: true } : {}), stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * Runs argv with this process's stdin, stdout and stderr, for as long as it takes (Node cannot exec() in
 * place); returns its exit status, 128 + the signal's number when a signal ended it, 127 when it cannot start.
 */
export async function runAttached(argv: readonly string[]): Promise<number> {
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  const r = await execa(file!, args, { reject: false, stdio: 'inherit' });
  if (r.exitCode !== undefined) return r.exitCode;
  if (r.signal) return 128 + (constants.signals[r.signal] ?? 0);
  process.stderr.write(`cannot run ${file}: ${r.shortMessage}\n`);
  return 127;
}

/** Runs argv and returns its output; anything but exit status 0 is an EngineError (commandFailed). */
export async function mustRun(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const r = await runCommand(argv, opts);
  if (r.exitCode !== 0) throw commandFailed(argv, r);
  return r;
}

/** The EngineError for a command that did not exit 0: its argv, exit status (none when killed) and stderr. */
export function commandFailed(argv: readonly string[], r: CommandResult): EngineError {
  const exit = r.exitCode < 0 ? undefined : r.exitCode;
  const why = r.stderr.trim() || (r.timedOut ? 'killed: it ran past its timeout' : '');
  return new EngineError(argv, exit, r.stderr, `${argv.join(' ')} failed (${exit === undefined ? 'killed' : `exit ${exit}`})${why ? `: ${why}` : ''}`);
}
