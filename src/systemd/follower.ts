/**
 * Follows systemd's manager on one bus connection, whenever systemd is on that bus: at once if it is, and
 * each time it comes back (systemd leaves the bus and returns when it re-executes, and reconnects after the
 * bus daemon restarts). Each time: Subscribe() and the match rules (SystemdManager.subscribe), then
 * `attached`, where the owner reads everything once. A failure on a live connection is tried again; a lost
 * connection is the owner's business (ReconnectingBus).
 */
import { DBUS_IFACE, type Bus, type SignalMessage } from './bus.js';
import { SYSTEMD_OWNER_RULE, SystemdManager, type Subscription, type UnitEvents } from './manager.js';
import { SYSTEMD_NAME } from './properties.js';

export interface FollowerEvents extends UnitEvents {
  /** systemd is on the bus and its signals come: read what it has now. */
  attached(manager: SystemdManager): Promise<void>;
}

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export class SystemdFollower {
  #manager?: SystemdManager;
  #subscription?: Subscription;
  /** Attaching, one after the other (at start, and whenever systemd comes back on the bus). */
  #attaching: Promise<void> = Promise.resolve();
  #closed = false;
  /** Whether this follower added the rule that tells it when systemd comes and goes. */
  #ownerRule = false;
  readonly #offSignal: () => void;

  constructor(
    readonly bus: Bus,
    private readonly opts: { readonly user: boolean; readonly log: (line: string) => void },
    private readonly events: FollowerEvents,
  ) {
    this.#offSignal = bus.onSignal((s) => this.#onSignal(s));
  }

  /** systemd's manager while systemd is on the bus. */
  get manager(): SystemdManager | undefined {
    return this.#manager;
  }

  /**
   * Starts following. Resolves once systemd is followed and `attached` has read (or systemd is found
   * absent), or after a first failure, which is then tried again in the background. Never throws.
   */
  async start(): Promise<void> {
    if (await this.#try(FIRST_RETRY_MS)) return;
    void (async () => {
      for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, LONGEST_RETRY_MS)) {
        await sleep(delay);
        if (await this.#try(Math.min(delay * 2, LONGEST_RETRY_MS))) return;
      }
    })();
  }

  /** Stops following (Unsubscribe, rules removed, unless the connection is gone anyway). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#offSignal();
    this.#manager = undefined;
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = undefined;
    if (this.#ownerRule) await this.bus.removeMatch(SYSTEMD_OWNER_RULE).catch(() => undefined);
    this.#ownerRule = false;
  }

  /** One attempt; true when done (followed, systemd absent, or nothing left to follow on). */
  async #try(retryInMs: number): Promise<boolean> {
    if (this.#closed || this.bus.closed) return true;
    try {
      if (!this.#ownerRule) {
        await this.bus.addMatch(SYSTEMD_OWNER_RULE);
        this.#ownerRule = true;
      }
      if (await this.bus.nameOwner(SYSTEMD_NAME)) await this.#attach();
      else this.opts.log(`${SYSTEMD_NAME} is not on the bus yet; waiting for it`);
      return true;
    } catch (err) {
      if (this.bus.closed) return true;
      this.opts.log(`following systemd failed (${(err as Error).message}); trying again in ${retryInMs} ms`);
      return false;
    }
  }

  #onSignal(s: SignalMessage): void {
    if (s.interface !== DBUS_IFACE || s.member !== 'NameOwnerChanged' || s.body[0] !== SYSTEMD_NAME || this.#closed) return;
    if (s.body[2]) {
      this.#attach().catch((err: unknown) => this.opts.log(`following systemd failed: ${(err as Error).message}`));
      return;
    }
    // Nobody to unsubscribe from; the rules go, and come back with the next subscription.
    const old = this.#subscription;
    this.#subscription = undefined;
    this.#manager = undefined;
    void old?.close({ unsubscribe: false });
    this.opts.log('systemd left the bus');
  }

  #attach(): Promise<void> {
    const next = this.#attaching.catch(() => undefined).then(() => this.#attachNow());
    this.#attaching = next;
    return next;
  }

  async #attachNow(): Promise<void> {
    if (this.#closed || this.bus.closed) return;
    const manager = new SystemdManager(this.bus, { user: this.opts.user });
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = undefined;
    this.#subscription = await manager.subscribe(this.events);
    this.#manager = manager;
    await this.events.attached(manager);
  }
}
