/**
 * `berth status [NAME…] [--json] [--watch] [--user]`: one row per defined container, read from systemd's
 * bus (src/systemd), never from systemctl. A definition whose unit systemd has not loaded is listed with
 * its load state (not-found), not hidden. --watch follows systemd's signals and shows rows as they change.
 */
import { healthCheckUnitId } from '../containers/health.js';
import { loadInventory, type ContainerEntry, type Inventory } from '../containers/inventory.js';
import { collectStatus, type ContainerStatus } from '../containers/status.js';
import { BusError, UsageError } from '../errors.js';
import { SystemdManager } from '../systemd/manager.js';

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

// ---------------------------------------------------------------------------------------------------
// Text output

function localTime(isoText: string | null): string {
  if (!isoText) return '-';
  const d = new Date(isoText);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T'];
  let v = bytes;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)}${units[u]}`;
}

export function stateText(r: ContainerStatus): string {
  if (r.load === 'not-found') return 'not loaded';
  if (r.load !== 'loaded') return `${r.load} (${r.active})`;
  const state = `${r.active} (${r.sub})`;
  return r.active === 'failed' && r.result && r.result !== 'success' ? `${state}: ${r.result}` : state;
}

function checkpointText(r: ContainerStatus): [string, string] {
  const c = r.checkpoint;
  if (!c) return ['-', '-'];
  const last = c.error ? 'unreadable' : c.last ? `${localTime(c.last.at)} ${size(c.last.size)} ${c.last.valid ? 'valid' : 'INVALID'}` : 'none';
  const next = c.next ? localTime(c.next) : c.timer ? `- (timer ${c.timerState ?? 'unknown'})` : 'on demand';
  return [last, next];
}

export function formatTable(rows: readonly ContainerStatus[]): string {
  const header = ['NAME', 'STATE', 'PID', 'SINCE', 'RESTARTS', 'HEALTH', 'LAST CHECKPOINT', 'NEXT CHECKPOINT'];
  const lines = rows.map((r) => {
    const loaded = r.load !== 'not-found';
    const [last, next] = checkpointText(r);
    return [
      r.name,
      stateText(r),
      r.mainPid ? String(r.mainPid) : '-',
      loaded ? localTime(r.since) : '-',
      loaded ? String(r.restarts) : '-',
      r.health ?? '-',
      last,
      next,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------

function warnDefinitionErrors(inventory: Inventory, io: StatusIO): void {
  for (const e of inventory.errors) io.err.write(`berth: ${e.message} (not listed)\n`);
}

export async function runStatus(names: string[], flags: StatusFlags, io: StatusIO = defaultIO()): Promise<number> {
  const user = flags.user ?? false;
  const inventory = loadInventory({ user });
  const entries = select(inventory, names);
  warnDefinitionErrors(inventory, io);
  const manager = await SystemdManager.connect({ user, ...(flags.address ? { address: flags.address } : {}) });
  try {
    const rows = await collectStatus(manager, entries);
    if (!flags.watch) {
      io.out.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : rows.length ? formatTable(rows) : 'no containers defined\n');
      return 0;
    }
    // After a daemon-reload: the definitions again (those named that still exist).
    const reload = (): ContainerEntry[] => {
      const now = loadInventory({ user });
      const wanted = new Set(names.map((n) => n.replace(/\.service$/, '')));
      return names.length ? now.containers.filter((c) => wanted.has(c.name)) : now.containers;
    };
    return await watch(manager, rows, flags, io, reload, entries);
  } finally {
    await manager.close();
  }
}

/** --watch: re-reads the rows whose units systemd says changed (coalesced), and all after a daemon-reload. */
async function watch(
  manager: SystemdManager,
  initial: ContainerStatus[],
  flags: StatusFlags,
  io: StatusIO,
  reload: () => ContainerEntry[],
  initialEntries: ContainerEntry[],
): Promise<number> {
  let entries = initialEntries;
  const rows = new Map(initial.map((r) => [r.name, r]));
  const byUnit = new Map<string, ContainerEntry>();
  // Health is podman's; its checks run as transient units named after the container's ID: when one of
  // those changes, the row is read again.
  const ids = new Map<string, string>();
  const byId = new Map<string, ContainerEntry>();
  const collect = async (which: ContainerEntry[]): Promise<ContainerStatus[]> => {
    const fresh = await collectStatus(manager, which, { ids });
    byId.clear();
    for (const e of entries) if (ids.has(e.container ?? '')) byId.set(ids.get(e.container!)!, e);
    return fresh;
  };
  const index = (): void => {
    byUnit.clear();
    for (const e of entries) {
      byUnit.set(e.unit, e);
      if (e.timer) byUnit.set(e.timer, e);
    }
  };
  index();
  const tty = Boolean(io.out.isTTY) && !flags.json;
  const render = (changed: ContainerStatus[]): void => {
    if (flags.json) {
      for (const r of changed) io.out.write(JSON.stringify(r) + '\n');
    } else if (tty) {
      io.out.write('\x1b[H\x1b[2J' + formatTable([...rows.values()]));
    } else {
      const stamp = new Date().toISOString();
      for (const r of changed) io.out.write(`${stamp} ${formatTable([r]).split('\n')[1]}\n`);
    }
  };
  if (tty) render([]);
  else if (flags.json) render(initial);
  else io.out.write(formatTable(initial));

  const dirty = new Set<string>();
  let all = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const refresh = async (): Promise<void> => {
    if (all) {
      all = false;
      dirty.clear();
      entries = reload();
      index();
      const fresh = await collect(entries);
      const changed = fresh.filter((r) => JSON.stringify(r) !== JSON.stringify(rows.get(r.name)));
      rows.clear();
      for (const r of fresh) rows.set(r.name, r);
      if (changed.length || tty) render(changed);
      return;
    }
    const names = [...dirty];
    dirty.clear();
    const which = entries.filter((e) => names.includes(e.name));
    if (which.length === 0) return;
    const fresh = await collect(which);
    const changed = fresh.filter((r) => JSON.stringify(r) !== JSON.stringify(rows.get(r.name)));
    for (const r of fresh) rows.set(r.name, r);
    if (changed.length) render(changed);
  };
  const schedule = (): void => {
    timer ??= setTimeout(() => {
      timer = undefined;
      running = running.then(refresh).catch((err: unknown) => {
        io.err.write(`berth: ${(err as Error).message}\n`);
      });
    }, 50);
  };

  let failure: Error | undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    (io.stopped ?? new Promise<void>((r) => {
      process.once('SIGINT', r);
      process.once('SIGTERM', r);
    })).then(stop);
    manager.bus.onDisconnect((err) => {
      failure = new BusError('disconnected', `the bus went away${err ? `: ${err.message}` : ''}`);
      resolve();
    });
  });
  const subscription = await manager.subscribe({
    unitChanged: (unit) => {
      const id = healthCheckUnitId(unit);
      const e = byUnit.get(unit) ?? (id ? byId.get(id) : undefined);
      if (!e) return;
      dirty.add(e.name);
      schedule();
    },
    reloading: (active) => {
      if (active) return;
      all = true;
      schedule();
    },
  });
  // A unit changed between the first read and the subscription: read everything once more.
  all = true;
  schedule();
  await stopped;
  clearTimeout(timer);
  await running;
  await subscription.close();
  if (failure) throw failure;
  return 0;
}
