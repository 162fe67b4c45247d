/**
 * One row per defined container, as `berth status` prints it and the agent serves it: the unit's state
 * from systemd (over D-Bus), the container's health from podman (one `podman ps` for all, and only when a
 * definition has a health check), the newest checkpoint from the archive folder, and the next scheduled one
 * from the checkpoint timer (or the agent's own scheduler where no systemd runs).
 */
import type { Podman } from '../engine/podman.js';
import type { ServiceStatus, TimerStatus } from '../systemd/properties.js';
import type { SystemdManager } from '../systemd/manager.js';
import { podmanHealth, type Health, type PodmanHealth } from './health.js';
import type { ContainerEntry } from './inventory.js';

export interface LastCheckpoint {
  /** ISO 8601 */
  readonly at: string;
  readonly size: number;
  /** Manifest present and matching the file's size (sha256 is not recomputed for status). */
  readonly valid: boolean;
  readonly path: string;
  readonly problem?: string;
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
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The systemd half of a row. */
export function unitColumns(s: ServiceStatus): Pick<ContainerStatus, 'load' | 'active' | 'sub' | 'result' | 'mainPid' | 'since' | 'restarts'> {
  return { load: s.loadState, active: s.activeState, sub: s.subState, result: s.result, mainPid: s.mainPid, since: iso(s.since), restarts: s.restarts };
}

/** The newest archive of a container (quick validity: manifest and size). */
export async function lastCheckpoint(entry: ContainerEntry): Promise<{ last: LastCheckpoint | null; error?: string }> {
  if (!entry.checkpoint) return { last: null };
  try {
    // Loaded only for a container with [Checkpoint]: `berth status` of the others never needs it.
    const { CheckpointStore } = await import('../checkpoint/store.js');
    const [newest] = await new CheckpointStore(entry.checkpoint.directory, entry.name).list();
    if (!newest) return { last: null };
    return {
      last: {
        at: newest.createdAt.toISOString(),
        size: newest.size,
        valid: newest.valid,
        path: newest.path,
        ...(newest.problem ? { problem: newest.problem } : {}),
      },
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { last: null, error: code === 'EACCES' ? `cannot read ${entry.checkpoint.directory}/${entry.name} (permission denied)` : (err as Error).message };
  }
}

export function checkpointColumns(entry: ContainerEntry, last: { last: LastCheckpoint | null; error?: string }, timer: TimerStatus | undefined, scheduled?: Date | null): CheckpointStatus | null {
  if (!entry.checkpoint) return null;
  const timerLoaded = timer && timer.loadState === 'loaded';
  return {
    directory: entry.checkpoint.directory,
    last: last.last,
    next: scheduled !== undefined ? iso(scheduled) : timerLoaded && timer.activeState === 'active' ? iso(timer.nextElapse) : null,
    lastTrigger: timerLoaded ? iso(timer.lastTrigger) : null,
    timer: entry.timer ?? null,
    timerState: !entry.timer ? null : !timer ? null : timerLoaded ? timer.activeState : timer.loadState,
    ...(last.error ? { error: last.error } : {}),
  };
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

/** Rows for the given containers, in their order: one ListUnitsByNames for services and timers, then a few Gets each, all at once. */
export async function collectStatus(manager: SystemdManager, entries: readonly ContainerEntry[], opts: CollectOptions = {}): Promise<ContainerStatus[]> {
  const timers = entries.flatMap((e) => (e.timer ? [e.timer] : []));
  const checked = entries.flatMap((e) => (e.healthCheck && e.container ? [e.container] : []));
  const [{ services, timers: timerStates }, health, lasts] = await Promise.all([
    manager.readUnits(entries.map((e) => e.unit), timers),
    healthOf(checked, opts.podman),
    Promise.all(entries.map((e) => lastCheckpoint(e))),
  ]);
  const timerByName = new Map(timerStates.map((t) => [t.unit, t]));
  for (const [name, h] of health) if (h.id) opts.ids?.set(name, h.id);
  return entries.map((e, i) => ({
    name: e.name,
    unit: e.unit,
    definition: e.definition,
    container: e.container,
    ...unitColumns(services[i]!),
    health: !e.healthCheck ? null : (e.container && health.get(e.container)?.health) || 'unknown',
    checkpoint: checkpointColumns(e, lasts[i]!, e.timer ? timerByName.get(e.timer) : undefined),
  }));
}
