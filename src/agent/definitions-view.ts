/**
 * The agent's Definitions property and ListDefinitions (what `berth list` shows, definitions/listing.ts),
 * kept current: read again after each daemon-reload (the generator has run), when the record of the
 * generator's last run changes in its folder (a `berth generate` by hand); a burst of such events costs one
 * read. A unit's state follows systemd's signals without a read. Clients are told when the rows changed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { readListing, unitStates } from '../definitions/collect.js';
import { lastRunPath } from '../definitions/last-run-file.js';
import { listRows, unitsToAsk, type DefinitionRow, type UnitState } from '../definitions/listing.js';
import type { LastRun } from '../generator/last-run.js';
import type { SystemdManager } from '../systemd/manager.js';

/** Lets a burst of events (a reload's signals, the record's rename) land before reading. */
const SETTLE_MS = 100;

/** What a PropertiesChanged of a unit said of its LoadState, ActiveState and SubState. */
export interface UnitStateChange {
  readonly load?: string;
  readonly active?: string;
  readonly sub?: string;
}

export interface DefinitionsViewOptions {
  readonly user: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** systemd's manager, when the agent follows one (none in cron mode: states are "unknown"). */
  manager(): SystemdManager | undefined;
  /** The rows changed. */
  changed(): void;
  log(line: string): void;
}

export class DefinitionsView {
  #rows: readonly DefinitionRow[] = [];
  /** Each row's index by its unit. */
  #byUnit = new Map<string, number>();
  #text = '[]';
  #run: LastRun | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #stopped = false;

  constructor(private readonly opts: DefinitionsViewOptions) {}

  get rows(): readonly DefinitionRow[] {
    return this.#rows;
  }

  /** The record of the generator's last run, as last read. */
  get run(): LastRun | undefined {
    return this.#run;
  }

  /** The rows read now, as `berth list --json` prints them (without its indentation). */
  async current(): Promise<string> {
    await this.refresh();
    return this.#text;
  }

  /** The generator may have run: read again soon. */
  stale(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.refresh();
    }, SETTLE_MS);
  }

  /** Reads the definitions, the record and systemd's states; one read at a time, again if asked meanwhile. */
  refresh(): Promise<void> {
    this.#again = true;
    this.#reading ??= (async () => {
      try {
        while (this.#again && !this.#stopped) {
          this.#again = false;
          await this.#read().catch((err: unknown) => this.opts.log(`reading the definitions failed: ${(err as Error).message}`));
        }
      } finally {
        this.#reading = undefined;
      }
    })();
    return this.#reading;
  }

  /** systemd says a unit's states changed: a listed, loaded unit's row takes them; a new load state needs a read. */
  unitChanged(unit: string, changed: UnitStateChange): void {
    const i = this.#byUnit.get(unit);
    const row = i === undefined ? undefined : this.#rows[i];
    if (!row || i === undefined) return;
    if (changed.load !== undefined && changed.load !== row.load) return this.stale();
    if (row.load !== 'loaded') return;
    const next = { ...row, state: changed.active ?? row.state, sub: changed.sub ?? row.sub };
    if (next.state === row.state && next.sub === row.sub) return;
    this.#set(this.#rows.map((r, j) => (j === i ? next : r)));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
  }

  async #read(): Promise<void> {
    const { files, run } = readListing({ user: this.opts.user, ...(this.opts.env ? { env: this.opts.env } : {}) });
    // Before systemd is asked: GetStatus, answered meanwhile, has the new record's reasons.
    this.#run = run;
    const manager = this.opts.manager();
    let states: Map<string, UnitState> | undefined;
    try {
      states = manager ? await unitStates(manager, unitsToAsk(files)) : undefined;
    } catch (err) {
      this.opts.log(`reading the definitions' units from systemd failed: ${(err as Error).message}`);
    }
    this.#set(listRows(files, run, states));
    this.#watch();
  }

  #set(rows: readonly DefinitionRow[]): void {
    this.#rows = rows;
    this.#byUnit = new Map(rows.flatMap((r, i) => (r.unit === null ? [] : [[r.unit, i] as const])));
    const text = JSON.stringify(rows);
    if (text === this.#text) return;
    this.#text = text;
    this.opts.changed();
  }

  /**
   * Watches the record's folder. systemd empties the generator's folder before each run, which ends a
   * watch on it: it is made again after each read (a daemon-reload's read among them).
   */
  #watch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#stopped) return;
    try {
      const watcher = watch(dirname(lastRunPath(this.opts.user, this.opts.env)), { persistent: false }, () => this.stale());
      watcher.on('error', () => watcher.close());
      this.#watcher = watcher;
    } catch {
      // No such folder yet: the generator has not run; the next daemon-reload reads again.
    }
  }
}
