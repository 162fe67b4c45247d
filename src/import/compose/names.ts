/**
 * The names a compose project's definitions and podman objects get. Compose scopes everything by its project
 * (`name:`, else COMPOSE_PROJECT_NAME, else the folder's name): a container definition is PROJECT-SERVICE
 * (unit PROJECT-SERVICE.service, container systemd-PROJECT-SERVICE as Quadlet names it), and networks and
 * volumes are PROJECT_NAME, the names compose itself gives them, so volumes made by compose carry over.
 */
import { basename } from 'node:path';

/** As compose normalizes it: lower case, only a-z 0-9 _ -, starting with a letter or digit. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

/** The project's name: the top-level `name:`, else COMPOSE_PROJECT_NAME, else the compose file's folder. */
export function projectName(declared: string | undefined, fromEnv: string | undefined, dir: string): string {
  return normalizeProjectName(declared || fromEnv || basename(dir));
}

/** The stem of a service's .container (and .build) definition. */
export const serviceStem = (project: string, service: string): string => `${project}-${service}`;

/** A network's, volume's or secret's podman name, when the compose file gives it no `name:`. */
export const objectName = (project: string, name: string): string => `${project}_${name}`;
