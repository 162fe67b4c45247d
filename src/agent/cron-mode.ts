/**
 * The agent where no systemd runs the units (a container, some WSL setups): it runs the [Checkpoint]
 * schedules itself (schedule.ts), reads the containers' states and health from one `podman ps` every 10 s
 * and after each checkpoint, and restores with podman alone, under the container's own name. A bus is
 * optional here: without one the schedules still run.
 */
import { restoreInPlace } from '../checkpoint/restore.js';
import { lockDir } from '../checkpoint/take.js';
import { loadInventory, type CheckpointedEntry, type ContainerEntry } from '../containers/inventory.js';
import type { LiveContainer } from '../containers/live-containers.js';
import type { ListedContainer } from '../engine/podman.js';
import type { ServiceStatus } from '../systemd/properties.js';
import { ownContainer } from './interface.js';
import type { Mode, ModeContext } from './mode.js';
import { CronScheduler } from './schedule.js';

const POLL_MS = 10_000;

/** A container's state as podman lists it, in the shape systemd's would have (load state "podman"). */
function podmanStatus(e: ContainerEntry, listed: ListedContainer | undefined): ServiceStatus {
  return {
    unit: e.unit,
    path: '',
    loadState: 'podman',
    activeState: listed?.state === 'running' ? 'active' : 'inactive',
    subState: listed?.state ?? 'absent',
    result: 'success',
    mainPid: listed?.pid ?? 0,
    restarts: 0,
    since: null,
  };
}

export class CronMode implements Mode {
  readonly name = 'cron';
  #scheduler?: CronScheduler;
  #timer?: NodeJS.Timeout;
  constructor(private readonly ctx: ModeContext) {}

  /** No systemd here. */
  manager(): undefined {
    return undefined;
  }

  async start(): Promise<void> {
    const inventory = loadInventory({ user: this.ctx.user, ...(this.ctx.env ? { env: this.ctx.env } : {}) });
    for (const e of inventory.errors) this.ctx.log(`${e.message} (not scheduled)`);
    const scheduler = new CronScheduler({
      run: async (entry) => {
        await this.ctx.checkpoint(entry).catch(() => undefined);
      },
      log: (line) => this.ctx.log(line),
    });
    this.#scheduler = scheduler;
    await scheduler.schedule(inventory.containers);
    this.ctx.log(`${scheduler.count} checkpoint schedule(s) for ${inventory.containers.filter((c) => scheduler.has(c.name)).length} container(s)`);
    this.ctx.live.replace(inventory.containers, inventory.containers.map((e) => podmanStatus(e, undefined)), new Map());
    await this.#poll();
    this.#timer = setInterval(() => void this.#poll(), POLL_MS);
    this.#timer.unref();
  }

  async attach(): Promise<void> {}

  detach(): void {}

  async reload(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Nothing to wait for: states come with the next poll, whenever asked. */
  async settled(): Promise<void> {}

  /** One `podman ps` for states and health alike; the states are taken here, the caller takes health. */
  async listContainers(): Promise<readonly ListedContainer[]> {
    let listed: ListedContainer[];
    try {
      listed = await this.ctx.podman.list();
    } catch {
      return []; // podman cannot be asked: the states stay as they were
    }
    const byName = new Map(listed.map((c) => [c.name, c]));
    for (const c of this.ctx.live.list()) this.ctx.live.update(podmanStatus(c.entry, c.entry.container ? byName.get(c.entry.container) : undefined));
    return listed;
  }

  nextCheckpoint(c: LiveContainer): Date | null {
    return this.#scheduler?.next(c.entry.name) ?? null;
  }

  async restore(entry: CheckpointedEntry, archive: string): Promise<string> {
    const container = ownContainer(entry);
    try {
      const used = await restoreInPlace({
        name: entry.name,
        container,
        directory: entry.checkpoint.directory,
        ...(archive ? { archive } : {}),
        podman: this.ctx.podman,
        lockDir: lockDir(this.ctx.user, this.ctx.env),
        log: (line) => this.ctx.log(`restore of ${entry.name}: ${line}`),
      });
      return used.path;
    } finally {
      void this.#poll();
    }
  }

  checkpointTaken(): void {
    void this.#poll();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#scheduler?.stop();
  }

  async #poll(): Promise<void> {
    this.ctx.health.take(await this.listContainers());
  }
}
