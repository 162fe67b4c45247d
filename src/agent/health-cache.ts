/**
 * The containers' health as the agent serves it: podman's, not systemd's, read with one container list for
 * all of them, at most one read at a time; read again when asked for after ttlMs, after a container changed
 * state, and when a health check podman ran (a transient unit named after the container's ID) ends. A change
 * is reported (the agent invalidates Containers).
 */
import { healthByName, healthCheckUnitId, healthColumn, type Health, type PodmanHealth } from '../containers/health.js';
import type { ContainerEntry } from '../containers/inventory.js';
import type { ListedContainer } from '../engine/podman.js';

export interface HealthCacheOptions {
  /** podman's container list; where no systemd runs, the same read gives the containers' states. */
  list(): Promise<readonly ListedContainer[]>;
  /** The podman names of the containers with a health check. */
  names(): string[];
  readonly ttlMs: number;
  changed(): void;
}

export class HealthCache {
  #health = new Map<string, PodmanHealth>();
  /** Container ID → name, for the transient units podman runs health checks as. */
  #ids = new Map<string, string>();
  #at = 0;
  #reading?: Promise<void>;

  constructor(private readonly opts: HealthCacheOptions) {}

  /** '' when the definition has no health check, else podman's word for it (unknown until podman said). */
  of(entry: ContainerEntry): string {
    return this.health(entry) ?? '';
  }

  /** As a status row has it: null without a health check. A read older than ttlMs is started again. */
  health(entry: ContainerEntry): Health | null {
    if (entry.healthCheck && this.#stale) void this.read();
    return healthColumn(entry, this.#health);
  }

  /** Reads again first when the last read is older than ttlMs (or invalidated). */
  async fresh(): Promise<void> {
    if (this.#stale) await this.read();
  }

  get #stale(): boolean {
    return Date.now() - this.#at >= this.opts.ttlMs;
  }

  /** The next of() reads again (a container changed state). */
  invalidate(): void {
    this.#at = 0;
  }

  /** Whether a unit is a health check podman runs for one of these containers. */
  isCheck(unit: string): boolean {
    const id = healthCheckUnitId(unit);
    return id !== undefined && this.#ids.has(id);
  }

  /** Reads now (unless a read is out), when any container has a health check. */
  read(): Promise<void> {
    if (this.#reading) return this.#reading;
    if (this.opts.names().length === 0) return Promise.resolve();
    this.#reading = this.opts
      .list()
      .catch(() => [])
      .then((listed) => this.take(listed))
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  /** Takes health from a container list read anyway; a container podman does not list is unknown. */
  take(listed: readonly ListedContainer[]): void {
    const health = healthByName(listed, this.opts.names());
    const changed = [...health].some(([name, v]) => this.#health.get(name)?.health !== v.health);
    this.#health = health;
    this.#ids = new Map([...health].map(([name, v]) => [v.id, name]));
    this.#at = Date.now();
    if (changed) this.opts.changed();
  }
}
