/**
 * A connection to the bus that outlives the bus daemon: when the connection drops (the daemon restarted or
 * died), it connects again, 50 ms after the loss and then twice as long each time up to a ceiling, and hands
 * each new connection to its owner to set up again (the agent: its object and name, systemd's signals;
 * `berth status --watch`: its subscription). The process never restarts for it. One loop at a time: a
 * second one would find the agent's name taken, by the agent itself.
 */
import type * as DBus from 'dbus-next';
import { BusError } from '../errors.js';
import { Bus, type BusAddressOptions } from './bus.js';

export interface ConnectionSetup {
  /** Runs before each connection's handshake (Bus.connect's prepare): what it sends goes out with Hello. */
  prepare?(raw: DBus.MessageBus): void;
  /**
   * Sets up a connection that is up. A BusError `remote` thrown here (a refusal waiting will not cure)
   * ends the reconnecting (ReconnectingOptions.fatal); anything else drops this connection and tries again.
   */
  connected(bus: Bus): Promise<void>;
  /** The connection is gone (lost, or closed because its setup failed or all stopped): undo what was set up on it. */
  dropped?(bus: Bus): void;
}

export interface ReconnectingOptions extends BusAddressOptions {
  readonly log: (line: string) => void;
  /** Longest pause between two attempts (default 2000 ms). */
  readonly maxDelayMs?: number;
  /** Reconnecting gave up on a refusal (see ConnectionSetup.connected). */
  readonly fatal?: (err: BusError) => void;
}

const FIRST_DELAY_MS = 50;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export class ReconnectingBus {
  #bus?: Bus;
  #stopped = false;
  #looping = false;

  constructor(
    private readonly opts: ReconnectingOptions,
    private readonly setup: ConnectionSetup,
  ) {}

  /** The connection, while one is up and set up. */
  get bus(): Bus | undefined {
    return this.#bus && !this.#bus.closed ? this.#bus : undefined;
  }

  /** The first connection; its failure is thrown (BusError `unavailable` where no bus runs). */
  async connect(): Promise<void> {
    await this.#connectOnce();
  }

  /**
   * Keeps trying in the background until a connection is up, every `maxDelayMs` at the most; `quiet` logs
   * only every 20th failure (where no bus is expected: the agent's cron mode).
   */
  retry(maxDelayMs = this.opts.maxDelayMs ?? 2000, quiet = false): void {
    void this.#loop(maxDelayMs, quiet);
  }

  /** Stops reconnecting and closes the connection, after `goodbye` (e.g. releasing a name) had its turn. */
  async stop(goodbye?: (bus: Bus) => Promise<void>): Promise<void> {
    this.#stopped = true;
    const bus = this.bus;
    this.#bus = undefined;
    if (!bus) return;
    await goodbye?.(bus).catch(() => undefined);
    await bus.close();
  }

  async #connectOnce(): Promise<void> {
    const bus = await Bus.connect({
      ...(this.opts.user ? { user: true } : {}),
      ...(this.opts.address ? { address: this.opts.address } : {}),
      ...(this.opts.env ? { env: this.opts.env } : {}),
      ...(this.setup.prepare ? { prepare: this.setup.prepare } : {}),
    });
    try {
      await this.setup.connected(bus);
      // Lost while being set up, at a moment nothing was waiting on it: as good as lost during a call.
      if (bus.closed) throw new BusError('disconnected', `the bus at ${bus.address} went away while connecting`);
    } catch (err) {
      this.setup.dropped?.(bus);
      await bus.close();
      throw err;
    }
    if (this.#stopped) {
      this.setup.dropped?.(bus);
      await bus.close();
      return;
    }
    this.#bus = bus;
    bus.onDisconnect((err) => {
      if (this.#bus === bus) this.#bus = undefined;
      this.setup.dropped?.(bus);
      if (this.#stopped) return;
      this.opts.log(`lost the bus${err ? ` (${err.message})` : ''}; reconnecting`);
      this.retry();
    });
  }

  async #loop(maxDelayMs: number, quiet: boolean): Promise<void> {
    if (this.#looping) return;
    this.#looping = true;
    try {
      let delay = FIRST_DELAY_MS;
      for (let attempt = 1; !this.#stopped; attempt++) {
        try {
          await this.#connectOnce();
          if (this.#bus) this.opts.log(`reconnected after ${attempt} attempt(s)`);
          return;
        } catch (err) {
          if (err instanceof BusError && err.code === 'remote') {
            this.opts.log(err.message);
            this.opts.fatal?.(err);
            return;
          }
          if ((!quiet && attempt <= 3) || attempt % 20 === 0) this.opts.log(`reconnecting (attempt ${attempt}): ${(err as Error).message}`);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, maxDelayMs);
      }
    } finally {
      this.#looping = false;
    }
  }
}
