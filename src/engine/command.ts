/**
 * The one way berth runs a program at run time (podman, CRIU, tar, systemctl, systemd-notify; the doctor's
 * probes), on node:child_process: what berth needs (output, exit status, a timeout, a file as stdin) is a
 * few lines of it, and execa took longer to load than podman takes to answer `--version`. node:child_process
 * itself (which brings net, dgram and streams along) is loaded on the first call, so that commands which
 * never run anything do not pay for it. The generator's `podman --version` is run by
 * engine/podman-version.ts, on the boot path.
 */
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { EngineError } from '../errors.js';

export interface CommandResult {
  /** False when the program could not be started at all (not found, not executable). */
  readonly started: boolean;
  /** The exit status; -1 when it was killed (timeout, signal) or could not start. */
  readonly exitCode: number;
  /** Killed because it ran longer than the timeout. */
  readonly timedOut?: boolean;
  /** Killed, with all it started, because the caller's signal aborted it. */
  readonly aborted?: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly timeoutMs?: number;
  /** The whole environment of the program (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** `ignore` (default: /dev/null), this process's stdin, or an open file descriptor to read. */
  readonly stdin?: 'inherit' | 'ignore' | number;
  /**
   * Aborting kills the program at once with SIGKILL, and with it whatever it started (it runs in a process
   * group of its own): podman's runtime and CRIU would otherwise go on without it.
   */
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 600_000;
/** Output kept per stream; a program that writes more is killed and reported as failed. */
const MAX_OUTPUT = 64 << 20;
/** After SIGTERM (timeout), how long a program gets before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/** Runs argv to its end and says how it went; never throws. */
export async function runCommand(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const { spawn } = await import('node:child_process');
  const [file, ...args] = argv;
  const { signal } = opts;
  if (signal?.aborted) return { started: false, exitCode: -1, aborted: true, stdout: '', stderr: `${file} was not started: aborted` };
  return new Promise((resolve) => {
    const child = spawn(file!, args, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'], detached: signal !== undefined, ...(opts.env ? { env: opts.env } : {}) });
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let bytes = 0;
    let why: 'timeout' | 'output' | 'aborted' | undefined;
    const abort = (): void => {
      why ??= 'aborted';
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    signal?.addEventListener('abort', abort, { once: true });
    const kill = (reason: typeof why): void => {
      why ??= reason;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]!.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_OUTPUT) kill('output');
        else out[name].push(chunk);
      });
    }
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const text = (name: 'stdout' | 'stderr'): string => Buffer.concat(out[name]).toString('utf8');
    child.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      resolve({ started: false, exitCode: -1, stdout: '', stderr: `cannot run ${file}: ${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      const stderr = why === 'output' ? `${text('stderr')}\n${file} wrote more than ${MAX_OUTPUT >> 20} MiB of output` : text('stderr');
      const flag = why === 'timeout' ? { timedOut: true } : why === 'aborted' ? { aborted: true } : {};
      resolve({ started: true, exitCode: why ? -1 : (code ?? -1), ...flag, stdout: text('stdout'), stderr });
    });
  });
}

/**
 * Runs argv with this process's stdin, stdout and stderr, for as long as it takes (Node cannot exec() in
 * place); returns its exit status, 128 + the signal's number when a signal ended it, 127 when it cannot start.
 */
export async function runAttached(argv: readonly string[]): Promise<number> {
  const { spawn } = await import('node:child_process');
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`cannot run ${file}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

/** A program this process feeds and reads while it runs (a decompressor). */
export interface Filter {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** How it ended; its stdout is what was read from `stdout`, not kept here. */
  readonly done: Promise<CommandResult>;
  /** Kills it (SIGKILL) if it still runs. */
  stop(): void;
}

/** Starts argv with its stdin and stdout as streams; a write after it ended is ignored (`done` tells why). */
export async function startFilter(argv: readonly string[]): Promise<Filter> {
  const { spawn } = await import('node:child_process');
  const [file, ...args] = argv;
  const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => undefined);
  const done = new Promise<CommandResult>((resolve) => {
    child.on('error', (err) => resolve({ started: false, exitCode: -1, stdout: '', stderr: `cannot run ${file}: ${err.message}` }));
    child.on('close', (code) => resolve({ started: true, exitCode: code ?? -1, stdout: '', stderr: Buffer.concat(stderr).toString('utf8') }));
  });
  return { stdin: child.stdin, stdout: child.stdout, done, stop: () => child.kill('SIGKILL') };
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
  const why = r.aborted ? 'killed: aborted' : r.stderr.trim() || (r.timedOut ? 'killed: it ran past its timeout' : '');
  return new EngineError(argv, exit, r.stderr, `${argv.join(' ')} failed (${exit === undefined ? 'killed' : `exit ${exit}`})${why ? `: ${why}` : ''}`);
}
