/**
 * The agent's live picture of its containers, kept current from systemd's signals: a full read at start
 * (and after each daemon-reload or reconnect), then PropertiesChanged applied as they come. Nothing is polled.
 * Where no systemd runs, the same records are filled from podman's container list (agent/cron-mode.ts).
 *
 * It stays small whatever the signal rate: one record per defined container (keyed by its service and
 * timer), changed in place; properties systemd only invalidates (it sends no value) put the unit on a
 * "stale" set that one re-read drains, however many signals arrived meanwhile.
 */
import { isKnown, sinceProperty, toNumber, toStr, usecToDate, type ServiceStatus, type TimerStatus } from '../systemd/properties.js';
import type { ContainerEntry } from './inventory.js';

/** What a state-change signal reports; a change of any of these is a change of the container's state. */
export interface StateKey {
  readonly load: string;
  readonly active: string;
  readonly sub: string;
  readonly result: string;
  readonly mainPid: number;
}

export interface LiveService {
  load: string;
  active: string;
  sub: string;
  result: string;
  mainPid: number;
  restarts: number;
  /** Timestamps seen so far (µs values as Dates), by property name. */
  readonly timestamps: Map<string, Date | null>;
}

export interface LiveTimer {
  load: string;
  active: string;
  nextElapse: Date | null;
  lastTrigger: Date | null;
}

export interface LiveContainer {
  readonly entry: ContainerEntry;
  service: LiveService;
  timer?: LiveTimer;
}

const EMPTY: StateKey = { load: '', active: 'inactive', sub: 'dead', result: '', mainPid: 0 };

export function sameState(a: StateKey, b: StateKey): boolean {
  return a.load === b.load && a.active === b.active && a.sub === b.sub && a.result === b.result && a.mainPid === b.mainPid;
}

function liveService(s: ServiceStatus): LiveService {
  return {
    load: s.loadState,
    active: s.activeState,
    sub: s.subState,
    result: s.result,
    mainPid: s.mainPid,
    restarts: s.restarts,
    timestamps: new Map([[sinceProperty(s.activeState), s.since]]),
  };
}

export function liveTimer(t: TimerStatus): LiveTimer {
  return { load: t.loadState, active: t.activeState, nextElapse: t.nextElapse, lastTrigger: t.lastTrigger };
}

export function sinceOf(s: LiveService): Date | null {
  return s.timestamps.get(sinceProperty(s.active)) ?? null;
}

export type StateListener = (c: LiveContainer, before: StateKey) => void;

export class LiveContainers {
  #containers = new Map<string, LiveContainer>();
  /** service or timer unit → container name */
  #byUnit = new Map<string, string>();
  /** Units whose values systemd invalidated without sending them. */
  readonly stale = new Set<string>();

  constructor(private readonly onState: StateListener) {}

  get size(): number {
    return this.#containers.size;
  }

  list(): LiveContainer[] {
    return [...this.#containers.values()];
  }

  get(name: string): LiveContainer | undefined {
    return this.#containers.get(name.replace(/\.service$/, ''));
  }

  /** The container a unit (its service or its checkpoint timer) belongs to. */
  owner(unit: string): LiveContainer | undefined {
    const name = this.#byUnit.get(unit);
    return name === undefined ? undefined : this.#containers.get(name);
  }

  /** Service units, then timer units, of every container. */
  units(): { services: string[]; timers: string[] } {
    const services: string[] = [];
    const timers: string[] = [];
    for (const c of this.#containers.values()) {
      services.push(c.entry.unit);
      if (c.entry.timer) timers.push(c.entry.timer);
    }
    return { services, timers };
  }

  /**
   * Replaces everything with a fresh read (entries and their statuses in the same order). Containers that
   * changed state, appeared (from the empty state) or were removed are reported. Units in `newer` got
   * signals while the read was out: a container known before keeps what those said (the read may predate
   * them); a new one takes the read and is marked stale, to be read again.
   */
  replace(entries: readonly ContainerEntry[], services: readonly ServiceStatus[], timers: ReadonlyMap<string, TimerStatus>, newer: ReadonlySet<string> = new Set()): void {
    const old = this.#containers;
    // The first read reports nothing: there was no state before it to change from.
    const first = old.size === 0;
    this.#containers = new Map();
    this.#byUnit = new Map();
    this.stale.clear();
    const stale: string[] = [];
    entries.forEach((entry, i) => {
      const known = old.get(entry.name);
      const t = entry.timer ? timers.get(entry.timer) : undefined;
      let service = liveService(services[i]!);
      let timer = t ? liveTimer(t) : undefined;
      if (newer.has(entry.unit)) {
        if (known && known.entry.unit === entry.unit) service = known.service;
        else stale.push(entry.unit);
      }
      if (entry.timer && newer.has(entry.timer)) {
        if (known?.timer && known.entry.timer === entry.timer) timer = known.timer;
        else stale.push(entry.timer);
      }
      const c: LiveContainer = { entry, service, ...(timer ? { timer } : {}) };
      this.#containers.set(entry.name, c);
      this.#byUnit.set(entry.unit, entry.name);
      if (entry.timer) this.#byUnit.set(entry.timer, entry.name);
      const before = old.get(entry.name)?.service ?? EMPTY;
      if (!first && !sameState(before, c.service)) this.onState(c, { ...before });
    });
    for (const [name, c] of old) {
      if (!this.#containers.has(name)) this.onState({ ...c, service: { ...c.service, ...EMPTY, load: 'not-found' } }, { ...c.service });
    }
    for (const unit of stale) this.stale.add(unit);
  }

  /** Updates one unit's record from a fresh read of it. */
  update(status: ServiceStatus | TimerStatus): void {
    const c = this.owner(status.unit);
    if (!c) return;
    this.stale.delete(status.unit);
    if ('nextElapse' in status) {
      c.timer = liveTimer(status);
      return;
    }
    const before = { ...c.service };
    const fresh = liveService(status);
    for (const [k, v] of c.service.timestamps) if (!fresh.timestamps.has(k)) fresh.timestamps.set(k, v);
    c.service = fresh;
    if (!sameState(before, c.service)) this.onState(c, before);
  }

  /**
   * Applies a PropertiesChanged of one of our units. Returns false when the unit is not ours. Values only
   * invalidated mark the unit stale (the caller re-reads it).
   */
  apply(unit: string, iface: string, changed: Record<string, unknown>, invalidated: readonly string[]): boolean {
    const c = this.owner(unit);
    if (!c) return false;
    const isTimer = unit === c.entry.timer;
    if (isTimer) {
      const t = (c.timer ??= { load: 'loaded', active: 'inactive', nextElapse: null, lastTrigger: null });
      if ('ActiveState' in changed) t.active = toStr(changed['ActiveState']);
      if ('NextElapseUSecRealtime' in changed) t.nextElapse = usecToDate(changed['NextElapseUSecRealtime']);
      if ('LastTriggerUSec' in changed) t.lastTrigger = usecToDate(changed['LastTriggerUSec']);
      if (invalidated.some((p) => p === 'NextElapseUSecRealtime' || p === 'LastTriggerUSec' || p === 'ActiveState')) this.stale.add(unit);
      return true;
    }
    const s = c.service;
    const before: StateKey = { load: s.load, active: s.active, sub: s.sub, result: s.result, mainPid: s.mainPid };
    if (iface.endsWith('.Unit')) {
      if ('ActiveState' in changed) s.active = toStr(changed['ActiveState']);
      if ('SubState' in changed) s.sub = toStr(changed['SubState']);
      if ('LoadState' in changed) s.load = toStr(changed['LoadState']);
      for (const [k, v] of Object.entries(changed)) if (k.endsWith('Timestamp')) s.timestamps.set(k, usecToDate(v));
      // A unit that changes state is loaded, whatever an earlier read said.
      if (s.load === 'not-found' || s.load === '') s.load = 'loaded';
      if (!s.timestamps.has(sinceProperty(s.active))) this.stale.add(unit);
    } else if (iface.endsWith('.Service')) {
      if ('MainPID' in changed) s.mainPid = toNumber(changed['MainPID']);
      if ('Result' in changed) s.result = toStr(changed['Result']);
      if ('NRestarts' in changed) s.restarts = toNumber(changed['NRestarts']);
    }
    if (invalidated.some((p) => p === 'ActiveState' || p === 'SubState' || p === 'MainPID' || p === 'Result' || p === 'NRestarts')) this.stale.add(unit);
    if (!sameState(before, s)) this.onState(c, before);
    return true;
  }

  /**
   * systemd dropped a unit from memory (it drops units that are stopped and that nothing refers to): the next
   * read loads it afresh, and the record becomes what a fresh unit says: stopped, never run, no restarts,
   * a timer never triggered.
   */
  removed(unit: string): void {
    const c = this.owner(unit);
    if (!c) return;
    if (unit === c.entry.timer) {
      if (c.timer) c.timer = { ...c.timer, active: 'inactive', nextElapse: null, lastTrigger: null };
      return;
    }
    const s = c.service;
    const before: StateKey = { ...s };
    s.active = 'inactive';
    s.sub = 'dead';
    s.mainPid = 0;
    s.result = isKnown(s.load) ? 'success' : '';
    s.restarts = 0;
    s.timestamps.clear();
    if (!sameState(before, s)) this.onState(c, before);
  }
}
