/**
 * The agent's two ways of knowing its containers: from systemd's signals (systemd-mode.ts), or, where no
 * systemd runs the units, from podman's container list, with the [Checkpoint] schedules run by the agent
 * itself (cron-mode.ts). The rest of the agent (backend.ts) serves the same live state either way.
 */
import type { CheckpointedEntry, ContainerEntry } from '../containers/inventory.js';
import type { LiveContainer, LiveContainers } from '../containers/live-containers.js';
import type { ListedContainer, Podman } from '../engine/podman.js';
import type { Bus } from '../systemd/bus.js';
import type { SystemdManager } from '../systemd/manager.js';
import type { UnitStateChange } from './definitions-view.js';
import type { HealthCache } from './health-cache.js';

export interface ModeContext {
  readonly live: LiveContainers;
  /** $PODMAN of the agent's environment. */
  readonly podman: Podman;
  readonly health: HealthCache;
  readonly user: boolean;
  readonly env?: NodeJS.ProcessEnv;
  log(line: string): void;
  /** Containers changed in a way no state-change signal said (a re-read): clients should read them again. */
  invalidate(): void;
  /** The generator may have run (attached to systemd, or a daemon-reload ended): reads the Definitions again. */
  readDefinitions(): Promise<void>;
  /** A unit's LoadState, ActiveState or SubState changed, as systemd's signal says. */
  unitStateChanged(unit: string, changed: UnitStateChange): void;
  /** A checkpoint the agent did not take itself (a timer's) ended. */
  checkpointFinished(name: string, ok: boolean, archive: string, error: string): void;
  /** Takes a checkpoint as a client's Checkpoint call does (the cron schedules run it). */
  checkpoint(entry: ContainerEntry): Promise<string>;
}

export interface Mode {
  readonly name: 'systemd' | 'cron';
  /** What can be known before any bus connection. */
  start(): Promise<void>;
  /** systemd's manager, while the agent follows one. */
  manager(): SystemdManager | undefined;
  /** A connection is up: resolves once the containers are known on it (the name is claimed after). */
  attach(bus: Bus): Promise<void>;
  /** That connection is gone. */
  detach(bus: Bus): void;
  /** The definitions changed (SIGHUP). */
  reload(): Promise<void>;
  /** Resolves once the reads under way are done (a refresh after a daemon-reload, units systemd changed). */
  settled(): Promise<void>;
  /** podman's container list, for health (where no systemd runs it gives the states too). */
  listContainers(): Promise<readonly ListedContainer[]>;
  /** When the container's next scheduled checkpoint runs, or null. */
  nextCheckpoint(c: LiveContainer): Date | null;
  /** Restores the archive (the newest valid one for '') and returns its path. */
  restore(entry: CheckpointedEntry, archive: string): Promise<string>;
  /** A checkpoint the agent took ended (it may have stopped the container). */
  checkpointTaken(): void;
  stop(): Promise<void>;
}
