/**
 * One D-Bus connection, carefully: berth's own client over dbus-next's message parts (Message, the
 * marshaller), with dbus-next's MessageBus added only on a connection that serves objects (the agent's,
 * `serve`): a client (`berth status`) never loads dbus-next's service, proxy and XML code.
 *
 * What it adds over dbus-next:
 * - its own transport (connection.ts): authentication pipelined with the first messages;
 * - a clear BusError (`unavailable`) when there is no bus to connect to, instead of a socket error event;
 * - at most MAX_IN_FLIGHT calls out at once (the bus limits pending replies per connection);
 * - a timeout on every call, after which nothing of the call is kept (dbus-next would keep its reply
 *   handler forever);
 * - every pending call rejected (`disconnected`) when the connection goes away, and one `disconnect` event;
 * - match rules counted here (dbus-next's own counting is broken), so each AddMatch has its RemoveMatch and
 *   close() removes whatever is left: a client never leaks rules into the bus daemon;
 * - one `message` listener on the connection, registered once, that hands signals to subscribers.
 */
import { stat } from 'node:fs/promises';
import type * as DBus from 'dbus-next';
import { MessageFlag, MessageType } from 'dbus-next/lib/constants.js';
import { Message } from 'dbus-next/lib/message-type.js';
import { BusError } from '../errors.js';
import { PipelinedConnection, socketOf } from './connection.js';

export const DBUS_NAME = 'org.freedesktop.DBus';
export const DBUS_PATH = '/org/freedesktop/DBus';
export const DBUS_IFACE = 'org.freedesktop.DBus';
export const PROPERTIES_IFACE = 'org.freedesktop.DBus.Properties';

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
  /** Serve objects on this connection (Bus.raw): dbus-next's MessageBus handles the calls they get. */
  readonly serve?: boolean;
  /**
   * Runs on the new dbus-next bus before the handshake completes: whatever it exports is in place before
   * any call can arrive, and a call it makes (RequestName) goes out right behind Hello, in the same write.
   * Implies `serve`.
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

/** What this module uses of dbus-next's MessageBus beyond its typings. */
type RawBus = DBus.MessageBus & { name: string | null; newSerial(): number };

/** A call waiting for its reply. */
interface Pending {
  reply(msg: DBus.Message): void;
  fail(err: BusError): void;
}

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

/** Why a connection never got to Hello's answer, from what ended it (the socket's error, if any). */
function whyNoHello(err: unknown): string {
  const cause = err instanceof BusError && err.code === 'disconnected' ? err.cause : err;
  if (cause === undefined) return 'the bus closed the connection before it said hello';
  const code = (cause as NodeJS.ErrnoException).code;
  const message = (cause as Error).message ?? String(cause);
  return code && UNAVAILABLE_CODES.has(code) ? message : `the connection failed: ${message}`;
}

export class Bus {
  readonly address: string;
  readonly timeoutMs: number;
  #uniqueName = '';
  readonly #connection: PipelinedConnection;
  /** dbus-next's bus, on a connection that serves objects. */
  readonly #server: RawBus | undefined;
  #serial = 1;
  #closed = false;
  #closing?: Promise<void>;
  /** Calls sent and not answered yet, by serial. */
  readonly #pending = new Map<number, Pending>();
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #matches = new Map<string, number>();
  readonly #signalListeners = new Set<SignalListener>();
  readonly #disconnectListeners = new Set<(err?: Error) => void>();

  private constructor(connection: PipelinedConnection, server: RawBus | undefined, address: string, timeoutMs: number) {
    this.#connection = connection;
    this.#server = server;
    this.address = address;
    this.timeoutMs = timeoutMs;
    connection.on('message', (msg: DBus.Message) => this.#onMessage(msg));
    connection.on('error', (err: Error) => this.#lost(err));
    connection.on('end', () => this.#lost());
    // dbus-next's bus repeats the connection's errors as its own; they are handled above.
    server?.on('error', () => undefined);
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
    const MessageBus = opts.serve || opts.prepare ? (await import('dbus-next/lib/bus.js')).default : undefined;
    const connection = new PipelinedConnection(address);
    // dbus-next's bus says Hello itself, at once; what `prepare` sends goes out right behind it.
    const server = MessageBus && (new MessageBus(connection) as RawBus);
    if (server) opts.prepare?.(server);
    const bus = new Bus(connection, server, address, opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    try {
      await bus.#hello(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    } catch (err) {
      bus.#disconnectListeners.clear();
      bus.#lost();
      throw unavailable(opts, address, err instanceof BusError && err.code === 'timeout' ? err.message : whyNoHello(err), err);
    }
    return bus;
  }

  /** The name the bus gave this connection (:1.N). */
  get uniqueName(): string {
    return this.#uniqueName;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The dbus-next bus, for exporting objects; only on a connection made with `serve` (or `prepare`). */
  get raw(): DBus.MessageBus {
    if (!this.#server) throw new Error('this connection serves no objects (connect it with serve: true)');
    return this.#server;
  }

  /** Calls currently waiting for their reply. */
  get pendingCalls(): number {
    return this.#pending.size;
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

  async #callNow(spec: CallSpec, opts: { timeoutMs?: number }): Promise<unknown[]> {
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
    const reply = await this.#request(msg, what, opts.timeoutMs ?? this.timeoutMs);
    if (reply.type === MessageType.ERROR) {
      const name = reply.errorName ?? 'unknown';
      throw new BusError('remote', `${what}: ${name}: ${String(reply.body?.[0] ?? '')}`, name);
    }
    return reply.body ?? [];
  }

  /** Sends a method call and resolves with its reply (or error reply); nothing of it is kept once it settles. */
  #request(msg: DBus.Message, what: string, timeoutMs: number): Promise<DBus.Message> {
    if (this.#closed) return Promise.reject(new BusError('disconnected', `not connected to the bus at ${this.address}`));
    // With dbus-next's bus on the same connection, its serials and ours must not meet.
    const serial = this.#server ? this.#server.newSerial() : this.#serial++;
    msg.serial = serial;
    return new Promise<DBus.Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(serial);
        reject(new BusError('timeout', `${what}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.#pending.delete(serial);
      };
      this.#pending.set(serial, {
        reply: (r) => {
          settle();
          resolve(r);
        },
        fail: (err) => {
          settle();
          reject(err);
        },
      });
      this.#connection.message(msg);
    });
  }

  /** Waits for Hello's answer: dbus-next's bus asks for it itself, a client here. */
  async #hello(timeoutMs: number): Promise<void> {
    const server = this.#server;
    if (!server) {
      const hello = new Message({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'Hello' });
      const reply = await this.#request(hello, 'Hello', timeoutMs);
      if (reply.type === MessageType.ERROR) throw new Error(`the bus refused Hello: ${reply.errorName}`);
      this.#uniqueName = String(reply.body?.[0] ?? '');
      return;
    }
    let offLost = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('connect', () => resolve());
        offLost = this.onDisconnect((err) => reject(err));
        timer = setTimeout(() => reject(new BusError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
      });
    } finally {
      offLost();
      clearTimeout(timer);
    }
    this.#uniqueName = server.name ?? '';
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
    const signal = Message.newSignal(path, iface, member, signature, body);
    signal.serial = this.#server ? this.#server.newSerial() : this.#serial++;
    this.#connection.message(signal);
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
      this.#connection.end();
    })();
    return this.#closing;
  }

  #rejectPending(err: BusError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.fail(err);
  }

  #lost(err?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#matches.clear();
    this.#rejectPending(new BusError('disconnected', `the bus at ${this.address} went away${err ? `: ${err.message}` : ''}`, undefined, err ? { cause: err } : undefined));
    const listeners = [...this.#disconnectListeners];
    this.#disconnectListeners.clear();
    this.#signalListeners.clear();
    this.#connection.stream.destroy();
    for (const fn of listeners) {
      try {
        fn(err);
      } catch {
        /* a listener's problem is not the bus's */
      }
    }
  }

  #onMessage(msg: DBus.Message): void {
    switch (msg.type) {
      case MessageType.METHOD_RETURN:
      case MessageType.ERROR:
        // A reply to dbus-next's own calls (on a serving connection) is its business. (Its typings say the
        // serial is a string; it is the number the header holds.)
        this.#pending.get(Number(msg.replySerial))?.reply(msg);
        return;
      case MessageType.METHOD_CALL:
        // dbus-next's bus answers calls on a serving connection; a client has nothing to call.
        if (!this.#server && !(msg.flags & MessageFlag.NO_REPLY_EXPECTED)) {
          const refusal = Message.newError(msg, 'org.freedesktop.DBus.Error.UnknownObject', 'this connection serves no objects');
          refusal.serial = this.#serial++;
          this.#connection.message(refusal);
        }
        return;
      case MessageType.SIGNAL:
        this.#signal(msg);
    }
  }

  #signal(msg: DBus.Message): void {
    if (this.#signalListeners.size === 0) return;
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
