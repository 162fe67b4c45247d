/**
 * The agent where systemd runs the units: the live state comes from systemd's signals (SystemdFollower),
 * with a full read whenever the agent attaches to systemd (start, reconnect, systemd back on the bus) and
 * after each daemon-reload, and re-reads of only the units whose values systemd invalidated. Timers run the
 * [Checkpoint] schedules; the agent reports how each timer-driven run ended. Restores go through the unit.
 */
import { restoreUnit } from '../checkpoint/restore.js';
import { lockDir, runtimeDir } from '../checkpoint/take.js';
import { loadInventory, type CheckpointedEntry, type ContainerEntry } from '../containers/inventory.js';
import type { LiveContainer } from '../containers/live-containers.js';
import { lastCheckpoint, timerNext } from '../containers/status.js';
import type { ListedContainer } from '../engine/podman.js';
import { BusError } from '../errors.js';
import type { Bus } from '../systemd/bus.js';
import { SystemdFollower } from '../systemd/follower.js';
import type { SystemdManager } from '../systemd/manager.js';
import { SYSTEMD_NAME, type ServiceStatus, type TimerStatus } from '../systemd/properties.js';
import { BusUnitControl } from '../systemd/unit-control.js';
import { AgentError, ERRORS, ownContainer } from './interface.js';
import type { Mode, ModeContext } from './mode.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** A state nobody has read yet (systemd was not on the bus when the agent had to answer). */
function unread(entry: ContainerEntry): ServiceStatus {
  return { unit: entry.unit, path: '', loadState: '', activeState: 'inactive', subState: 'dead', result: '', mainPid: 0, restarts: 0, since: null };
}

export class SystemdMode implements Mode {
  readonly name = 'systemd';
  #follower?: SystemdFollower;
  #stopped = false;

  // Re-reads: one full refresh or one stale drain at a time, again if more was asked meanwhile.
  #refreshWanted = false;
  #reading: Promise<void> | undefined;
  /** Units that got signals while a read was out: the read may be older than the signal, which wins. */
  #touched = new Set<string>();
  #readingNow = false;

  /** NAME-checkpoint.service → its container, and when its current run started. */
  #checkpointRuns = new Map<string, { name: string; since?: number }>();
  constructor(private readonly ctx: ModeContext) {}

  async start(): Promise<void> {}

  manager(): SystemdManager | undefined {
    return this.#follower?.manager;
  }

  async attach(bus: Bus): Promise<void> {
    const follower = new SystemdFollower(bus, { user: this.ctx.user, log: (l) => this.ctx.log(l) }, {
      attached: async () => {
        this.ctx.log(`following systemd (${String(await bus.nameOwner(SYSTEMD_NAME).catch(() => '?'))})`);
        this.#requestRefresh();
        await Promise.all([this.#reading, this.ctx.readDefinitions()]);
      },
      unitChanged: (unit, iface, changed, invalidated) => this.#unitChanged(unit, iface, changed, invalidated),
      unitRemoved: (unit) => this.ctx.live.removed(unit),
      reloading: (active) => {
        if (active) return;
        this.#requestRefresh();
        void this.ctx.readDefinitions();
      },
    });
    this.#follower = follower;
    await follower.start();
    // Without systemd there is nothing to read yet, but the definitions are known: serve them.
    if (this.ctx.live.size === 0 && !follower.manager) this.#place(this.#inventory());
  }

  detach(bus: Bus): void {
    if (this.#follower?.bus !== bus) return;
    void this.#follower.close();
    this.#follower = undefined;
  }

  async reload(): Promise<void> {
    this.#requestRefresh();
    await this.#reading;
  }

  async settled(): Promise<void> {
    await this.#reading;
  }

  listContainers(): Promise<readonly ListedContainer[]> {
    return this.ctx.podman.list();
  }

  nextCheckpoint(c: LiveContainer): Date | null {
    return timerNext(c.timer);
  }

  async restore(entry: CheckpointedEntry, archive: string): Promise<string> {
    const manager = this.#follower?.manager;
    if (!manager) throw new AgentError(ERRORS.notSupported, 'restoring needs systemd on the bus (the unit runs the restore)');
    const used = await restoreUnit({
      name: entry.name,
      container: ownContainer(entry),
      podman: this.ctx.podman,
      directory: entry.checkpoint.directory,
      ...(archive ? { archive } : {}),
      runtimeDir: runtimeDir(this.ctx.user, this.ctx.env),
      lockDir: lockDir(this.ctx.user, this.ctx.env),
      systemctl: new BusUnitControl(manager),
    });
    return used.archive.path;
  }

  checkpointTaken(): void {}

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#follower?.close();
    this.#follower = undefined;
    await this.#reading?.catch(() => undefined);
  }

  #inventory(): ContainerEntry[] {
    const inventory = loadInventory({ user: this.ctx.user, ...(this.ctx.env ? { env: this.ctx.env } : {}) });
    for (const e of inventory.errors) this.ctx.log(`${e.message} (not served)`);
    return inventory.containers;
  }

  #place(entries: ContainerEntry[], services: readonly ServiceStatus[] = entries.map(unread), timers: readonly TimerStatus[] = []): void {
    this.ctx.live.replace(entries, services, new Map(timers.map((t) => [t.unit, t])), this.#touched);
    this.#checkpointRuns = new Map(entries.filter((e) => e.checkpoint).map((e) => [`${e.name}-checkpoint.service`, { name: e.name }]));
    this.ctx.invalidate();
    // Health (and the IDs its check units are named after) before anyone asks.
    if (entries.some((e) => e.healthCheck)) void this.ctx.health.read();
  }

  #unitChanged(unit: string, iface: string, changed: Record<string, unknown>, invalidated: string[]): void {
    if (this.#readingNow) this.#touched.add(unit);
    if (iface.endsWith('.Unit')) this.#unitStates(unit, changed);
    const live = this.ctx.live;
    if (live.apply(unit, iface, changed, invalidated)) {
      if (live.stale.size > 0) this.#read();
      return;
    }
    if (!iface.endsWith('.Unit') || !('ActiveState' in changed)) return;
    const active = String(changed['ActiveState']);
    const run = this.#checkpointRuns.get(unit);
    if (run) this.#checkpointUnitState(run, active);
    else if ((active === 'inactive' || active === 'failed') && this.ctx.health.isCheck(unit)) {
      this.ctx.health.invalidate();
      void this.ctx.health.read();
    }
  }

  /** Passes on what a unit's signal says of its states (the Definitions follow them). */
  #unitStates(unit: string, changed: Record<string, unknown>): void {
    const [load, active, sub] = ['LoadState', 'ActiveState', 'SubState'].map((k) => (k in changed ? String(changed[k]) : undefined));
    if (load === undefined && active === undefined && sub === undefined) return;
    this.ctx.unitStateChanged(unit, { ...(load !== undefined ? { load } : {}), ...(active !== undefined ? { active } : {}), ...(sub !== undefined ? { sub } : {}) });
  }

  #requestRefresh(): void {
    this.#refreshWanted = true;
    this.#read();
  }

  /** Runs reads one after the other until nothing more is wanted. */
  #read(): void {
    if (this.#reading) return;
    this.#reading = (async () => {
      // Let a burst of signals land first.
      await sleep(10);
      const live = this.ctx.live;
      for (let manager = this.#follower?.manager; !this.#stopped && manager && (this.#refreshWanted || live.stale.size > 0); manager = this.#follower?.manager) {
        this.#readingNow = true;
        this.#touched.clear();
        try {
          if (this.#refreshWanted) {
            this.#refreshWanted = false;
            await this.#refreshAll(manager);
          } else if (!(await this.#readUnits(manager, [...live.stale]))) {
            await sleep(100); // every unit changed again while it was read: let it settle
          }
        } catch (err) {
          if (err instanceof BusError && err.code === 'disconnected') break;
          this.ctx.log(`reading systemd's state failed: ${(err as Error).message}`);
          await sleep(500);
        } finally {
          this.#readingNow = false;
        }
      }
    })().finally(() => {
      this.#reading = undefined;
      // A refresh asked for while this loop was ending (it broke off on a lost connection) still runs.
      if (this.#refreshWanted && this.#follower?.manager && !this.#stopped) this.#read();
    });
  }

  async #refreshAll(manager: SystemdManager): Promise<void> {
    const entries = this.#inventory();
    const timers = entries.flatMap((e) => (e.timer ? [e.timer] : []));
    const read = await manager.readUnits(entries.map((e) => e.unit), timers);
    this.#place(entries, read.services, read.timers);
  }

  /** Re-reads units; a unit that got a signal meanwhile keeps what the signal said. Returns whether any was updated. */
  async #readUnits(manager: SystemdManager, units: string[]): Promise<boolean> {
    const live = this.ctx.live;
    const services = units.filter((u) => live.owner(u)?.entry.unit === u);
    const timers = units.filter((u) => live.owner(u)?.entry.timer === u);
    const read = await manager.readUnits(services, timers);
    let updated = false;
    for (const s of [...read.services, ...read.timers]) {
      if (this.#touched.has(s.unit)) continue;
      live.update(s);
      updated = true;
    }
    return updated || units.length === 0;
  }

  /** A timer-driven NAME-checkpoint.service ran: say how it ended (a skipped run, container not running, is not reported). */
  #checkpointUnitState(run: { name: string; since?: number }, active: string): void {
    if (active === 'activating' || active === 'active') {
      run.since ??= Date.now();
      return;
    }
    if ((active !== 'inactive' && active !== 'failed') || run.since === undefined) return;
    const since = run.since;
    run.since = undefined;
    const c = this.ctx.live.get(run.name);
    if (!c) return;
    void lastCheckpoint(c.entry).then(({ last }) => {
      const fresh = last && Date.parse(last.at) >= since - 2000;
      if (fresh) this.ctx.checkpointFinished(run.name, last.valid, last.path, last.valid ? '' : (last.problem ?? 'invalid archive'));
      else if (active === 'failed') this.ctx.checkpointFinished(run.name, false, '', `${run.name}-checkpoint.service failed`);
    });
  }
}
