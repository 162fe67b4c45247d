/**
 * A container's health, as podman has it: podman, not systemd, runs health checks, and `podman ps` says
 * the result at the end of a running container's status ("Up 2 minutes (healthy)"). Checks run as transient
 * systemd units named after the container's ID, which is how a follower of systemd learns that one ended.
 */
import type { ListedContainer, Podman } from '../engine/podman.js';
import type { ContainerEntry } from './inventory.js';

export type Health = 'healthy' | 'unhealthy' | 'starting' | 'unknown';

export interface PodmanHealth {
  readonly health: Health;
  /** The container's ID: podman runs its health checks as transient units named after it. */
  readonly id: string;
}

/** The health of one listed container: what its status says while it runs, unknown otherwise. */
export function healthOf(c: ListedContainer): Health {
  const m = /\((healthy|unhealthy|starting)\)\s*$/.exec(c.status);
  return c.state === 'running' && m ? (m[1] as Health) : 'unknown';
}

/** Health of the named containers from one container list; containers it does not hold are absent. */
export function healthByName(listed: readonly ListedContainer[], names: Iterable<string>): Map<string, PodmanHealth> {
  const wanted = new Set(names);
  const health = new Map<string, PodmanHealth>();
  for (const c of listed) if (wanted.has(c.name)) health.set(c.name, { health: healthOf(c), id: c.id });
  return health;
}

/** A row's health: null without a health check, else podman's word for it (unknown when podman did not say). */
export function healthColumn(entry: ContainerEntry, health: ReadonlyMap<string, PodmanHealth>): Health | null {
  if (!entry.healthCheck) return null;
  return (entry.container && health.get(entry.container)?.health) || 'unknown';
}

/** Health of the named containers from one `podman ps`; none at all when podman cannot be asked (all unknown). */
export async function podmanHealth(podman: Podman, names: Iterable<string>): Promise<Map<string, PodmanHealth>> {
  try {
    return healthByName(await podman.list(), names);
  } catch {
    return new Map();
  }
}

/**
 * The container ID in the name of a unit podman runs a health check as (`<64 hex>.service` or `.timer`,
 * newer podman adds `-<suffix>`), or undefined for any other unit.
 */
export function healthCheckUnitId(unit: string): string | undefined {
  return /^([0-9a-f]{64})(?:-[0-9a-z]+)?\.(?:service|timer)$/.exec(unit)?.[1];
}
