/**
 * A stand-in for systemd's manager on a private bus: owns org.freedesktop.systemd1 and answers what berth
 * asks of it (ListUnitsByNames, GetUnit, Start/Stop/RestartUnit with JobRemoved, Subscribe, Unsubscribe,
 * Properties.Get/GetAll on unit paths), and sends PropertiesChanged, UnitRemoved and Reloading the way
 * systemd does: only while someone is subscribed. Tests drive unit states with set(), remove(), reload()
 * and flood(); calls counts the methods called.
 */
import type * as DBus from 'dbus-next';
import { Bus, PROPERTIES_IFACE } from '../../src/systemd/bus.js';
import { dbusNext } from '../../src/systemd/dbus-next.js';
import { MANAGER_IFACE, SERVICE_IFACE, SYSTEMD_NAME, SYSTEMD_PATH, TIMER_IFACE, UNIT_IFACE, unitNameOfPath, unitObjectPath } from '../../src/systemd/properties.js';

export interface FakeUnit {
  /** Held in memory (listed by ListUnitsByPatterns); systemd loads others on demand. */
  resident: boolean;
  load: string;
  active: string;
  sub: string;
  /** Properties by interface name (plain values; Variants are made with the signatures below). */
  unit: Record<string, unknown>;
  service: Record<string, unknown>;
  timer: Record<string, unknown>;
}

const SIGNATURES: Record<string, string> = {
  Id: 's', LoadState: 's', ActiveState: 's', SubState: 's',
  ActiveEnterTimestamp: 't', ActiveExitTimestamp: 't', InactiveEnterTimestamp: 't', InactiveExitTimestamp: 't', StateChangeTimestamp: 't',
  MainPID: 'u', NRestarts: 'u', Result: 's',
  NextElapseUSecRealtime: 't', LastTriggerUSec: 't',
};

const now = (): bigint => BigInt(Date.now()) * 1000n;

export class FakeSystemd {
  readonly units = new Map<string, FakeUnit>();
  readonly calls = new Map<string, number>();
  readonly subscribers = new Set<string>();
  /** How long a job takes, and what it leaves behind. */
  jobDelayMs = 20;
  #jobId = 100;

  private constructor(readonly bus: Bus) {}

  static async start(address: string): Promise<FakeSystemd> {
    const bus = await Bus.connect({ address, serve: true });
    const fake = new FakeSystemd(bus);
    bus.raw.addMethodHandler((msg: DBus.Message) => fake.#handle(msg));
    const reply = await bus.requestName(SYSTEMD_NAME, 4);
    if (reply !== 1) throw new Error(`could not own ${SYSTEMD_NAME} (${reply})`);
    return fake;
  }

  /** Adds or changes a unit without signals (for setting the scene). */
  define(name: string, state: Partial<Pick<FakeUnit, 'load' | 'active' | 'sub' | 'resident'>> & { unit?: Record<string, unknown>; service?: Record<string, unknown>; timer?: Record<string, unknown> } = {}): FakeUnit {
    const u = this.units.get(name) ?? { resident: true, load: 'loaded', active: 'inactive', sub: 'dead', unit: {}, service: { MainPID: 0, NRestarts: 0, Result: 'success' }, timer: {} };
    if (state.resident !== undefined) u.resident = state.resident;
    if (state.load) u.load = state.load;
    if (state.active) u.active = state.active;
    if (state.sub) u.sub = state.sub;
    Object.assign(u.unit, state.unit ?? {});
    Object.assign(u.service, state.service ?? {});
    Object.assign(u.timer, state.timer ?? {});
    this.units.set(name, u);
    return u;
  }

  /** Changes a unit's state the way systemd does it, with PropertiesChanged for Unit (and Service) to subscribers. */
  set(name: string, active: string, sub: string, service: Record<string, unknown> = {}): void {
    const u = this.define(name);
    const before = u.active;
    u.active = active;
    u.sub = sub;
    const ts: Record<string, unknown> = {};
    if (before !== active) {
      if (active === 'active') ts['ActiveEnterTimestamp'] = now();
      if (active === 'inactive' || active === 'failed') ts['InactiveEnterTimestamp'] = now();
      if (active === 'activating') ts['InactiveExitTimestamp'] = now();
      if (active === 'deactivating') ts['ActiveExitTimestamp'] = now();
    }
    Object.assign(u.unit, ts);
    Object.assign(u.service, service);
    if (Object.keys(service).length) this.#changed(name, SERVICE_IFACE, service);
    this.#changed(name, UNIT_IFACE, { ActiveState: active, SubState: sub, ...ts });
  }

  /** systemd dropped the unit: UnitRemoved (and it is gone from memory until loaded again). */
  remove(name: string): void {
    this.units.delete(name);
    if (this.subscribers.size) this.bus.emitSignal(SYSTEMD_PATH, MANAGER_IFACE, 'UnitRemoved', 'so', [name, unitObjectPath(name)]);
  }

  /** A daemon-reload: Reloading(true), then Reloading(false). */
  reload(): void {
    if (!this.subscribers.size) return;
    this.bus.emitSignal(SYSTEMD_PATH, MANAGER_IFACE, 'Reloading', 'b', [true]);
    this.bus.emitSignal(SYSTEMD_PATH, MANAGER_IFACE, 'Reloading', 'b', [false]);
  }

  /** `count` PropertiesChanged of units nobody defined (another machine's busy systemd). */
  flood(count: number, prefix = 'noise'): void {
    const { Variant } = dbusNext();
    for (let i = 0; i < count; i++) {
      const unit = `${prefix}-${i % 500}.service`;
      this.bus.emitSignal(unitObjectPath(unit), PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [
        UNIT_IFACE,
        { ActiveState: new Variant('s', i % 2 ? 'active' : 'inactive'), SubState: new Variant('s', i % 2 ? 'running' : 'dead'), StateChangeTimestamp: new Variant('t', now()) },
        [],
      ]);
    }
  }

  async close(): Promise<void> {
    await this.bus.close();
  }

  #changed(name: string, iface: string, props: Record<string, unknown>): void {
    if (!this.subscribers.size) return;
    const { Variant } = dbusNext();
    const body = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, new Variant(SIGNATURES[k] ?? 's', v)]));
    this.bus.emitSignal(unitObjectPath(name), PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [iface, body, []]);
  }

  #count(member: string): void {
    this.calls.set(member, (this.calls.get(member) ?? 0) + 1);
  }

  #row(name: string): unknown[] {
    const u = this.units.get(name);
    return [name, '', u?.load ?? 'not-found', u?.active ?? 'inactive', u?.sub ?? 'dead', '', unitObjectPath(name), 0, '', '/'];
  }

  #props(name: string, iface: string): Record<string, unknown> | undefined {
    const u = this.units.get(name);
    if (!u) return iface === UNIT_IFACE ? { Id: name, LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' } : {};
    if (iface === UNIT_IFACE) return { Id: name, LoadState: u.load, ActiveState: u.active, SubState: u.sub, ActiveEnterTimestamp: 0n, ActiveExitTimestamp: 0n, InactiveEnterTimestamp: 0n, InactiveExitTimestamp: 0n, ...u.unit };
    if (iface === SERVICE_IFACE) return u.service;
    if (iface === TIMER_IFACE) return { NextElapseUSecRealtime: 0n, LastTriggerUSec: 0n, ...u.timer };
    return undefined;
  }

  #handle(msg: DBus.Message): boolean {
    const { Message, Variant } = dbusNext();
    const reply = (sig = '', body: unknown[] = []) => this.bus.raw.send(Message.newMethodReturn(msg, sig, body));
    // dbus-next's typings give newError a string where it takes the call being answered.
    const newError = Message.newError as unknown as (call: DBus.Message, name: string, text: string) => DBus.Message;
    const error = (name: string, text: string) => this.bus.raw.send(newError(msg, name, text));
    this.#count(msg.member);
    if (msg.interface === PROPERTIES_IFACE && msg.path.startsWith('/org/freedesktop/systemd1/unit/')) {
      const name = unitNameOfPath(msg.path)!;
      const [iface, prop] = msg.body as [string, string?];
      const props = this.#props(name, iface);
      if (!props) {
        error('org.freedesktop.DBus.Error.UnknownInterface', `no ${iface}`);
        return true;
      }
      if (msg.member === 'GetAll') {
        reply('a{sv}', [Object.fromEntries(Object.entries(props).map(([k, v]) => [k, new Variant(SIGNATURES[k] ?? 's', v)]))]);
      } else if (msg.member === 'Get') {
        if (!(prop! in props)) error('org.freedesktop.DBus.Error.UnknownProperty', `no ${prop}`);
        else reply('v', [new Variant(SIGNATURES[prop!] ?? 's', props[prop!])]);
      } else return false;
      return true;
    }
    if (msg.path !== SYSTEMD_PATH || msg.interface !== MANAGER_IFACE) return false;
    const [first, second] = msg.body as [unknown, unknown];
    switch (msg.member) {
      case 'ListUnitsByNames':
        reply('a(ssssssouso)', [(first as string[]).map((n) => this.#row(n))]);
        return true;
      case 'ListUnitsByPatterns': {
        const patterns = second as string[];
        const listed = [...this.units].filter(([n, u]) => u.resident && (patterns.length === 0 || patterns.includes(n)));
        reply('a(ssssssouso)', [listed.map(([n]) => this.#row(n))]);
        return true;
      }
      case 'GetUnit':
        if (this.units.has(first as string)) reply('o', [unitObjectPath(first as string)]);
        else error('org.freedesktop.systemd1.NoSuchUnit', `Unit ${String(first)} not loaded.`);
        return true;
      case 'Subscribe':
        this.subscribers.add(msg.sender);
        reply();
        return true;
      case 'Unsubscribe':
        this.subscribers.delete(msg.sender);
        reply();
        return true;
      case 'StartUnit':
      case 'StopUnit':
      case 'RestartUnit': {
        const name = first as string;
        if (!this.units.has(name)) {
          error('org.freedesktop.systemd1.NoSuchUnit', `Unit ${name} not found.`);
          return true;
        }
        const id = ++this.#jobId;
        const job = `/org/freedesktop/systemd1/job/${id}`;
        reply('o', [job]);
        void second;
        setTimeout(() => {
          const u = this.units.get(name)!;
          const fails = u.service['FailOnStart'] === true && msg.member !== 'StopUnit';
          if (msg.member === 'StopUnit') this.set(name, 'inactive', 'dead', { MainPID: 0 });
          else if (fails) this.set(name, 'failed', 'failed', { MainPID: 0, Result: 'exit-code' });
          else this.set(name, 'active', 'running', { MainPID: 4000 + id, Result: 'success' });
          // JobRemoved goes to whoever queued the job, subscribed or not.
          this.bus.emitSignal(SYSTEMD_PATH, MANAGER_IFACE, 'JobRemoved', 'uoss', [id, job, name, fails ? 'failed' : 'done']);
        }, this.jobDelayMs);
        return true;
      }
      default:
        return false;
    }
  }
}
