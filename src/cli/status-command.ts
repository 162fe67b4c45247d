/**
 * `berth status [NAME…] [--json] [--watch] [--user]`: one row per defined container, from the agent when
 * one runs (status-agent.ts: one call), else read from systemd's bus (src/systemd), never from systemctl. A
 * definition whose unit systemd has not loaded is listed with its load state (not-found), not hidden, and
 * with the generator's reason when its record says it refused the definition (definitions/collect.ts).
 * --watch (status-watch.ts) shows rows as systemd signals changes.
 */
import { loadInventory, type ContainerEntry, type Inventory } from '../containers/inventory.js';
import { collectStatus, withRefusals, type ContainerStatus } from '../containers/status.js';
import { UsageError } from '../errors.js';
import { Bus } from '../systemd/bus.js';
import { SystemdManager } from '../systemd/manager.js';
import { rowsFromAgent } from './status-agent.js';
import { formatTable } from './status-table.js';

export interface StatusFlags {
  json?: boolean;
  watch?: boolean;
  user?: boolean;
  /** A bus address instead of the system (or user) bus; for tests and odd setups. */
  address?: string;
}

export interface StatusIO {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err: NodeJS.WritableStream;
  /** Resolves when --watch should stop (default: SIGINT or SIGTERM). */
  readonly stopped?: Promise<void>;
}

const defaultIO = (): StatusIO => ({ out: process.stdout, err: process.stderr });

/** The containers asked for, in the order asked (all, sorted by name, when none is named). */
export function select(inventory: Inventory, names: readonly string[]): ContainerEntry[] {
  if (names.length === 0) return inventory.containers;
  const byName = new Map(inventory.containers.map((c) => [c.name, c]));
  const unknown: string[] = [];
  const chosen: ContainerEntry[] = [];
  for (const raw of names) {
    const name = raw.replace(/\.service$/, '');
    const entry = byName.get(name);
    if (entry) chosen.push(entry);
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new UsageError(`no container definition named ${unknown.join(', ')} on the search path (${inventory.searchPaths.join(', ')})`);
  }
  return chosen;
}

function warnDefinitionErrors(inventory: Inventory, io: StatusIO): void {
  for (const e of inventory.errors) io.err.write(`berth: ${e.message} (not listed)\n`);
}

/** Why the generator refused the definitions of units systemd has not loaded (its record is read only then). */
async function withReasons(rows: ContainerStatus[], user: boolean): Promise<ContainerStatus[]> {
  if (!rows.some((r) => r.load === 'not-found')) return rows;
  const { lastRun } = await import('../definitions/collect.js');
  return withRefusals(rows, lastRun({ user }));
}

export async function runStatus(names: string[], flags: StatusFlags, io: StatusIO = defaultIO()): Promise<number> {
  const user = flags.user ?? false;
  const inventory = loadInventory({ user });
  const entries = select(inventory, names);
  warnDefinitionErrors(inventory, io);
  const address = flags.address ? { address: flags.address } : {};
  if (flags.watch) {
    // After a daemon-reload: the definitions again (those named that still exist).
    const wanted = new Set(names.map((n) => n.replace(/\.service$/, '')));
    const reload = (): ContainerEntry[] => loadInventory({ user }).containers.filter((c) => names.length === 0 || wanted.has(c.name));
    const { watchStatus } = await import('./status-watch.js');
    return watchStatus({ user, ...address, json: flags.json ?? false, entries, reload }, io);
  }
  const bus = await Bus.connect({ user, ...address });
  try {
    const rows = (await rowsFromAgent(bus, entries)) ?? (await withReasons(await collectStatus(new SystemdManager(bus, { user }), entries), user));
    io.out.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : rows.length ? formatTable(rows) : 'no containers defined\n');
    return 0;
  } finally {
    await bus.close();
  }
}
