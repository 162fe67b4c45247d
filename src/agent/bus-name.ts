/**
 * io.berth.Manager1 on one connection: the object exported before anything can call it, and the name,
 * asked for at one of two moments.
 *
 * - Once the agent can answer (the first connection): the bus holds a call that started the agent (D-Bus
 *   activation) until the name has an owner, so owning it before the containers are read would answer that
 *   call from an empty list ("no container definition named web").
 * - In the connection's first write, right behind Hello (every later connection, after the bus daemon
 *   restarted): the agent already knows its containers, and is back under its name within one round trip.
 *   Nothing depends on winning that race, though: the unit is Type=notify, and systemd does not stop it for
 *   a moment without the name, as it would a Type=dbus one.
 */
import type * as DBus from 'dbus-next';
import { BusError } from '../errors.js';
import type { Bus } from '../systemd/bus.js';
import { AGENT_NAME, AGENT_PATH, type ManagerInterface } from './interface.js';

const REQUEST_NAME_DO_NOT_QUEUE = 4;
const PRIMARY_OWNER = 1;
const ALREADY_OWNER = 4;

export class AgentName {
  /** The answer to a RequestName sent with Hello, when it was. */
  #early?: Promise<number>;

  constructor(private readonly iface: ManagerInterface) {}

  /** Before the handshake: exports the object, and when `now`, asks for the name in the same write as Hello. */
  prepare(raw: DBus.MessageBus, now: boolean): void {
    raw.export(AGENT_PATH, this.iface);
    this.#early = now ? raw.requestName(AGENT_NAME, REQUEST_NAME_DO_NOT_QUEUE) : undefined;
    this.#early?.catch(() => undefined);
  }

  /** Owns the name on a connection that is up (the early request's answer, or a request now); BusError `remote` when refused. */
  async claim(bus: Bus): Promise<void> {
    const early = this.#early;
    this.#early = undefined;
    let reply: number;
    try {
      reply = early ? await withTimeout(early, bus.timeoutMs) : await bus.requestName(AGENT_NAME, REQUEST_NAME_DO_NOT_QUEUE);
    } catch (err) {
      const e = err as { type?: string; text?: string };
      // dbus-next's own error (the early request) names the D-Bus error in `type`.
      if (e.type) throw new BusError('remote', `cannot own ${AGENT_NAME}: ${e.type}: ${e.text ?? ''}`, e.type);
      if (err instanceof BusError && err.code === 'remote') throw new BusError('remote', `cannot own ${AGENT_NAME}: ${err.message}`, err.remoteName);
      throw err;
    }
    if (reply !== PRIMARY_OWNER && reply !== ALREADY_OWNER) {
      throw new BusError('remote', `${AGENT_NAME} is owned by another process (is another berth agent running?)`);
    }
  }

  /** Takes the object off a connection (gone, or closing). */
  withdraw(bus: Bus): void {
    try {
      bus.raw.unexport(AGENT_PATH, this.iface);
    } catch {
      /* not exported there */
    }
  }

  /** Gives the name back and takes the object off, before the connection closes. */
  async release(bus: Bus): Promise<void> {
    await bus.releaseName(AGENT_NAME).catch(() => undefined);
    this.withdraw(bus);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BusError('timeout', `no answer to RequestName(${AGENT_NAME}) within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
