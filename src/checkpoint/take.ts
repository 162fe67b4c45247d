/**
 * `berth checkpoint NAME`: exports a CRIU checkpoint of the running container into the store, then applies
 * retention. Order matters for the guarantees: lock, check the space, export into the archive's private
 * temporary folder (read, checked and flushed as it is written), commit (only then does the archive count),
 * and only after that delete old archives.
 */
import { createHash } from 'node:crypto';
import type { CheckpointSettings } from '../compile/checkpoint-settings.js';
import { CheckpointError, EngineError } from '../errors.js';
import { Podman, type ContainerState } from '../engine/podman.js';
import { versionCacheDir } from '../engine/version-cache.js';
import { containerOf, type CheckpointedContainer } from './config-dump.js';
import { hostFacts, runtimeHere } from './host-facts.js';
import { CheckpointLock } from './lock.js';
import { CheckpointStore, type ArchiveInfo } from './store.js';

export interface TakeOptions {
  /** The unit name (web for web.service); names the archive folder. */
  readonly name: string;
  readonly container: string;
  readonly settings: CheckpointSettings;
  readonly user: boolean;
  readonly podman?: Podman;
  /**
   * Names the runtime folders, of the per-container locks (lockDir()) and of the remembered versions, and
   * holds the PATH criu is found on (default: this process's environment).
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting it stops the export (the container goes on) and fails the checkpoint; older archives stay. */
  readonly signal?: AbortSignal;
  /** Keep CRIU's images in the container's storage too (`berth adopt`: to put the container back as it was). */
  readonly keepLocal?: boolean;
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
  const { settings, env = process.env } = opts;
  /**
   * What to report for a failure: that the container does not run, when podman says so. Asked only then: the
   * export itself fails when the container does not run, and the manifest takes what it says about the
   * container from the archive (config-dump.ts), so a checkpoint that works runs no inspect. When podman
   * cannot answer either, the failure itself says more.
   */
  const refusal = async (err: unknown): Promise<unknown> => {
    let state: ContainerState | undefined;
    try {
      state = await podman.inspect(opts.container);
    } catch {
      return err;
    }
    return state?.running ? err : new CheckpointError('invalid', `container ${opts.container} (${opts.name}.service) is not running; nothing was written`);
  };
  const locks = lockDir(opts.user, env);
  const store = new CheckpointStore(settings.directory, opts.name);
  // The free space is looked at while the lock is taken: it only reads, and needs nothing from the lock.
  const [locked, space] = await Promise.allSettled([CheckpointLock.acquire(locks, opts.name), Promise.all([store.estimateNeed(), store.freeBytes()])]);
  if (locked.status === 'rejected') throw locked.reason;
  const lock = locked.value;
  try {
    // Only the manifest needs them, so they are found while the export runs; what cannot be told is
    // recorded as unknown rather than failing the checkpoint (host-facts.ts).
    const cacheDir = versionCacheDir(opts.user, env);
    const host = hostFacts(podman, cacheDir, env);
    if (space.status === 'rejected') throw space.reason;
    const [last, free] = space.value;
    const need = Math.max(MIN_FREE, last * SPACE_FACTOR);
    if (free < need) {
      const why = `${last > 0 ? `${SPACE_FACTOR} × the last archive's ${mib(last)}, and ` : ''}at least ${mib(MIN_FREE)}`;
      throw await refusal(new CheckpointError('invalid', `only ${mib(free)} free in ${store.dir}, but a checkpoint needs ${mib(need)} (${why}); nothing was written`));
    }
    const started = Date.now();
    const pending = await store.prepare(settings.compress);
    let stats: unknown;
    let container: CheckpointedContainer;
    try {
      const exporting = podman.checkpoint(opts.container, pending.tmpPath, { ...settings, keep: opts.keepLocal ?? false }, opts.signal);
      pending.follow(exporting);
      try {
        stats = parseStats(await exporting);
      } catch (err) {
        throw await refusal(err instanceof EngineError ? err : new EngineError([podman.binary, 'container', 'checkpoint'], undefined, String(err)));
      }
      container = containerOf((await pending.checked()).configDump, pending.finalPath);
    } catch (err) {
      await pending.abort();
      throw err;
    }
    const { podmanVersion, criuVersion, ...machine } = await host;
    const runtime = await runtimeHere(container.network.runtime, cacheDir, env);
    // Committed, recorded and retention applied (Keep=, MaxTotalSize=) with one write of berth's record.
    return await store
      .commit(pending, {
        name: opts.name,
        container: opts.container,
        containerId: container.id,
        image: container.image,
        unit: `${opts.name}.service`,
        podmanVersion,
        criuVersion,
        durationMs: Date.now() - started,
        leaveRunning: settings.leaveRunning,
        tcpEstablished: settings.tcpEstablished,
        fileLocks: settings.fileLocks,
        runHash: runHash(container.createCommand),
        ...(stats !== undefined ? { stats } : {}),
        facts: { ...machine, runtimeVersion: runtime.version, ...container.network },
      }, { keep: settings.keep, ...(settings.maxTotalSize !== undefined ? { maxTotalSize: settings.maxTotalSize } : {}) })
      .catch(async (err: unknown) => {
        await pending.abort();
        throw err;
      });
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
