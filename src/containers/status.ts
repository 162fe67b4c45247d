/**
 * One row per defined container, as `berth status` prints it and the agent serves it: the unit's state
 * from systemd (over D-Bus), the container's health from podman (one `podman ps` for all, and only when a
 * definition has a health check), the newest checkpoint from the archive folder, and the next scheduled one
 * from the checkpoint timer (or the agent's own scheduler where no systemd runs).
 */
import { statSync } from 'node:fs';
import { refusalReason } from '../definitions/listing.js';
import type { Podman } from '../engine/podman.js';
import type { LastRun } from '../generator/last-run.js';
import type { ServiceStatus } from '../systemd/properties.js';
import type { SystemdManager } from '../systemd/manager.js';
import { healthColumn, podmanHealth, type Health, type PodmanHealth } from './health.js';
import type { ContainerEntry } from './inventory.js';
import { liveTimer, sinceOf, type LiveService, type LiveTimer } from './live-containers.js';

export interface LastCheckpoint {
  /** ISO 8601 */
  readonly at: string;
  readonly size: number;
  /** Manifest present and matching the file's size (sha256 is not recomputed for status). */
  readonly valid: boolean;
  readonly path: string;
  readonly problem?: string;
  /** How long CRIU kept the container frozen (µs), when podman reported it. */
  readonly freezeMicros?: number;
}

export interface CheckpointStatus {
  readonly directory: string;
  /** The newest archive, valid or not; null when there is none. */
  readonly last: LastCheckpoint | null;
  /** When the next scheduled checkpoint runs (ISO 8601); null when none is scheduled. */
  readonly next: string | null;
  /** When the schedule last fired (ISO 8601), null if never. */
  readonly lastTrigger: string | null;
  /** NAME-checkpoint.timer, or null when [Checkpoint] has no schedule. */
  readonly timer: string | null;
  /** The timer's active state (active, inactive, …) or its load state when not loaded (not-found). */
  readonly timerState: string | null;
  /** Why the archive folder could not be read. */
  readonly error?: string;
}

export interface ContainerStatus {
  readonly name: string;
  readonly unit: string;
  readonly definition: string;
  readonly container: string | null;
  /** systemd's LoadState: loaded, not-found (the unit was not generated or not reloaded yet), masked, … */
  readonly load: string;
  readonly active: string;
  readonly sub: string;
  readonly result: string;
  readonly mainPid: number;
  /** Since when the unit is in its active state (as systemctl status says), ISO 8601; null if never. */
  readonly since: string | null;
  readonly restarts: number;
  /** null when the definition has no health check. */
  readonly health: Health | null;
  /** null when the definition has no [Checkpoint] section. */
  readonly checkpoint: CheckpointStatus | null;
  /** For a unit systemd has not loaded: why the generator refused the definition at its last run. */
  readonly refused?: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The systemd half of a row. */
export type UnitColumns = Pick<ContainerStatus, 'load' | 'active' | 'sub' | 'result' | 'mainPid' | 'since' | 'restarts'>;

/** The systemd half of a row, from a read of systemd. */
export function unitColumns(s: ServiceStatus): UnitColumns {
  return { load: s.loadState, active: s.activeState, sub: s.subState, result: s.result, mainPid: s.mainPid, since: iso(s.since), restarts: s.restarts };
}

/** The systemd half of a row, from the agent's live record. */
export function liveColumns(s: LiveService): UnitColumns {
  return { load: s.load, active: s.active, sub: s.sub, result: s.result, mainPid: s.mainPid, since: iso(sinceOf(s)), restarts: s.restarts };
}

/** When a checkpoint timer fires next: only a loaded, active timer has a next run. */
export function timerNext(timer: LiveTimer | undefined): Date | null {
  return timer?.load === 'loaded' && timer.active === 'active' ? timer.nextElapse : null;
}

/** The newest archive of a container (quick validity: manifest and size). */
export async function lastCheckpoint(entry: ContainerEntry): Promise<{ last: LastCheckpoint | null; error?: string }> {
  if (!entry.checkpoint) return { last: null };
  try {
    // Loaded only for a container with [Checkpoint]: `berth status` of the others never needs it.
    const [{ CheckpointStore }, { freezeMicros }] = await Promise.all([import('../checkpoint/store.js'), import('../checkpoint/facts.js')]);
    const store = new CheckpointStore(entry.checkpoint.directory, entry.name);
    // Most such containers have no archive folder yet: a stat says so, where the listing would make an
    // exception of each missing folder (half of what the agent's answer to GetStatus took).
    if (!statSync(store.dir, { throwIfNoEntry: false })) return { last: null };
    const [newest] = await store.list();
    if (!newest) return { last: null };
    const freeze = freezeMicros(newest.manifest?.stats);
    return {
      last: {
        at: newest.createdAt.toISOString(),
        size: newest.size,
        valid: newest.valid,
        path: newest.path,
        ...(newest.problem ? { problem: newest.problem } : {}),
        ...(freeze !== undefined ? { freezeMicros: freeze } : {}),
      },
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { last: null, error: code === 'EACCES' ? `cannot read ${entry.checkpoint.directory}/${entry.name} (permission denied)` : (err as Error).message };
  }
}

/** The checkpoint columns: the newest archive, the timer's state, and the next run (the timer's, or the agent's scheduler's). */
export function checkpointColumns(entry: ContainerEntry, last: { last: LastCheckpoint | null; error?: string }, timer: LiveTimer | undefined, next: Date | null): CheckpointStatus | null {
  if (!entry.checkpoint) return null;
  const timerLoaded = timer?.load === 'loaded';
  return {
    directory: entry.checkpoint.directory,
    last: last.last,
    next: iso(next),
    lastTrigger: timerLoaded ? iso(timer.lastTrigger) : null,
    timer: entry.timer ?? null,
    timerState: !entry.timer || !timer ? null : timerLoaded ? timer.active : timer.load,
    ...(last.error ? { error: last.error } : {}),
  };
}

/** One row: what the definition says, then what systemd, podman and the archive folder say. */
export function statusRow(entry: ContainerEntry, unit: UnitColumns, health: Health | null, checkpoint: CheckpointStatus | null): ContainerStatus {
  return { name: entry.name, unit: entry.unit, definition: entry.definition, container: entry.container, ...unit, health, checkpoint };
}

/** The rows, those of units systemd has not loaded with the generator's reason when it refused their definitions. */
export function withRefusals(rows: readonly ContainerStatus[], run: LastRun | undefined): ContainerStatus[] {
  const refused = new Map((run?.definitions ?? []).filter((d) => d.refused).map((d) => [d.source, d]));
  return rows.map((r) => {
    const d = r.load === 'not-found' ? refused.get(r.definition) : undefined;
    return d ? { ...r, refused: refusalReason(d) } : r;
  });
}

export interface CollectOptions {
  /** Who answers for health (default: $PODMAN), asked only when a definition has a health check. */
  readonly podman?: Podman;
  /** Filled with the container ID of each container whose health was read (by container name). */
  readonly ids?: Map<string, string>;
}

/** Health from one `podman ps`, when a definition has a health check (only then is podman's code loaded). */
async function healthOf(containers: readonly string[], podman: Podman | undefined): Promise<Map<string, PodmanHealth>> {
  if (containers.length === 0) return new Map();
  return podmanHealth(podman ?? new (await import('../engine/podman.js')).Podman(), containers);
}

/** Rows for the given containers, in their order: systemd read with SystemdManager.readUnits, podman asked for health, archive folders listed, all at once. */
export async function collectStatus(manager: SystemdManager, entries: readonly ContainerEntry[], opts: CollectOptions = {}): Promise<ContainerStatus[]> {
  const timers = entries.flatMap((e) => (e.timer ? [e.timer] : []));
  const checked = entries.flatMap((e) => (e.healthCheck && e.container ? [e.container] : []));
  const [{ services, timers: timerStates }, health, lasts] = await Promise.all([
    manager.readUnits(entries.map((e) => e.unit), timers),
    healthOf(checked, opts.podman),
    Promise.all(entries.map((e) => lastCheckpoint(e))),
  ]);
  const timerByName = new Map(timerStates.map((t) => [t.unit, liveTimer(t)]));
  for (const [name, h] of health) if (h.id) opts.ids?.set(name, h.id);
  return entries.map((e, i) => {
    const timer = e.timer ? timerByName.get(e.timer) : undefined;
    return statusRow(e, unitColumns(services[i]!), healthColumn(e, health), checkpointColumns(e, lasts[i]!, timer, timerNext(timer)));
  });
}
