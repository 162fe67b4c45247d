/**
 * `berth agent`: owns io.berth.Manager1 on the system bus (or the user's) and serves the containers' state,
 * checkpoints and restores (backend.ts) from a live state that systemd's signals keep current
 * (systemd-mode.ts) or, where no systemd runs the units, podman's container list (cron-mode.ts).
 *
 * A connection's life: the object exported at once, the name owned once the containers are known
 * (bus-name.ts), then signals relayed. When the bus goes away the agent connects again (ReconnectingBus)
 * and does it all again; the process never restarts for it. Started by systemd (Type=notify), it says
 * READY=1 once it first owns the name.
 */
import { existsSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { LiveContainers, type LiveContainer } from '../containers/live-containers.js';
import { Podman } from '../engine/podman.js';
import { podmanPath } from '../engine/podman-version.js';
import { BusError } from '../errors.js';
import type { Bus } from '../systemd/bus.js';
import { notifyReady } from '../systemd/notify.js';
import { ReconnectingBus } from '../systemd/reconnecting-bus.js';
import { ManagerBackend } from './backend.js';
import { AgentName } from './bus-name.js';
import { CronMode } from './cron-mode.js';
import { HealthCache } from './health-cache.js';
import { DefinitionsView } from './definitions-view.js';
import { AGENT_NAME, AGENT_PATH, createManagerInterface, invalidateProperties, type ManagerInterface } from './interface.js';
import type { Mode, ModeContext } from './mode.js';
import { SystemdMode } from './systemd-mode.js';

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

/** Where no bus runs in cron mode, how often to look for one. */
const NO_BUS_RETRY_MS = 30_000;

/** Whether systemd runs the manager the agent would talk to (sd_booted(3); for --user, the user manager's socket). */
export function systemdRuns(user: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!user) return existsSync('/run/systemd/system');
  const runtime = env['XDG_RUNTIME_DIR'] || `/run/user/${process.getuid?.() ?? 0}`;
  return existsSync(`${runtime}/systemd/private`);
}

export class Agent {
  readonly version: string;
  readonly mode: 'systemd' | 'cron';
  readonly user: boolean;
  readonly #log: (line: string) => void;
  readonly #iface: ManagerInterface;
  readonly #live: LiveContainers;
  readonly #health: HealthCache;
  readonly #definitions: DefinitionsView;
  readonly #backend: ManagerBackend;
  readonly #source: Mode;
  readonly #name: AgentName;
  readonly #connection: ReconnectingBus;
  /** Whether the name was owned once: later connections ask for it with Hello. */
  #owned = false;
  /** The connection signals go out on, from the moment it is up (changes found while re-reading count too). */
  #signalling?: Bus;
  #stopped = false;
  /** Properties to invalidate at the end of this burst of changes. */
  readonly #invalidated = new Set<'Containers' | 'Definitions'>();
  #fatal!: (err: Error) => void;
  /** Resolves when stop() is done; rejects when the agent cannot go on (another owner of the name, policy). */
  readonly done: Promise<void>;
  #resolveDone!: () => void;

  constructor(private readonly opts: AgentOptions) {
    this.version = opts.version;
    this.user = opts.user ?? false;
    this.#log = opts.log ?? ((line) => process.stderr.write(`berth agent: ${line}\n`));
    const wanted = opts.scheduler ?? 'auto';
    this.mode = wanted === 'auto' ? (systemdRuns(this.user, opts.env) ? 'systemd' : 'cron') : wanted;
    this.#live = new LiveContainers((c, before) => this.#stateChanged(c, before));
    const podman = new Podman(podmanPath(opts.env));
    this.#health = new HealthCache({
      list: () => this.#source.listContainers(),
      names: () => this.#live.list().flatMap((c) => (c.entry.healthCheck && c.entry.container ? [c.entry.container] : [])),
      ttlMs: opts.healthTtlMs ?? 5000,
      changed: () => this.#invalidate(),
    });
    this.#definitions = new DefinitionsView({
      user: this.user,
      ...(opts.env ? { env: opts.env } : {}),
      manager: () => this.#source.manager(),
      changed: () => this.#invalidate('Definitions'),
      log: this.#log,
    });
    this.#backend = new ManagerBackend({
      version: opts.version,
      user: this.user,
      ...(opts.env ? { env: opts.env } : {}),
      live: this.#live,
      health: this.#health,
      definitions: this.#definitions,
      podman,
      mode: () => this.#source,
      finished: (name, ok, archive, error) => {
        if (this.#signals) this.#iface.CheckpointFinished(name, ok, archive, error);
        this.#log(ok ? `checkpoint of ${name}: ${archive}` : `checkpoint of ${name} failed: ${error}`);
      },
    });
    const context: ModeContext = {
      live: this.#live,
      podman,
      health: this.#health,
      user: this.user,
      ...(opts.env ? { env: opts.env } : {}),
      log: this.#log,
      invalidate: () => this.#invalidate(),
      readDefinitions: () => this.#definitions.refresh(),
      unitStateChanged: (unit, changed) => this.#definitions.unitChanged(unit, changed),
      checkpointFinished: (name, ok, archive, error) => this.#backend.finished(name, ok, archive, error),
      checkpoint: (entry) => this.#backend.take(entry),
    };
    this.#source = this.mode === 'systemd' ? new SystemdMode(context) : new CronMode(context);
    this.#iface = createManagerInterface(this.#backend);
    this.#name = new AgentName(this.#iface);
    this.#connection = new ReconnectingBus(
      {
        ...(this.user ? { user: true } : {}),
        ...(opts.address ? { address: opts.address } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        log: this.#log,
        ...(opts.reconnectMaxMs ? { maxDelayMs: opts.reconnectMaxMs } : {}),
        fatal: (err) => this.#fatal(err),
      },
      {
        prepare: (raw) => this.#name.prepare(raw, this.#owned),
        connected: (bus) => this.#connected(bus),
        dropped: (bus) => {
          if (this.#signalling === bus) this.#signalling = undefined;
          this.#name.withdraw(bus);
          this.#source.detach(bus);
        },
      },
    );
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#fatal = (err) => {
        reject(err);
        void this.stop();
      };
    });
    this.done.catch(() => undefined);
  }

  /** The exported interface. */
  get iface(): ManagerInterface {
    return this.#iface;
  }

  /** Connected and owning the name. */
  get serving(): boolean {
    return this.#connection.bus !== undefined;
  }

  /**
   * Starts serving. In systemd mode a first connection must succeed (the unit starts after the bus); later
   * losses are reconnected. In cron mode a missing bus only means nothing is served over it.
   */
  async start(): Promise<void> {
    // The heap limit says whether the unit's NODE_OPTIONS reached the process.
    const heapMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    this.#log(`starting (${this.mode} mode, ${this.user ? "the user's bus" : 'the system bus'}, heap limit ${heapMiB} MiB)`);
    await this.#source.start();
    void this.#definitions.refresh();
    try {
      await this.#connection.connect();
    } catch (err) {
      if (this.mode === 'systemd' || !(err instanceof BusError) || err.code !== 'unavailable') throw err;
      this.#log(`no D-Bus here; running the schedules without serving ${AGENT_NAME}, and trying the bus again now and then`);
      this.#connection.retry(NO_BUS_RETRY_MS, true);
    }
    await notifyReady(this.opts.env).catch((err: unknown) => this.#log(`could not tell systemd the agent is ready: ${(err as Error).message}`));
  }

  /** Reads the definitions again (SIGHUP). */
  reload(): Promise<void> {
    return this.#source.reload();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#definitions.stop();
    await this.#source.stop();
    await this.#connection.stop((bus) => this.#name.release(bus));
    this.#resolveDone();
  }

  /** A new connection: the containers known on it, then the name (see bus-name.ts for the order). */
  async #connected(bus: Bus): Promise<void> {
    this.#signalling = bus;
    if (this.#owned) {
      await this.#name.claim(bus);
      await this.#source.attach(bus);
    } else {
      await this.#source.attach(bus);
      await this.#name.claim(bus);
      this.#owned = true;
    }
    this.#log(`serving ${AGENT_NAME} at ${AGENT_PATH} as ${bus.uniqueName}`);
  }

  #stateChanged(c: LiveContainer, before: { active: string; sub: string }): void {
    const s = c.service;
    if (this.#signals) this.#iface.ContainerStateChanged(c.entry.name, s.active, s.sub, s.result, s.mainPid);
    this.#invalidate();
    if (before.active !== s.active || before.sub !== s.sub) this.#health.invalidate();
  }

  get #signals(): boolean {
    return this.#signalling !== undefined && !this.#signalling.closed;
  }

  /** PropertiesChanged invalidating Containers (or Definitions), once for a burst of changes. */
  #invalidate(property: 'Containers' | 'Definitions' = 'Containers'): void {
    const first = this.#invalidated.size === 0;
    this.#invalidated.add(property);
    if (!first) return;
    queueMicrotask(() => {
      const names = [...this.#invalidated].sort();
      this.#invalidated.clear();
      if (this.#signals) invalidateProperties(this.#iface, names);
    });
  }
}
