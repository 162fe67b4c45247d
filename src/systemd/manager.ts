/**
 * A thin client of systemd's manager over D-Bus (org.freedesktop.systemd1): list units, read Unit, Service
 * and Timer properties, start/stop/restart a unit and wait for its job's result, and follow changes. No
 * systemctl is run for any of it. The system manager by default, the user's with `user: true`.
 *
 * Signals need two things: match rules in the bus daemon (so it routes them to us), and a Subscribe() call
 * to systemd (else it sends no PropertiesChanged, UnitNew or UnitRemoved at all). subscribe() does both and
 * its close() undoes both; a job's JobRemoved is sent to whoever queued the job, so jobs need only a rule.
 */
import { Bus, DBUS_NAME, DBUS_IFACE, DBUS_PATH, matchRule, PROPERTIES_IFACE, type ConnectOptions, type SignalMessage } from './bus.js';
import {
  decodeUnitList,
  isKnown,
  MANAGER_IFACE,
  SERVICE_IFACE,
  servicePropertyPlan,
  serviceStatus,
  SYSTEMD_NAME,
  SYSTEMD_PATH,
  TIMER_IFACE,
  TIMER_PROPERTIES,
  timerStatus,
  toNumber,
  toStr,
  unitNameOfPath,
  UNIT_IFACE,
  UNIT_PATH_PREFIX,
  unwrap,
  type ServiceStatus,
  type TimerStatus,
  type UnitListEntry,
} from './properties.js';
import { BusError } from '../errors.js';

export type JobMode = 'replace' | 'fail' | 'isolate' | 'ignore-dependencies' | 'ignore-requirements';

/** How a job ended: done, canceled, timeout, failed, dependency, skipped (JobRemoved's result). */
export type JobResult = string;

export const DEFAULT_JOB_TIMEOUT_MS = 10 * 60_000;

/** Rules for the signals a Subscription receives. */
export const UNIT_PROPERTIES_RULE = matchRule({
  type: 'signal', sender: SYSTEMD_NAME, interface: PROPERTIES_IFACE, member: 'PropertiesChanged', path_namespace: UNIT_PATH_PREFIX.slice(0, -1),
});
export const MANAGER_SIGNALS_RULE = matchRule({ type: 'signal', sender: SYSTEMD_NAME, interface: MANAGER_IFACE, path: SYSTEMD_PATH });
export const JOB_REMOVED_RULE = matchRule({ type: 'signal', sender: SYSTEMD_NAME, interface: MANAGER_IFACE, member: 'JobRemoved', path: SYSTEMD_PATH });
/** systemd leaving or joining the bus (it reconnects after the bus daemon restarts). */
export const SYSTEMD_OWNER_RULE = matchRule({
  type: 'signal', sender: DBUS_NAME, interface: DBUS_IFACE, member: 'NameOwnerChanged', path: DBUS_PATH, arg0: SYSTEMD_NAME,
});

export interface UnitEvents {
  /** A unit's properties changed: the new values (Variants unwrapped) and the names only invalidated. */
  unitChanged?(unit: string, iface: string, changed: Record<string, unknown>, invalidated: string[]): void;
  unitNew?(unit: string, path: string): void;
  /** systemd dropped the unit from memory (stopped and unreferenced, or its file gone after a reload). */
  unitRemoved?(unit: string, path: string): void;
  jobRemoved?(id: number, jobPath: string, unit: string, result: JobResult): void;
  /** true when a daemon-reload starts, false when it is done (units may have changed). */
  reloading?(active: boolean): void;
}

export interface Subscription {
  /** Unsubscribe (unless systemd is gone: `unsubscribe: false`) and remove the rules. */
  close(opts?: { unsubscribe?: boolean }): Promise<void>;
}

export class SystemdManager {
  readonly user: boolean;
  readonly jobTimeoutMs: number;
  readonly #ownsBus: boolean;

  constructor(
    readonly bus: Bus,
    opts: { user?: boolean; ownsBus?: boolean; jobTimeoutMs?: number } = {},
  ) {
    this.user = opts.user ?? false;
    this.#ownsBus = opts.ownsBus ?? false;
    this.jobTimeoutMs = opts.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  }

  /** Connects to the system bus (or the user's, with `user`) and returns a client that owns the connection. */
  static async connect(opts: ConnectOptions & { jobTimeoutMs?: number } = {}): Promise<SystemdManager> {
    const bus = await Bus.connect(opts);
    return new SystemdManager(bus, { user: opts.user ?? false, ownsBus: true, ...(opts.jobTimeoutMs ? { jobTimeoutMs: opts.jobTimeoutMs } : {}) });
  }

  #manager(member: string, signature = '', body: unknown[] = [], timeoutMs?: number): Promise<unknown[]> {
    return this.bus.call(
      { destination: SYSTEMD_NAME, path: SYSTEMD_PATH, interface: MANAGER_IFACE, member, signature, body },
      timeoutMs ? { timeoutMs } : {},
    );
  }

  /** Units matching glob patterns (and, if given, in one of `states`), loaded ones only: ListUnitsByPatterns. */
  async listUnits(patterns: readonly string[], states: readonly string[] = []): Promise<UnitListEntry[]> {
    const [rows] = await this.#manager('ListUnitsByPatterns', 'asas', [[...states], [...patterns]]);
    return decodeUnitList(rows);
  }

  /** One row per name, in order, not-found ones included (load state "not-found"): ListUnitsByNames. */
  async listUnitsByNames(names: readonly string[]): Promise<UnitListEntry[]> {
    if (names.length === 0) return [];
    const [rows] = await this.#manager('ListUnitsByNames', 'as', [[...names]]);
    return decodeUnitList(rows);
  }

  /** The object path of a loaded unit, or undefined when systemd has not loaded it (GetUnit). */
  async unitPath(unit: string): Promise<string | undefined> {
    try {
      const [path] = await this.#manager('GetUnit', 's', [unit]);
      return path as string;
    } catch (err) {
      if (err instanceof BusError && err.remoteName === 'org.freedesktop.systemd1.NoSuchUnit') return undefined;
      throw err;
    }
  }

  async getProperty(path: string, iface: string, name: string): Promise<unknown> {
    const [v] = await this.bus.call({ destination: SYSTEMD_NAME, path, interface: PROPERTIES_IFACE, member: 'Get', signature: 'ss', body: [iface, name] });
    return unwrap(v);
  }

  /** Several properties of one interface, read with one Get each, all in flight at once. */
  async getProperties(path: string, iface: string, names: readonly string[]): Promise<Record<string, unknown>> {
    const values = await Promise.all(names.map((n) => this.getProperty(path, iface, n)));
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  }

  /** Every property of one interface (GetAll); large for Unit and Service. */
  async getAllProperties(path: string, iface: string): Promise<Record<string, unknown>> {
    const [dict] = await this.bus.call({ destination: SYSTEMD_NAME, path, interface: PROPERTIES_IFACE, member: 'GetAll', signature: 's', body: [iface] });
    return Object.fromEntries(Object.entries(dict as Record<string, unknown>).map(([k, v]) => [k, unwrap(v)]));
  }

  /**
   * The status of services and timers, in the order asked (a unit systemd does not know is a row with load
   * state not-found), with as few messages as systemd allows: it handles one message at a time, and a Get
   * on a unit it does not hold in memory loads the unit from disk for that one message and drops it again.
   *
   * 1. In one write, ListUnitsByPatterns with the names (the units in memory, without loading any) and
   *    ListUnitsByNames with all of them (which loads each of the others once, for its load state). systemd
   *    answers them in that order, so the first says which units the second had to load. Such a unit is a
   *    fresh object, inactive, never started: no main PID, no restarts, success, no timestamps; nothing more
   *    to read.
   * 2. For units in memory, only the properties their state leaves open (servicePropertyPlan; a timer's
   *    only when it is active), all in flight at once.
   * A unit loaded in between by someone else (no longer inactive) is read as in 2.
   */
  async readUnits(services: readonly string[], timers: readonly string[] = []): Promise<{ services: ServiceStatus[]; timers: TimerStatus[] }> {
    const names = [...services, ...timers];
    // fnmatch patterns, matched without escapes: a name with glob characters cannot be asked literally.
    const isGlob = (n: string): boolean => /[*?[]/.test(n);
    const literal = names.filter((n) => !isGlob(n));
    const [inMemoryRows, rows] = await Promise.all([literal.length ? this.listUnits(literal) : [], this.listUnitsByNames(names)]);
    const inMemory = new Set(inMemoryRows.map((e) => e.name));
    const read = await Promise.all(
      names.map(async (name, i) => {
        const e = rows[i]!;
        const untouched = !inMemory.has(name) && !isGlob(name) && e.activeState === 'inactive';
        if (i < services.length) return untouched ? serviceStatus(e, {}) : this.#readService(e);
        const active = isKnown(e.loadState) && e.activeState === 'active';
        return timerStatus(e, active ? await this.getProperties(e.path, TIMER_IFACE, TIMER_PROPERTIES) : {});
      }),
    );
    return { services: read.slice(0, services.length) as ServiceStatus[], timers: read.slice(services.length) as TimerStatus[] };
  }

  async #readService(e: UnitListEntry): Promise<ServiceStatus> {
    if (!isKnown(e.loadState)) return serviceStatus(e, {});
    const plan = servicePropertyPlan(e.activeState);
    const [unitProps, serviceProps] = await Promise.all([
      this.getProperties(e.path, UNIT_IFACE, plan.unit),
      this.getProperties(e.path, SERVICE_IFACE, plan.service),
    ]);
    return serviceStatus(e, { ...unitProps, ...serviceProps });
  }

  async readServices(units: readonly string[]): Promise<ServiceStatus[]> {
    return (await this.readUnits(units)).services;
  }

  async readTimers(units: readonly string[]): Promise<TimerStatus[]> {
    return (await this.readUnits([], units)).timers;
  }

  async readService(unit: string): Promise<ServiceStatus> {
    return (await this.readUnits([unit])).services[0]!;
  }

  /** daemon-reload: the generators run again and every unit file is read again; returns when systemd is done. */
  async reload(timeoutMs = this.jobTimeoutMs): Promise<void> {
    await this.#manager('Reload', '', [], timeoutMs);
  }

  /** A unit's load state (loaded, not-found, bad-setting, error, masked …), loading it when need be (LoadUnit). */
  async loadState(unit: string): Promise<string> {
    const [path] = await this.#manager('LoadUnit', 's', [unit]);
    return String(await this.getProperty(path as string, UNIT_IFACE, 'LoadState'));
  }

  startUnit(unit: string, opts: { mode?: JobMode; timeoutMs?: number } = {}): Promise<JobResult> {
    return this.#job('StartUnit', unit, opts);
  }

  stopUnit(unit: string, opts: { mode?: JobMode; timeoutMs?: number } = {}): Promise<JobResult> {
    return this.#job('StopUnit', unit, opts);
  }

  restartUnit(unit: string, opts: { mode?: JobMode; timeoutMs?: number } = {}): Promise<JobResult> {
    return this.#job('RestartUnit', unit, opts);
  }

  /**
   * Queues a job and waits for its JobRemoved. The rule is added before the call, and signals are
   * collected while the call is out, so a job that ends at once is not missed.
   */
  async #job(method: string, unit: string, opts: { mode?: JobMode; timeoutMs?: number }): Promise<JobResult> {
    const timeoutMs = opts.timeoutMs ?? this.jobTimeoutMs;
    const ended = new Map<string, JobResult>();
    let wanted: string | undefined;
    let settle!: (r: JobResult) => void;
    let fail!: (e: Error) => void;
    const outcome = new Promise<JobResult>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    outcome.catch(() => undefined); // awaited below; a failure before that must not be "unhandled"
    const offSignal = this.bus.onSignal((s) => {
      if (s.member !== 'JobRemoved' || s.interface !== MANAGER_IFACE || s.path !== SYSTEMD_PATH) return;
      const jobPath = toStr(s.body[1]);
      if (wanted === undefined) ended.set(jobPath, toStr(s.body[3]));
      else if (jobPath === wanted) settle(toStr(s.body[3]));
    });
    const offLost = this.bus.onDisconnect(() => fail(new BusError('disconnected', `the bus went away while the ${method} job of ${unit} ran`)));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.bus.addMatch(JOB_REMOVED_RULE);
      const [jobPath] = await this.#manager(method, 'ss', [unit, opts.mode ?? 'replace']);
      wanted = jobPath as string;
      const early = ended.get(wanted);
      ended.clear();
      if (early !== undefined) return early;
      timer = setTimeout(() => fail(new BusError('timeout', `the ${method} job of ${unit} (${wanted}) did not finish within ${timeoutMs} ms`)), timeoutMs);
      return await outcome;
    } finally {
      clearTimeout(timer);
      offSignal();
      offLost();
      await this.bus.removeMatch(JOB_REMOVED_RULE).catch(() => undefined);
    }
  }

  /**
   * Follows systemd: match rules for unit PropertiesChanged and the manager's signals, then Subscribe().
   * close() calls Unsubscribe() and removes the rules (balanced); a lost connection drops both anyway.
   */
  async subscribe(events: UnitEvents): Promise<Subscription> {
    const off = this.bus.onSignal((s) => dispatch(s, events));
    const added: string[] = [];
    try {
      for (const rule of [UNIT_PROPERTIES_RULE, MANAGER_SIGNALS_RULE]) {
        await this.bus.addMatch(rule);
        added.push(rule);
      }
      await this.#manager('Subscribe').catch((err: unknown) => {
        // This connection is subscribed already (systemd re-executed and kept its subscribers): fine.
        if (!(err instanceof BusError && err.remoteName === 'org.freedesktop.systemd1.AlreadySubscribed')) throw err;
      });
    } catch (err) {
      off();
      for (const rule of added) await this.bus.removeMatch(rule).catch(() => undefined);
      throw err;
    }
    let closed = false;
    return {
      close: async (opts = {}) => {
        if (closed) return;
        closed = true;
        off();
        if (this.bus.closed) return;
        if (opts.unsubscribe !== false) await this.#manager('Unsubscribe').catch(() => undefined);
        for (const rule of added) await this.bus.removeMatch(rule).catch(() => undefined);
      },
    };
  }

  /** Closes the connection when this client opened it. */
  async close(): Promise<void> {
    if (this.#ownsBus) await this.bus.close();
  }
}

function dispatch(s: SignalMessage, events: UnitEvents): void {
  if (s.interface === PROPERTIES_IFACE && s.member === 'PropertiesChanged') {
    if (!events.unitChanged) return;
    const unit = unitNameOfPath(s.path);
    if (unit === undefined) return;
    const changed = Object.fromEntries(Object.entries((s.body[1] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, unwrap(v)]));
    events.unitChanged(unit, toStr(s.body[0]), changed, (s.body[2] ?? []) as string[]);
    return;
  }
  if (s.interface !== MANAGER_IFACE || s.path !== SYSTEMD_PATH) return;
  switch (s.member) {
    case 'UnitNew':
      events.unitNew?.(toStr(s.body[0]), toStr(s.body[1]));
      break;
    case 'UnitRemoved':
      events.unitRemoved?.(toStr(s.body[0]), toStr(s.body[1]));
      break;
    case 'JobRemoved':
      events.jobRemoved?.(toNumber(s.body[0]), toStr(s.body[1]), toStr(s.body[2]), toStr(s.body[3]));
      break;
    case 'Reloading':
      events.reloading?.(Boolean(s.body[0]));
      break;
  }
}
