/**
 * `berth agent`: owns io.berth.Manager1 on the system bus (or the user's), serves the containers' state
 * from a model kept current by systemd's signals (model.ts), and takes and restores checkpoints on request.
 *
 * Lifecycle of one connection: export the object and ask for the name in the same write as Hello (after a
 * bus restart, systemd checks who owns the BusName= of a Type=dbus unit as soon as it is back on the bus;
 * the agent must own it again by then), then watch for systemd on the bus and, whenever it is there,
 * Subscribe() and read everything once. When the connection drops the agent reconnects (50 ms, doubling to
 * 2 s) and does it all again; the process never restarts for it.
 *
 * Where no systemd runs (scheduler "cron"), the agent runs the [Checkpoint] schedules itself (schedule.ts)
 * and reads container states from podman, every 10 s and after each checkpoint; a bus is then optional.
 */
import type * as DBus from 'dbus-next';
import { existsSync } from 'node:fs';
import { CheckpointStore } from '../checkpoint/store.js';
import { runtimeDir, takeCheckpoint } from '../checkpoint/take.js';
import { restoreUnit } from '../checkpoint/restore.js';
import { podmanPath } from '../engine/podman-version.js';
import { BusError } from '../errors.js';
import { Bus, dbusNext, DBUS_IFACE, type SignalMessage } from '../systemd/bus.js';
import { SYSTEMD_OWNER_RULE, SystemdManager, type Subscription } from '../systemd/manager.js';
import { SYSTEMD_NAME, type ServiceStatus, type TimerStatus } from '../systemd/properties.js';
import { BusUnitControl } from '../systemd/unit-control.js';
import {
  AGENT_NAME,
  AGENT_PATH,
  AgentError,
  createManagerInterface,
  ERRORS,
  invalidateContainers,
  type AgentBackend,
  type CheckpointStruct,
  type ContainerStruct,
  type ManagerInterface,
} from './interface.js';
import { healthCheckUnitId, podmanHealth, type PodmanHealth } from '../containers/health.js';
import { loadInventory, type ContainerEntry } from '../containers/inventory.js';
import { LiveContainers, sinceOf, type LiveContainer } from '../containers/live-containers.js';
import { lastCheckpoint } from '../containers/status.js';
import { Podman } from '../engine/podman.js';
import { CronScheduler } from './schedule.js';

export type SchedulerMode = 'auto' | 'systemd' | 'cron';

export interface AgentOptions {
  readonly user?: boolean;
  /** A bus address instead of the system (or user) bus. */
  readonly address?: string;
  readonly scheduler?: SchedulerMode;
  readonly version: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Longest pause between reconnection attempts (default 2000 ms). */
  readonly reconnectMaxMs?: number;
  /** How long health read from podman is reused (default 5000 ms). */
  readonly healthTtlMs?: number;
}

const REQUEST_NAME_DO_NOT_QUEUE = 4;
const LAST_CHECKPOINT_TTL_MS = 2000;
const PRIMARY_OWNER = 1;
const ALREADY_OWNER = 4;

const toUsec = (d: Date | null | undefined): bigint => (d ? BigInt(d.getTime()) * 1000n : 0n);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** Whether systemd runs the manager the agent would talk to (sd_booted(3); for --user, the user manager's socket). */
export function systemdRuns(user: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!user) return existsSync('/run/systemd/system');
  const runtime = env['XDG_RUNTIME_DIR'] || `/run/user/${process.getuid?.() ?? 0}`;
  return existsSync(`${runtime}/systemd/private`);
}

export class Agent implements AgentBackend {
  readonly version: string;
  readonly mode: 'systemd' | 'cron';
  readonly user: boolean;
  readonly #opts: AgentOptions;
  readonly #log: (line: string) => void;
  readonly #iface: ManagerInterface;
  readonly #model: LiveContainers;
  #scheduler?: CronScheduler;
  #bus?: Bus;
  #manager?: SystemdManager;
  #subscription?: Subscription;
  #stopped = false;
  #fatal?: (err: Error) => void;
  /** Resolves when stop() is done; rejects when the agent cannot go on (another owner of the name, policy). */
  readonly done: Promise<void>;
  #resolveDone!: () => void;

  // Re-reads: one full refresh or one stale drain at a time, again if more was asked meanwhile.
  #refreshWanted = false;
  #reading: Promise<void> | undefined;
  /** Units that got signals while a read was out: the read may be older than the signal, which wins. */
  #touched = new Set<string>();
  #readingNow = false;
  #invalidatePending = false;

  #health = new Map<string, PodmanHealth>();
  /** Container ID → name, for the transient units podman runs health checks as. */
  #healthIds = new Map<string, string>();
  #healthAt = 0;
  #healthReading?: Promise<void>;

  /** NAME-checkpoint.service → its container, and when its current run started. */
  #checkpointRuns = new Map<string, { name: string; since?: number }>();
  #lastCheckpoints = new Map<string, { at: number; value: ReturnType<typeof lastCheckpoint> }>();
  #podmanTimer?: NodeJS.Timeout;
  #reconnecting = false;
  /** Attaching to systemd, one after the other (at start, and whenever systemd comes back on the bus). */
  #attaching: Promise<void> = Promise.resolve();

  constructor(opts: AgentOptions) {
    this.#opts = opts;
    this.version = opts.version;
    this.user = opts.user ?? false;
    this.#log = opts.log ?? ((line) => process.stderr.write(`berth agent: ${line}\n`));
    const wanted = opts.scheduler ?? 'auto';
    this.mode = wanted === 'auto' ? (systemdRuns(this.user, opts.env) ? 'systemd' : 'cron') : wanted;
    this.#model = new LiveContainers((c, before) => this.#stateChanged(c, before));
    this.#iface = createManagerInterface(this);
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#fatal = (err) => {
        reject(err);
        void this.stop();
      };
    });
    this.done.catch(() => undefined);
  }

  /** The exported interface (tests call its signal methods' emission through the bus). */
  get iface(): ManagerInterface {
    return this.#iface;
  }

  /** Connected and owning the name (systemd mode), or scheduling (cron mode). */
  get serving(): boolean {
    return this.#bus !== undefined && !this.#bus.closed;
  }

  /**
   * Starts serving. In systemd mode a first connection must succeed (a Type=dbus unit starts after the
   * bus); later losses are reconnected. In cron mode a missing bus only means nothing is served over it.
   */
  async start(): Promise<void> {
    this.#log(`starting (${this.mode} mode, ${this.user ? "the user's bus" : 'the system bus'})`);
    if (this.mode === 'cron') {
      await this.#startCron();
      try {
        await this.#connect();
      } catch (err) {
        if (!(err instanceof BusError) || err.code !== 'unavailable') throw err;
        this.#log(`no D-Bus here; running the schedules without serving ${AGENT_NAME}, and trying the bus again now and then`);
        void this.#reconnect(30_000, true);
      }
      return;
    }
    await this.#connect();
  }

  /** Reads the definitions again (SIGHUP): systemd mode re-reads everything, cron mode reschedules. */
  async reload(): Promise<void> {
    if (this.mode === 'systemd') {
      this.#requestRefresh();
      await this.#reading;
      return;
    }
    clearInterval(this.#podmanTimer);
    await this.#scheduler?.stop();
    await this.#startCron();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#podmanTimer);
    await this.#scheduler?.stop();
    const bus = this.#bus;
    this.#bus = undefined;
    if (bus && !bus.closed) {
      await this.#subscription?.close().catch(() => undefined);
      await bus.releaseName(AGENT_NAME).catch(() => undefined);
      try {
        bus.raw.unexport(AGENT_PATH, this.#iface);
      } catch {
        /* not exported */
      }
      await bus.close();
    }
    await this.#reading?.catch(() => undefined);
    this.#resolveDone();
  }

  // -------------------------------------------------------------------------------------------------
  // Connection

  async #connect(): Promise<void> {
    let nameReply: Promise<number> | undefined;
    const bus = await Bus.connect({
      ...(this.user ? { user: true } : {}),
      ...(this.#opts.address ? { address: this.#opts.address } : {}),
      ...(this.#opts.env ? { env: this.#opts.env } : {}),
      prepare: (raw) => {
        raw.export(AGENT_PATH, this.#iface);
        nameReply = raw.requestName(AGENT_NAME, REQUEST_NAME_DO_NOT_QUEUE);
        nameReply.catch(() => undefined);
      },
    });
    const unexport = (): void => {
      try {
        bus.raw.unexport(AGENT_PATH, this.#iface);
      } catch {
        /* already */
      }
    };
    let reply: number;
    try {
      reply = await Promise.race([
        nameReply!,
        sleep(bus.timeoutMs).then(() => Promise.reject(new BusError('timeout', `no answer to RequestName(${AGENT_NAME})`))),
      ]);
    } catch (err) {
      unexport();
      await bus.close();
      const e = err as { type?: string; text?: string };
      if (e.type) throw new BusError('remote', `cannot own ${AGENT_NAME}: ${e.type}: ${e.text ?? ''}`, e.type);
      throw err;
    }
    if (reply !== PRIMARY_OWNER && reply !== ALREADY_OWNER) {
      unexport();
      await bus.close();
      throw new BusError('remote', `${AGENT_NAME} is owned by another process (is another berth agent running?)`);
    }
    if (this.#stopped) {
      unexport();
      await bus.close();
      return;
    }
    this.#bus = bus;
    bus.onDisconnect((err) => {
      unexport();
      if (this.#bus === bus) {
        this.#bus = undefined;
        this.#manager = undefined;
        this.#subscription = undefined;
      }
      if (this.#stopped) return;
      this.#log(`lost the bus${err ? ` (${err.message})` : ''}; reconnecting`);
      void this.#reconnect(this.#opts.reconnectMaxMs ?? 2000);
    });
    this.#log(`serving ${AGENT_NAME} at ${AGENT_PATH} as ${bus.uniqueName}`);
    if (this.mode === 'systemd') await this.#watchSystemd(bus);
  }

  async #reconnect(maxMs: number, quiet = false): Promise<void> {
    // One loop at a time: a second one would find the name taken, by this very agent.
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      await this.#reconnectLoop(maxMs, quiet);
    } finally {
      this.#reconnecting = false;
    }
  }

  async #reconnectLoop(maxMs: number, quiet: boolean): Promise<void> {
    let delay = 50;
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await this.#connect();
        if (this.#bus) this.#log(`reconnected after ${attempt} attempt(s)`);
        return;
      } catch (err) {
        if (err instanceof BusError && err.code === 'remote') {
          // The name is taken or the policy refuses it: waiting will not help.
          this.#log(err.message);
          this.#fatal?.(err);
          return;
        }
        if ((!quiet && attempt <= 3) || attempt % 20 === 0) this.#log(`reconnecting (attempt ${attempt}): ${(err as Error).message}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxMs);
    }
  }

  /**
   * Follows systemd whenever it is on the bus: at once if it is, and each time it comes back. Never throws:
   * a failure on a live connection is tried again (the name stays owned meanwhile: systemd stops a
   * Type=dbus unit whose name goes away); a lost connection is the reconnection's business.
   */
  async #watchSystemd(bus: Bus): Promise<void> {
    bus.onSignal((s) => this.#onBusSignal(bus, s));
    for (let delay = 500; !this.#stopped && this.#bus === bus && !bus.closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        if (!bus.matchRules().includes(SYSTEMD_OWNER_RULE)) await bus.addMatch(SYSTEMD_OWNER_RULE);
        if (await bus.nameOwner(SYSTEMD_NAME)) await this.#attachSystemd(bus);
        else this.#log(`${SYSTEMD_NAME} is not on the bus yet; waiting for it`);
        return;
      } catch (err) {
        if (bus.closed) return;
        this.#log(`following systemd failed (${(err as Error).message}); trying again in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  #onBusSignal(bus: Bus, s: SignalMessage): void {
    if (s.interface !== DBUS_IFACE || s.member !== 'NameOwnerChanged' || s.body[0] !== SYSTEMD_NAME) return;
    const owner = String(s.body[2] ?? '');
    if (owner) {
      this.#attachSystemd(bus).catch((err: unknown) => this.#log(`following systemd failed: ${(err as Error).message}`));
    } else {
      // Nobody to unsubscribe from; the rules go, and come back with the next subscription.
      const old = this.#subscription;
      this.#subscription = undefined;
      void old?.close({ unsubscribe: false });
      this.#log('systemd left the bus');
    }
  }

  #attachSystemd(bus: Bus): Promise<void> {
    const next = this.#attaching.catch(() => undefined).then(() => this.#attachNow(bus));
    this.#attaching = next;
    return next;
  }

  async #attachNow(bus: Bus): Promise<void> {
    if (this.#bus !== bus || bus.closed || this.#stopped) return;
    const manager = new SystemdManager(bus, { user: this.user });
    this.#manager = manager;
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = undefined;
    this.#subscription = await manager.subscribe({
      unitChanged: (unit, iface, changed, invalidated) => this.#unitChanged(unit, iface, changed, invalidated),
      unitRemoved: (unit) => this.#model.removed(unit),
      reloading: (active) => {
        if (!active) this.#requestRefresh();
      },
    });
    this.#log(`following systemd (${String(await bus.nameOwner(SYSTEMD_NAME).catch(() => '?'))})`);
    this.#requestRefresh();
    await this.#reading;
  }

  // -------------------------------------------------------------------------------------------------
  // The model

  #unitChanged(unit: string, iface: string, changed: Record<string, unknown>, invalidated: string[]): void {
    if (this.#readingNow) this.#touched.add(unit);
    if (this.#model.apply(unit, iface, changed, invalidated)) {
      if (this.#model.stale.size > 0) this.#requestDrain();
      return;
    }
    const run = this.#checkpointRuns.get(unit);
    if (run && iface.endsWith('.Unit') && 'ActiveState' in changed) this.#checkpointUnitState(unit, run, String(changed['ActiveState']));
    const id = healthCheckUnitId(unit);
    if (id && this.#healthIds.has(id) && iface.endsWith('.Unit') && (changed['ActiveState'] === 'inactive' || changed['ActiveState'] === 'failed')) {
      this.#healthAt = 0;
      void this.#readHealth();
    }
  }

  #stateChanged(c: LiveContainer, before: { active: string; sub: string }): void {
    const s = c.service;
    if (this.#bus && !this.#bus.closed) {
      this.#iface.ContainerStateChanged(c.entry.name, s.active, s.sub, s.result, s.mainPid);
      if (!this.#invalidatePending) {
        this.#invalidatePending = true;
        queueMicrotask(() => {
          this.#invalidatePending = false;
          if (this.#bus && !this.#bus.closed) invalidateContainers(this.#iface);
        });
      }
    }
    if (before.active !== s.active || before.sub !== s.sub) this.#healthAt = 0;
  }

  #requestRefresh(): void {
    this.#refreshWanted = true;
    this.#read();
  }

  #requestDrain(): void {
    this.#read();
  }

  /** Runs reads one after the other until nothing more is wanted. */
  #read(): void {
    if (this.#reading) return;
    this.#reading = (async () => {
      // Let a burst of signals land first.
      await new Promise((r) => setTimeout(r, 10));
      while (!this.#stopped && this.#manager && (this.#refreshWanted || this.#model.stale.size > 0)) {
        const manager = this.#manager;
        this.#readingNow = true;
        this.#touched.clear();
        try {
          if (this.#refreshWanted) {
            this.#refreshWanted = false;
            await this.#refreshAll(manager);
          } else if (!(await this.#readUnits(manager, [...this.#model.stale]))) {
            await sleep(100); // every unit changed again while it was read: let it settle
          }
        } catch (err) {
          if (!(err instanceof BusError && err.code === 'disconnected')) this.#log(`reading systemd's state failed: ${(err as Error).message}`);
          if (err instanceof BusError && err.code === 'disconnected') break;
          await sleep(500);
        } finally {
          this.#readingNow = false;
        }
      }
    })().finally(() => {
      this.#reading = undefined;
    });
  }

  async #refreshAll(manager: SystemdManager): Promise<void> {
    const inventory = loadInventory({ user: this.user, ...(this.#opts.env ? { env: this.#opts.env } : {}) });
    for (const e of inventory.errors) this.#log(`${e.message} (not served)`);
    const entries = inventory.containers;
    const timers = entries.flatMap((e) => (e.timer ? [e.timer] : []));
    const { services, timers: timerStates } = await manager.readUnits(entries.map((e) => e.unit), timers);
    this.#model.replace(entries, services, new Map(timerStates.map((t) => [t.unit, t])), this.#touched);
    this.#checkpointRuns = new Map(entries.filter((e) => e.checkpoint).map((e) => [`${e.name}-checkpoint.service`, { name: e.name }]));
    if (this.#bus && !this.#bus.closed) invalidateContainers(this.#iface);
    // Health (and the IDs its check units are named after) before anyone asks.
    if (entries.some((e) => e.healthCheck)) void this.#readHealth();
  }

  /** Re-reads units; a unit that got a signal meanwhile keeps what the signal said. Returns whether any was updated. */
  async #readUnits(manager: SystemdManager, units: string[]): Promise<boolean> {
    const services = units.filter((u) => this.#model.owner(u)?.entry.unit === u);
    const timers = units.filter((u) => this.#model.owner(u)?.entry.timer === u);
    const read = await manager.readUnits(services, timers);
    let updated = false;
    for (const s of [...read.services, ...read.timers] as Array<ServiceStatus | TimerStatus>) {
      if (this.#touched.has(s.unit)) continue;
      this.#model.update(s);
      updated = true;
    }
    return updated || units.length === 0;
  }

  /** A timer-driven NAME-checkpoint.service ran: say how it ended (a skipped run, container not running, is not reported). */
  #checkpointUnitState(_unit: string, run: { name: string; since?: number }, active: string): void {
    if (active === 'activating' || active === 'active') {
      run.since ??= Date.now();
      return;
    }
    if ((active !== 'inactive' && active !== 'failed') || run.since === undefined) return;
    const since = run.since;
    run.since = undefined;
    this.#lastCheckpoints.delete(run.name);
    const c = this.#model.get(run.name);
    if (!c) return;
    void lastCheckpoint(c.entry).then(({ last }) => {
      const fresh = last && Date.parse(last.at) >= since - 2000;
      if (fresh) this.#checkpointFinished(run.name, last.valid, last.path, last.valid ? '' : (last.problem ?? 'invalid archive'));
      else if (active === 'failed') this.#checkpointFinished(run.name, false, '', `${run.name}-checkpoint.service failed`);
    });
  }

  /**
   * The newest archive, read at most every LAST_CHECKPOINT_TTL_MS per container (and again at once after a
   * checkpoint the agent sees finish): GetContainer is then answered from memory, in one go, which also keeps
   * a burst of calls from holding thousands of objects across disk reads.
   */
  #lastCheckpoint(entry: ContainerEntry): Promise<Awaited<ReturnType<typeof lastCheckpoint>>> {
    const cached = this.#lastCheckpoints.get(entry.name);
    if (cached && Date.now() - cached.at < LAST_CHECKPOINT_TTL_MS) return cached.value;
    const value = lastCheckpoint(entry);
    this.#lastCheckpoints.set(entry.name, { at: Date.now(), value });
    return value;
  }

  #checkpointFinished(name: string, ok: boolean, archive: string, error: string): void {
    this.#lastCheckpoints.delete(name);
    if (this.#bus && !this.#bus.closed) this.#iface.CheckpointFinished(name, ok, archive, error);
    this.#log(ok ? `checkpoint of ${name}: ${archive}` : `checkpoint of ${name} failed: ${error}`);
  }

  // -------------------------------------------------------------------------------------------------
  // Cron mode

  async #startCron(): Promise<void> {
    const inventory = loadInventory({ user: this.user, ...(this.#opts.env ? { env: this.#opts.env } : {}) });
    for (const e of inventory.errors) this.#log(`${e.message} (not scheduled)`);
    this.#scheduler = new CronScheduler({
      run: async (entry) => {
        await this.#takeCheckpoint(entry).catch(() => undefined);
      },
      log: (line) => this.#log(line),
    });
    await this.#scheduler.schedule(inventory.containers);
    this.#log(`${this.#scheduler.count} checkpoint schedule(s) for ${inventory.containers.filter((c) => this.#scheduler!.has(c.name)).length} container(s)`);
    this.#model.replace(inventory.containers, inventory.containers.map((e) => this.#podmanStatus(e, undefined)), new Map());
    await this.#readPodman();
    this.#podmanTimer = setInterval(() => void this.#readPodman(), 10_000);
    this.#podmanTimer.unref();
  }

  #podmanStatus(e: ContainerEntry, state: { running: boolean; status: string; pid: number } | undefined): ServiceStatus {
    return {
      unit: e.unit,
      path: '',
      loadState: 'podman',
      activeState: state ? (state.running ? 'active' : 'inactive') : 'inactive',
      subState: state?.status ?? 'absent',
      result: 'success',
      mainPid: state?.pid ?? 0,
      restarts: 0,
      since: null,
    };
  }

  /** Cron mode: container states from one `podman ps -a`. */
  async #readPodman(): Promise<void> {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve) => {
      execFile(podmanPath(this.#opts.env), ['ps', '-a', '--format', 'json'], { timeout: 30_000, maxBuffer: 64 << 20 }, (err, stdout) => resolve(err ? '' : stdout));
    });
    if (!out) return;
    let list: Array<{ Names?: string[]; State?: string; Pid?: number }>;
    try {
      list = JSON.parse(out);
    } catch {
      return;
    }
    const byName = new Map(list.map((c) => [c.Names?.[0] ?? '', c]));
    for (const c of this.#model.list()) {
      const p = c.entry.container ? byName.get(c.entry.container) : undefined;
      this.#model.update(this.#podmanStatus(c.entry, p ? { running: p.State === 'running', status: p.State ?? 'unknown', pid: p.Pid ?? 0 } : undefined));
    }
  }

  // -------------------------------------------------------------------------------------------------
  // AgentBackend

  scheduler(): string {
    return this.mode;
  }

  #healthOf(c: LiveContainer): string {
    if (!c.entry.healthCheck) return '';
    if (Date.now() - this.#healthAt >= (this.#opts.healthTtlMs ?? 5000)) void this.#readHealth();
    return (c.entry.container && this.#health.get(c.entry.container)?.health) || 'unknown';
  }

  /**
   * Health comes from podman, not systemd: one `podman ps` for all containers with a check, at most one at a
   * time; read when asked for after healthTtlMs, and when a health check podman ran (a transient unit named
   * after the container's ID) ends. A change invalidates Containers.
   */
  #readHealth(): Promise<void> {
    if (this.#healthReading) return this.#healthReading;
    const names = this.#model.list().flatMap((c) => (c.entry.healthCheck && c.entry.container ? [c.entry.container] : []));
    if (names.length === 0) return Promise.resolve();
    this.#healthReading = podmanHealth(new Podman(podmanPath(this.#opts.env)), names)
      .then((h) => {
        const changed = [...h].some(([name, v]) => this.#health.get(name)?.health !== v.health);
        this.#health = h;
        this.#healthIds = new Map([...h].map(([name, v]) => [v.id, name]));
        this.#healthAt = Date.now();
        if (changed && this.#bus && !this.#bus.closed) invalidateContainers(this.#iface);
      })
      .finally(() => {
        this.#healthReading = undefined;
      });
    return this.#healthReading;
  }

  #struct(c: LiveContainer): ContainerStruct {
    const s = c.service;
    return [c.entry.name, c.entry.unit, s.load, s.active, s.sub, s.result, s.mainPid, toUsec(sinceOf(s)), s.restarts, this.#healthOf(c)];
  }

  containers(): ContainerStruct[] {
    return this.#model.list().map((c) => this.#struct(c));
  }

  #container(name: string): LiveContainer {
    const c = this.#model.get(name);
    if (!c) throw new AgentError(ERRORS.noSuchContainer, `no container definition named ${name}`);
    return c;
  }

  async getContainer(name: string): Promise<Record<string, DBus.Variant>> {
    const c = this.#container(name);
    const { Variant } = dbusNext();
    const [n, unit, load, active, sub, result, mainPid, since, restarts, health] = this.#struct(c);
    const v: Record<string, DBus.Variant> = {
      Name: new Variant('s', n),
      Unit: new Variant('s', unit),
      Definition: new Variant('s', c.entry.definition),
      Container: new Variant('s', c.entry.container ?? ''),
      LoadState: new Variant('s', load),
      ActiveState: new Variant('s', active),
      SubState: new Variant('s', sub),
      Result: new Variant('s', result),
      MainPID: new Variant('u', mainPid),
      Since: new Variant('t', since),
      NRestarts: new Variant('u', restarts),
      Health: new Variant('s', health),
      HasCheckpoints: new Variant('b', Boolean(c.entry.checkpoint)),
    };
    if (c.entry.checkpoint) {
      const { last } = await this.#lastCheckpoint(c.entry);
      const next = this.mode === 'cron' ? (this.#scheduler?.next(c.entry.name) ?? null) : c.timer?.active === 'active' ? c.timer.nextElapse : null;
      v['CheckpointDirectory'] = new Variant('s', c.entry.checkpoint.directory);
      v['LastCheckpoint'] = new Variant('t', last ? toUsec(new Date(last.at)) : 0n);
      v['LastCheckpointSize'] = new Variant('t', BigInt(last?.size ?? 0));
      v['LastCheckpointValid'] = new Variant('b', last?.valid ?? false);
      v['LastCheckpointPath'] = new Variant('s', last?.path ?? '');
      v['NextCheckpoint'] = new Variant('t', toUsec(next));
      v['LastTrigger'] = new Variant('t', toUsec(c.timer?.lastTrigger));
      v['CheckpointTimer'] = new Variant('s', c.entry.timer ?? '');
    }
    return v;
  }

  async listCheckpoints(name: string): Promise<CheckpointStruct[]> {
    const c = this.#container(name);
    if (!c.entry.checkpoint) throw new AgentError(ERRORS.noCheckpointSection, `${c.entry.name} has no [Checkpoint] section in ${c.entry.definition}`);
    const archives = await new CheckpointStore(c.entry.checkpoint.directory, c.entry.name).list();
    return archives.map((a) => [toUsec(a.createdAt), BigInt(a.size), a.valid, a.path, a.problem ?? '']);
  }

  async #takeCheckpoint(entry: ContainerEntry): Promise<string> {
    if (!entry.checkpoint) throw new AgentError(ERRORS.noCheckpointSection, `${entry.name} has no [Checkpoint] section in ${entry.definition}`);
    if (!entry.container) throw new AgentError(ERRORS.failed, `${entry.name}: its ContainerName uses specifiers berth cannot resolve outside systemd`);
    try {
      const { archive } = await takeCheckpoint({ name: entry.name, container: entry.container, settings: entry.checkpoint, user: this.user });
      this.#checkpointFinished(entry.name, true, archive.path, '');
      return archive.path;
    } catch (err) {
      this.#checkpointFinished(entry.name, false, '', (err as Error).message);
      throw err;
    } finally {
      if (this.mode === 'cron') void this.#readPodman();
    }
  }

  checkpoint(name: string): Promise<string> {
    return this.#takeCheckpoint(this.#container(name).entry);
  }

  async restore(name: string, archive: string): Promise<string> {
    const c = this.#container(name);
    if (!c.entry.checkpoint) throw new AgentError(ERRORS.noCheckpointSection, `${c.entry.name} has no [Checkpoint] section in ${c.entry.definition}`);
    if (this.mode !== 'systemd' || !this.#manager) throw new AgentError(ERRORS.notSupported, 'restoring needs systemd (the unit runs the restore)');
    const used = await restoreUnit({
      name: c.entry.name,
      directory: c.entry.checkpoint.directory,
      ...(archive ? { archive } : {}),
      runtimeDir: runtimeDir(this.user, this.#opts.env),
      systemctl: new BusUnitControl(this.#manager),
    });
    return used.path;
  }
}

