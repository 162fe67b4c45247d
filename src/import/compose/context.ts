/** What converting one service needs to know of the whole compose file. */
import { isAbsolute, resolve } from 'node:path';
import type { Lookup } from './interpolate.js';
import type { Values } from './values.js';

export interface ComposeContext {
  readonly v: Values;
  /** The compose file's folder, absolute: relative paths are resolved against it, as compose does. */
  readonly dir: string;
  /** For `~/` paths. */
  readonly home: string | undefined;
  readonly project: string;
  /** Compose volume name → the source Volume= names: PROJECT_NAME.volume, or an external volume's name. */
  readonly volumes: ReadonlyMap<string, string>;
  /** Compose network name → Network=: PROJECT_NAME.network, or an external network's name. */
  readonly networks: ReadonlyMap<string, string>;
  /** Compose secret name → the podman secret's name, and the command that makes it (none for an external one). */
  readonly secrets: ReadonlyMap<string, { readonly name: string; readonly create?: string }>;
  readonly services: ReadonlySet<string>;
  /** The variables interpolation reads (process environment over .env): for `environment: [KEY]`. */
  readonly lookup: Lookup;
}

/** A host path as compose reads it: `~/` from the home folder, relative ones from the compose file's folder. */
export function hostPath(ctx: Pick<ComposeContext, 'dir' | 'home'>, path: string): string | undefined {
  if (path === '~' || path.startsWith('~/')) return ctx.home === undefined ? undefined : resolve(ctx.home, path.slice(2));
  return isAbsolute(path) ? path : resolve(ctx.dir, path);
}
