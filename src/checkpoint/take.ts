/**
 * `berth checkpoint NAME`: exports a CRIU checkpoint of the running container into the store, then applies
 * retention. Order matters for the guarantees: lock, check, export into a temporary file, verify and commit
 * (only then does the archive count), and only after that delete old archives.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { CheckpointSettings } from '../compile/checkpoint-settings.js';
import { CheckpointError, EngineError } from '../errors.js';
import { criuVersion, Podman } from '../engine/podman.js';
import { VersionCache } from '../engine/version-cache.js';
import { CheckpointLock } from './lock.js';
import { CheckpointStore, type ArchiveInfo } from './store.js';

export interface TakeOptions {
  /** The unit name (web for web.service); names the archive folder. */
  readonly name: string;
  readonly container: string;
  readonly settings: CheckpointSettings;
  readonly user: boolean;
  readonly podman?: Podman;
  /** Folder of the per-container locks (default /run/berth/locks, or $XDG_RUNTIME_DIR/berth/locks). */
  readonly lockDir?: string;
}

export interface TakeResult {
  readonly archive: ArchiveInfo;
  readonly removed: readonly string[];
}

/** Identifies what a container was created from, so a restore can tell whether its definition changed. */
export function runHash(argv: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(argv)).digest('hex');
}

export function runtimeDir(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return user ? env['XDG_RUNTIME_DIR'] || `/run/user/${process.getuid?.() ?? 0}` : '/run';
}

/** Where the per-container locks live: /run/berth/locks, or $XDG_RUNTIME_DIR/berth/locks. */
export function lockDir(user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return `${runtimeDir(user, env)}/berth/locks`;
}

// Headroom over the last archive's size before starting: an export that cannot fit fails late and slowly.
const SPACE_FACTOR = 1.2;
const MIN_FREE = 16 * 1024 * 1024;

export async function takeCheckpoint(opts: TakeOptions): Promise<TakeResult> {
  const podman = opts.podman ?? new Podman();
  const { settings } = opts;
  const locks = opts.lockDir ?? lockDir(opts.user);
  const lock = await CheckpointLock.acquire(locks, opts.name);
  try {
    const state = await podman.inspect(opts.container);
    if (!state?.running) {
      throw new CheckpointError('invalid', `container ${opts.container} (${opts.name}.service) is not running; nothing was written`);
    }
    const store = new CheckpointStore(settings.directory, opts.name);
    const last = await store.estimateNeed();
    const need = Math.max(MIN_FREE, last * SPACE_FACTOR);
    const free = await store.freeBytes();
    if (free < need) {
      const why = `${last > 0 ? `${SPACE_FACTOR} × the last archive's ${mib(last)}, and ` : ''}at least ${mib(MIN_FREE)}`;
      throw new CheckpointError('invalid', `only ${mib(free)} free in ${store.dir}, but a checkpoint needs ${mib(need)} (${why}); nothing was written`);
    }
    const started = Date.now();
    // Only the manifest needs them, so they are found while the export runs; a version that cannot be told
    // is recorded as unknown rather than failing the checkpoint. The cache lies beside the locks folder.
    const cache = new VersionCache(join(dirname(locks), 'versions.json'));
    const versions = Promise.all([
      cache.get(podman.binary, () => podman.version()).catch(() => 'unknown'),
      cache.get('criu', criuVersion).catch(() => 'unknown'),
    ]);
    const pending = await store.prepare(settings.compress);
    let stats: unknown;
    try {
      stats = parseStats(await podman.checkpoint(opts.container, pending.tmpPath, settings));
    } catch (err) {
      await pending.abort();
      throw err instanceof EngineError ? err : new EngineError([podman.binary, 'container', 'checkpoint'], undefined, String(err));
    }
    const archive = await pending
      .commit({
        name: opts.name,
        container: opts.container,
        containerId: state.id,
        image: state.image,
        unit: `${opts.name}.service`,
        podmanVersion: (await versions)[0],
        criuVersion: (await versions)[1],
        durationMs: Date.now() - started,
        leaveRunning: settings.leaveRunning,
        tcpEstablished: settings.tcpEstablished,
        fileLocks: settings.fileLocks,
        runHash: runHash(state.createCommand),
        ...(stats !== undefined ? { stats } : {}),
      })
      .catch(async (err: unknown) => {
        await pending.abort();
        throw err;
      });
    const removed = await store.prune(settings.keep, settings.maxTotalSize);
    return { archive, removed };
  } finally {
    await lock.release();
  }
}

function parseStats(stdout: string): unknown {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start));
  } catch {
    return undefined;
  }
}

/** A size for people: KiB below one MiB, else MiB with one decimal. */
export const mib = (bytes: number): string =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
