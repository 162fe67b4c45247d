/**
 * A thin, careful wrapper of one dbus-next connection (dbus-next is dormant; only its low-level parts are
 * used: Message, MessageBus.call/send, and export of a configureMembers interface).
 *
 * What it adds over dbus-next:
 * - its own transport (connection.ts): authentication pipelined with the first messages;
 * - a clear BusError (`unavailable`) when there is no bus to connect to, instead of a socket error event;
 * - at most MAX_IN_FLIGHT calls out at once (the bus limits pending replies per connection);
 * - a timeout on every call, and the reply handler dbus-next keeps per serial removed when it fires (dbus-next
 *   would keep it forever);
 * - every pending call rejected (`disconnected`) when the connection goes away, and one `disconnect` event;
 * - match rules counted here (dbus-next's own counting is broken), so each AddMatch has its RemoveMatch and
 *   close() removes whatever is left: a client never leaks rules into the bus daemon;
 * - one `message` listener on the connection, registered once, that hands signals to subscribers.
 */
import { stat } from 'node:fs/promises';
import * as DBus from 'dbus-next';
import { BusError } from '../errors.js';
import { openMessageBus, socketOf } from './connection.js';

/** dbus-next's public API (Message, Variant, DBusError, interface). Modules that import this one load it. */
export function dbusNext(): typeof DBus {
  return DBus;
}

export const DBUS_NAME = 'org.freedesktop.DBus';
export const DBUS_PATH = '/org/freedesktop/DBus';
export const DBUS_IFACE = 'org.freedesktop.DBus';
export const PROPERTIES_IFACE = 'org.freedesktop.DBus.Properties';

/** Message types as dbus-next numbers them. */
export const SIGNAL = 4;

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/**
 * Calls in flight at once on one connection; the rest wait their turn. The system bus refuses more than
 * max_replies_per_connection (128 by default) pending replies with LimitsExceeded.
 */
export const MAX_IN_FLIGHT = 64;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface BusAddressOptions {
  /** The user's bus (the user manager's) instead of the system bus. */
  readonly user?: boolean;
  /** An explicit address (unix:path=…), overriding the environment. */
  readonly address?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ConnectOptions extends BusAddressOptions {
  /** Default timeout of calls on this connection. */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /**
   * Runs on the new dbus-next bus before the handshake completes: whatever it exports is in place before
   * any call can arrive, and a call it makes (RequestName) goes out right behind Hello, in the same write.
   */
  readonly prepare?: (raw: DBus.MessageBus) => void;
}

/** Which bus, and where: $DBUS_SYSTEM_BUS_ADDRESS or /run/dbus/system_bus_socket; for --user $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus. */
export function busAddress(opts: BusAddressOptions = {}): string {
  const env = opts.env ?? process.env;
  if (opts.address) return opts.address;
  if (opts.user) {
    if (env['DBUS_SESSION_BUS_ADDRESS']) return env['DBUS_SESSION_BUS_ADDRESS'];
    const runtime = env['XDG_RUNTIME_DIR'] || `/run/user/${process.getuid?.() ?? 0}`;
    return `unix:path=${runtime}/bus`;
  }
  return env['DBUS_SYSTEM_BUS_ADDRESS'] || 'unix:path=/run/dbus/system_bus_socket';
}

/** A match rule (dbus-specification "Match Rules"); values are quoted, a ' inside becomes '\''. */
export function matchRule(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}='${v.replaceAll("'", "'\\''")}'`)
    .join(',');
}

export interface CallSpec {
  readonly destination: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: unknown[];
  /** Do not let the bus start (activate) the destination for this call. */
  readonly noAutoStart?: boolean;
}

export interface SignalMessage {
  readonly sender: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature: string;
  readonly body: unknown[];
}

type SignalListener = (msg: SignalMessage) => void;

/** What this module uses of dbus-next's MessageBus beyond its typings (its own fields). */
interface RawBusInternals {
  _methodReturnHandlers: Record<number, unknown>;
  _connection: { stream: NodeJS.EventEmitter & { destroy?(): void; writable?: boolean }; on(ev: string, fn: (...a: unknown[]) => void): unknown };
  name: string | null;
}
type RawBus = DBus.MessageBus & RawBusInternals;

const UNAVAILABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK', 'EPERM', 'ECONNRESET', 'EPIPE']);

function busLabel(opts: BusAddressOptions): string {
  return opts.user ? "the user's D-Bus (the user manager's bus)" : 'the D-Bus system bus';
}

function unavailable(opts: BusAddressOptions, address: string, why: string, cause?: unknown): BusError {
  const hint = opts.user
    ? 'is a session bus running for this user (dbus-user-session) and XDG_RUNTIME_DIR set?'
    : 'is dbus running? (no systemd or D-Bus here: see `berth agent --scheduler cron`)';
  return new BusError('unavailable', `cannot reach ${busLabel(opts)} at ${address}: ${why}; ${hint}`, undefined, cause ? { cause } : undefined);
}

export class Bus {
  readonly address: string;
  readonly uniqueName: string;
  readonly timeoutMs: number;
  #raw: RawBus;
  #closed = false;
  #closing?: Promise<void>;
  readonly #pending = new Map<number, (err: BusError) => void>();
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #matches = new Map<string, number>();
  readonly #signalListeners = new Set<SignalListener>();
  readonly #disconnectListeners = new Set<(err?: Error) => void>();

  private constructor(raw: RawBus, address: string, timeoutMs: number) {
    this.#raw = raw;
    this.address = address;
    this.uniqueName = raw.name ?? '';
    this.timeoutMs = timeoutMs;
    raw.on('message', (msg: DBus.Message) => this.#onMessage(msg));
    raw.on('error', (err: unknown) => this.#lost(err as Error));
    raw._connection.on('end', () => this.#lost());
    raw._connection.stream.on('close', () => this.#lost());
  }

  /** Connects and says Hello; throws BusError `unavailable` when there is no bus at the address. */
  static async connect(opts: ConnectOptions = {}): Promise<Bus> {
    const address = busAddress(opts);
    const socket = socketOf(address)?.path;
    if (socket && !socket.startsWith('\0')) {
      try {
        await stat(socket);
      } catch (err) {
        throw unavailable(opts, address, `${socket} does not exist`, err);
      }
    }
    const raw = openMessageBus(address) as RawBus;
    opts.prepare?.(raw);
    const connectTimeout = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown): void => {
        clearTimeout(timer);
        raw.removeListener('connect', onConnect);
        raw.removeListener('error', onError);
        raw._connection.stream.removeListener('close', onClose);
        if (err === undefined) return resolve();
        // An error after this point is the Bus's to handle; until the Bus exists nobody else listens.
        raw.on('error', () => undefined);
        try {
          raw._connection.stream.destroy?.();
        } catch {
          /* already gone */
        }
        reject(err);
      };
      const onConnect = (): void => done();
      const onError = (err: unknown): void => {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code && UNAVAILABLE_CODES.has(code) ? `${(err as Error).message}` : `the connection failed: ${(err as Error)?.message ?? err}`;
        done(unavailable(opts, address, why, err));
      };
      const onClose = (): void => done(unavailable(opts, address, 'the bus closed the connection before it said hello'));
      const timer = setTimeout(() => done(unavailable(opts, address, `no answer within ${connectTimeout} ms`)), connectTimeout);
      raw.once('connect', onConnect);
      raw.on('error', onError);
      raw._connection.stream.once('close', onClose);
    });
    return new Bus(raw, address, opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The dbus-next bus, for exporting interfaces (agent). */
  get raw(): DBus.MessageBus {
    return this.#raw;
  }

  /** Calls a method and returns the reply's body; BusError on timeout, disconnect or an error reply. */
  async call(spec: CallSpec, opts: { timeoutMs?: number } = {}): Promise<unknown[]> {
    if (this.#inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inFlight++;
    try {
      return await this.#callNow(spec, opts);
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  #callNow(spec: CallSpec, opts: { timeoutMs?: number }): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new BusError('disconnected', `not connected to the bus at ${this.address}`));
    const { Message, MessageFlag } = dbusNext();
    const msg = new Message({
      destination: spec.destination,
      path: spec.path,
      interface: spec.interface,
      member: spec.member,
      signature: spec.signature ?? '',
      body: spec.body ?? [],
      ...(spec.noAutoStart ? { flags: MessageFlag.NO_AUTO_START } : {}),
    });
    const what = `${spec.interface}.${spec.member} on ${spec.destination}${spec.path}`;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<unknown[]>((resolve, reject) => {
      let serial = 0;
      const settle = (): void => {
        clearTimeout(timer);
        this.#pending.delete(serial);
      };
      const timer = setTimeout(() => {
        settle();
        // dbus-next would keep the reply handler until a reply that may never come.
        delete this.#raw._methodReturnHandlers[serial];
        reject(new BusError('timeout', `${what}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      let sent: Promise<DBus.Message | null>;
      try {
        sent = this.#raw.call(msg);
      } catch (err) {
        clearTimeout(timer);
        reject(new BusError('disconnected', `${what}: ${(err as Error).message}`, undefined, { cause: err }));
        return;
      }
      serial = msg.serial ?? 0;
      this.#pending.set(serial, (err) => {
        settle();
        delete this.#raw._methodReturnHandlers[serial];
        reject(err);
      });
      sent.then(
        (reply) => {
          settle();
          resolve(reply?.body ?? []);
        },
        (err: unknown) => {
          settle();
          const e = err as { type?: string; text?: string; message?: string };
          const name = e.type ?? 'unknown';
          reject(new BusError('remote', `${what}: ${name}: ${e.text ?? e.message ?? ''}`, name, { cause: err }));
        },
      );
    });
  }

  /** Adds a match rule (counted: the bus sees one AddMatch however often the same rule is added). */
  async addMatch(rule: string): Promise<void> {
    const n = this.#matches.get(rule) ?? 0;
    this.#matches.set(rule, n + 1);
    if (n > 0) return;
    try {
      await this.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'AddMatch', signature: 's', body: [rule] });
    } catch (err) {
      const now = (this.#matches.get(rule) ?? 1) - 1;
      if (now > 0) this.#matches.set(rule, now);
      else this.#matches.delete(rule);
      throw err;
    }
  }

  /** Drops one use of a rule; the last one removes it from the bus. A rule never added is ignored. */
  async removeMatch(rule: string): Promise<void> {
    const n = this.#matches.get(rule);
    if (n === undefined) return;
    if (n > 1) {
      this.#matches.set(rule, n - 1);
      return;
    }
    this.#matches.delete(rule);
    if (this.#closed) return; // the bus dropped the connection's rules with it
    await this.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'RemoveMatch', signature: 's', body: [rule] });
  }

  /** The rules this connection holds on the bus. */
  matchRules(): string[] {
    return [...this.#matches.keys()];
  }

  /** Subscribes to signals (match rules are separate: see addMatch). Returns the unsubscribe function. */
  onSignal(fn: SignalListener): () => void {
    this.#signalListeners.add(fn);
    return () => this.#signalListeners.delete(fn);
  }

  /** Called once when the connection goes away (not after close()). Returns the unsubscribe function. */
  onDisconnect(fn: (err?: Error) => void): () => void {
    this.#disconnectListeners.add(fn);
    return () => this.#disconnectListeners.delete(fn);
  }

  /** RequestName; returns the bus's reply (1 primary owner, 2 in queue, 3 exists, 4 already owner). */
  async requestName(name: string, flags: number): Promise<number> {
    const [reply] = await this.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'RequestName', signature: 'su', body: [name, flags] });
    return reply as number;
  }

  async releaseName(name: string): Promise<void> {
    await this.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'ReleaseName', signature: 's', body: [name] });
  }

  /** The unique name owning `name`, or undefined when nobody does. */
  async nameOwner(name: string): Promise<string | undefined> {
    try {
      const [owner] = await this.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'GetNameOwner', signature: 's', body: [name] });
      return owner as string;
    } catch (err) {
      if (err instanceof BusError && err.remoteName === 'org.freedesktop.DBus.Error.NameHasNoOwner') return undefined;
      throw err;
    }
  }

  /** Sends a signal from this connection. */
  emitSignal(path: string, iface: string, member: string, signature: string, body: unknown[]): void {
    if (this.#closed) return;
    const { Message } = dbusNext();
    this.#raw.send(Message.newSignal(path, iface, member, signature, body));
  }

  /**
   * Removes this connection's match rules from the bus (so that nothing leaks, even if the connection were
   * shared), then disconnects. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#closed) {
        const rules = [...this.#matches.keys()];
        this.#matches.clear();
        await Promise.allSettled(
          rules.map((rule) =>
            this.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'RemoveMatch', signature: 's', body: [rule] }, { timeoutMs: 1000 }),
          ),
        );
      }
      this.#closed = true;
      this.#disconnectListeners.clear();
      this.#signalListeners.clear();
      this.#rejectPending(new BusError('disconnected', `connection to ${this.address} closed`));
      try {
        this.#raw.disconnect();
      } catch {
        /* already gone */
      }
    })();
    return this.#closing;
  }

  #rejectPending(err: BusError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const reject of pending) reject(err);
  }

  #lost(err?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#matches.clear();
    this.#rejectPending(new BusError('disconnected', `the bus at ${this.address} went away${err ? `: ${err.message}` : ''}`));
    const listeners = [...this.#disconnectListeners];
    this.#disconnectListeners.clear();
    this.#signalListeners.clear();
    try {
      this.#raw._connection.stream.destroy?.();
    } catch {
      /* already gone */
    }
    for (const fn of listeners) {
      try {
        fn(err);
      } catch {
        /* a listener's problem is not the bus's */
      }
    }
  }

  #onMessage(msg: DBus.Message): void {
    if (msg.type !== SIGNAL || this.#signalListeners.size === 0) return;
    const signal: SignalMessage = {
      sender: msg.sender,
      path: msg.path,
      interface: msg.interface,
      member: msg.member,
      signature: msg.signature ?? '',
      body: msg.body ?? [],
    };
    for (const fn of this.#signalListeners) {
      try {
        fn(signal);
      } catch {
        /* one subscriber's failure must not starve the others */
      }
    }
  }
}
