/**
 * `berth status --watch`: the rows, then each row again as systemd signals that its units changed
 * (coalesced), and all of them after a daemon-reload. It outlives the bus: when the bus daemon restarts it
 * connects again (ReconnectingBus) and, like each time systemd comes back on the bus (SystemdFollower),
 * reads everything once more and shows what changed meanwhile. It ends on SIGINT or SIGTERM.
 */
import type { ContainerEntry } from '../containers/inventory.js';
import { healthCheckUnitId } from '../containers/health.js';
import { collectStatus, type ContainerStatus } from '../containers/status.js';
import type { Bus, BusAddressOptions } from '../systemd/bus.js';
import { SystemdFollower } from '../systemd/follower.js';
import type { SystemdManager } from '../systemd/manager.js';
import { ReconnectingBus } from '../systemd/reconnecting-bus.js';
import type { StatusIO } from './status-command.js';
import { formatTable } from './status-table.js';

export interface WatchOptions extends BusAddressOptions {
  readonly json: boolean;
  readonly entries: ContainerEntry[];
  /** The definitions again, after a daemon-reload. */
  readonly reload: () => ContainerEntry[];
}

/** Re-reads are gathered for this long after a signal, so a burst of them costs one read. */
const COALESCE_MS = 50;

export async function watchStatus(opts: WatchOptions, io: StatusIO): Promise<number> {
  const log = (line: string): void => void io.err.write(`berth: ${line}\n`);
  const watch = new StatusWatch(opts, io, log);
  const connection = new ReconnectingBus({ ...opts, log }, { connected: (bus) => watch.follow(bus), dropped: () => void watch.unfollow() });
  await connection.connect();
  await (io.stopped ?? signalled());
  await connection.stop(async () => {
    await watch.unfollow();
    await watch.idle();
  });
  return 0;
}

function signalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

class StatusWatch {
  #entries: ContainerEntry[];
  readonly #rows = new Map<string, ContainerStatus>();
  readonly #byUnit = new Map<string, ContainerEntry>();
  /** Health is podman's; its checks run as transient units named after the container's ID. */
  readonly #ids = new Map<string, string>();
  readonly #byId = new Map<string, ContainerEntry>();
  #follower?: SystemdFollower;
  #shown = false;
  readonly #dirty = new Set<string>();
  #all = false;
  #timer?: NodeJS.Timeout;
  #running: Promise<void> = Promise.resolve();
  readonly #tty: boolean;

  constructor(
    private readonly opts: WatchOptions,
    private readonly io: StatusIO,
    private readonly log: (line: string) => void,
  ) {
    this.#entries = opts.entries;
    this.#tty = Boolean(io.out.isTTY) && !opts.json;
    this.#index();
  }

  /** Follows systemd on a new connection: every row is read (again) once it is followed. */
  async follow(bus: Bus): Promise<void> {
    const follower = new SystemdFollower(bus, { user: this.opts.user ?? false, log: this.log }, {
      attached: async () => {
        this.#all = true;
        this.#schedule();
      },
      unitChanged: (unit) => {
        const id = healthCheckUnitId(unit);
        const e = this.#byUnit.get(unit) ?? (id ? this.#byId.get(id) : undefined);
        if (!e) return;
        this.#dirty.add(e.name);
        this.#schedule();
      },
      reloading: (active) => {
        if (active) return;
        this.#all = true;
        this.#schedule();
      },
    });
    this.#follower = follower;
    await follower.start();
  }

  async unfollow(): Promise<void> {
    const follower = this.#follower;
    this.#follower = undefined;
    await follower?.close();
  }

  /** Waits for the read under way, and cancels the one planned. */
  async idle(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#running;
  }

  #index(): void {
    this.#byUnit.clear();
    for (const e of this.#entries) {
      this.#byUnit.set(e.unit, e);
      if (e.timer) this.#byUnit.set(e.timer, e);
    }
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#running.then(() => this.#refresh()).catch((err: unknown) => {
        this.log((err as Error).message);
      });
    }, COALESCE_MS);
  }

  async #refresh(): Promise<void> {
    const manager = this.#follower?.manager;
    if (!manager) return; // systemd is away; it is read in full when it is back
    if (this.#all) {
      this.#all = false;
      this.#dirty.clear();
      if (this.#shown) {
        this.#entries = this.opts.reload();
        this.#index();
      }
      const fresh = await this.#collect(manager, this.#entries);
      const changed = this.#changed(fresh);
      this.#rows.clear();
      for (const r of fresh) this.#rows.set(r.name, r);
      this.#show(changed, fresh);
      return;
    }
    const names = [...this.#dirty];
    this.#dirty.clear();
    const which = this.#entries.filter((e) => names.includes(e.name));
    if (which.length === 0) return;
    const fresh = await this.#collect(manager, which);
    const changed = this.#changed(fresh);
    for (const r of fresh) this.#rows.set(r.name, r);
    this.#show(changed, fresh);
  }

  async #collect(manager: SystemdManager, which: ContainerEntry[]): Promise<ContainerStatus[]> {
    const fresh = await collectStatus(manager, which, { ids: this.#ids });
    this.#byId.clear();
    for (const e of this.#entries) if (e.container && this.#ids.has(e.container)) this.#byId.set(this.#ids.get(e.container)!, e);
    return fresh;
  }

  #changed(fresh: ContainerStatus[]): ContainerStatus[] {
    return fresh.filter((r) => JSON.stringify(r) !== JSON.stringify(this.#rows.get(r.name)));
  }

  /** The first read shows every row; later ones only the rows that changed (a terminal: the whole table again). */
  #show(changed: ContainerStatus[], fresh: ContainerStatus[]): void {
    const out = this.io.out;
    if (!this.#shown) {
      this.#shown = true;
      if (this.opts.json) for (const r of fresh) out.write(JSON.stringify(r) + '\n');
      else out.write((this.#tty ? '\x1b[H\x1b[2J' : '') + formatTable(fresh));
      return;
    }
    if (changed.length === 0) return;
    if (this.opts.json) {
      for (const r of changed) out.write(JSON.stringify(r) + '\n');
    } else if (this.#tty) {
      out.write('\x1b[H\x1b[2J' + formatTable([...this.#rows.values()]));
    } else {
      const stamp = new Date().toISOString();
      for (const r of changed) out.write(`${stamp} ${formatTable([r]).split('\n')[1]}\n`);
    }
  }
}
