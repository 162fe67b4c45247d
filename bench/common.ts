/** What the benches share: the checkout's root, their `--flag value` arguments, commands and statistics. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** The checkout's root (the benches run compiled, from dist/bench/). */
export const REPO = new URL('../../', import.meta.url).pathname;

type FlagValue = number | string | boolean;

/**
 * Reads `--some-name value` arguments into a copy of `defaults` (key someName): a number default takes a
 * whole number, a string default any value; a boolean default is flipped by `--some-name` when false and
 * by `--no-some-name` when true. Anything else is an error that lists the flags.
 */
export function parseFlags<T extends Record<string, FlagValue>>(argv: readonly string[], defaults: T): T {
  const flags = Object.entries(defaults).map(([key, dflt]) => {
    const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return { key, dflt, flag: dflt === true ? `--no-${name}` : `--${name}` };
  });
  const usage = flags.map((f) => (typeof f.dflt === 'boolean' ? f.flag : `${f.flag} ${typeof f.dflt === 'number' ? 'N' : 'VALUE'}`)).join(', ');
  const opts: Record<string, FlagValue> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const f = flags.find((x) => x.flag === argv[i]);
    if (f === undefined) throw new Error(`unknown argument ${argv[i]} (${usage})`);
    if (typeof f.dflt === 'boolean') {
      opts[f.key] = !f.dflt;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${f.flag} needs a value`);
    if (typeof f.dflt === 'number' && !/^\d+$/.test(value)) throw new Error(`${f.flag} takes a whole number, not "${value}"`);
    opts[f.key] = typeof f.dflt === 'number' ? Number(value) : value;
  }
  return opts as T;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end; throws only when it cannot start. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  if (r.error) throw r.error;
  return r;
}

/** Runs a command and returns its stdout; throws when it fails. */
export function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): string {
  return timed(cmd, args, opts).stdout;
}

/** Runs a command and returns its wall time in milliseconds with its stdout; throws when it fails. */
export function timed(cmd: string, args: readonly string[], opts: RunOptions = {}): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = run(cmd, args, opts);
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ').slice(0, 200)} failed (exit ${r.status}): ${r.stderr.trim().slice(0, 2000)}`);
  return { ms, stdout: r.stdout };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median and minimum: how the benches sum up repeated timings. */
export function spread(xs: readonly number[]): { median: number; min: number } {
  return { median: median(xs), min: Math.min(...xs) };
}

/** Other work on the machine skews wall times (CPU times less so): how busy it was. */
export function loadNote(): string {
  const [one, five, fifteen] = loadavg() as [number, number, number];
  const cpus = availableParallelism();
  const note = `load average ${one.toFixed(2)} ${five.toFixed(2)} ${fifteen.toFixed(2)} on ${cpus} CPUs`;
  return one > cpus / 2 ? `${note} (busy: wall times are inflated)` : note;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** NODE_OPTIONS as the agent's unit sets them (quoted or not), so an agent run by a bench runs as it would there. */
export function unitNodeOptions(): string {
  const unit = readFileSync(`${REPO}units/berth-agent.service`, 'utf8');
  const options = /^Environment=(?:"NODE_OPTIONS=([^"]*)"|NODE_OPTIONS=(.*))$/m.exec(unit);
  if (!options) throw new Error('units/berth-agent.service sets no NODE_OPTIONS');
  return options[1] ?? options[2]!;
}
