/**
 * The top-level networks:, volumes: and secrets:. A network or volume compose would create becomes a
 * .network or .volume definition, made from the `podman network|volume create` flags it means (resources.ts
 * of the podman importer); an external one is named as it is. Quadlet cannot create podman secrets: each
 * secret's `podman secret create` command is handed to the user.
 */
import { quoteShellWords } from '../../unit/quote.js';
import type { Imported } from '../definition.js';
import { networkDefinition, volumeDefinition } from '../resources.js';
import { hostPath, type ComposeContext } from './context.js';
import { objectName } from './names.js';
import { Parts, located } from './parts.js';
import type { Entry } from './tree.js';
import { field } from './values.js';

type Context = Pick<ComposeContext, 'v' | 'project' | 'dir' | 'home'>;

/** A declared network or volume: the name Network=/Volume= gives for it, and its definition unless external. */
export interface Resource {
  readonly ref: string;
  readonly definition?: Imported;
}

/** name: and external:, which every top-level network, volume and secret may have. */
function naming(ctx: Context, e: Entry): { name: string; external: boolean } {
  const entries = e.value.kind === 'map' ? e.value.entries : [];
  if (e.value.kind !== 'map' && ctx.v.optText(e.value) !== undefined) ctx.v.fail(e.value.at, 'a mapping of its settings is expected here, or nothing');
  const name = field(entries, 'name');
  const external = field(entries, 'external');
  const isExternal = external !== undefined && (external.value.kind === 'map' || ctx.v.bool(external.value));
  return { name: name ? ctx.v.text(name.value) : isExternal ? e.key : objectName(ctx.project, e.key), external: isExternal };
}

/** The settings each kind reads itself; name and external are read by naming(). */
type Reader = (ctx: Context, parts: Parts, setting: Entry) => void;

function resource(ctx: Context, e: Entry, read: Reader, make: typeof networkDefinition): Resource {
  const { name, external } = naming(ctx, e);
  if (external) return { ref: name };
  const parts = new Parts(ctx.v.file);
  for (const s of e.value.kind === 'map' ? e.value.entries : []) {
    if (s.key !== 'name' && s.key !== 'external' && !s.key.startsWith('x-')) read(ctx, parts, s);
  }
  const definition = make(parts.options, name, parts);
  return { ref: definition.fileName, definition };
}

/** driver, driver_opts and labels: the same flags for networks and volumes. */
function common(ctx: Context, parts: Parts, s: Entry): boolean {
  if (s.key === 'driver') parts.flag(s.at, '--driver', ctx.v.text(s.value));
  else if (s.key === 'driver_opts') ctx.v.pairs(s.value).forEach((p) => parts.flag(p.at, '--opt', `${p.key}=${p.value ?? ''}`));
  else if (s.key === 'labels') ctx.v.pairs(s.value).forEach((p) => parts.flag(p.at, '--label', `${p.key}=${p.value ?? ''}`));
  else return false;
  return true;
}

const networkSetting: Reader = (ctx, parts, s) => {
  if (common(ctx, parts, s)) return;
  if (s.key === 'internal' || s.key === 'enable_ipv6') return parts.flag(s.at, s.key === 'internal' ? '--internal' : '--ipv6', String(ctx.v.bool(s.value)));
  if (s.key === 'attachable') return parts.report(s.at, 'swarm only: every podman network is attachable, left out');
  if (s.key !== 'ipam') return parts.report(s.at, 'no Quadlet equivalent, left out');
  for (const i of ctx.v.entries(s.value)) {
    if (i.key === 'driver') parts.flag(i.at, '--ipam-driver', ctx.v.text(i.value));
    else if (i.key === 'config') {
      for (const c of ctx.v.items(i.value)) {
        for (const k of ctx.v.entries(c)) {
          const flag = ({ subnet: '--subnet', gateway: '--gateway', ip_range: '--ip-range' } as Record<string, string>)[k.key];
          if (flag) parts.flag(k.at, flag, ctx.v.text(k.value));
          else parts.report(k.at, 'no Quadlet equivalent, left out');
        }
      }
    } else parts.report(i.at, 'no Quadlet equivalent, left out');
  }
};

const volumeSetting: Reader = (ctx, parts, s) => {
  if (!common(ctx, parts, s)) parts.report(s.at, 'no Quadlet equivalent, left out');
};

export const network = (ctx: Context, e: Entry): Resource => resource(ctx, e, networkSetting, networkDefinition);
export const volume = (ctx: Context, e: Entry): Resource => resource(ctx, e, volumeSetting, volumeDefinition);

/** A declared secret: the podman secret's name, and the command that makes it (none for an external one). */
export interface Secret {
  readonly name: string;
  readonly create?: string;
}

export function secret(ctx: Context, e: Entry, warnings: string[]): Secret {
  const { name, external } = naming(ctx, e);
  if (external) return { name };
  const entries = ctx.v.entries(e.value);
  const file = field(entries, 'file');
  const env = field(entries, 'environment');
  for (const s of entries) {
    if (!['name', 'external', 'file', 'environment'].includes(s.key) && !s.key.startsWith('x-')) warnings.push(`${located(ctx.v.file, s.at)}: no Quadlet equivalent, left out`);
  }
  let create: string | undefined;
  if (file) {
    const path = hostPath(ctx, ctx.v.text(file.value));
    if (path === undefined) ctx.v.fail(file.value.at, 'no home folder to resolve ~ against');
    create = quoteShellWords(['podman', 'secret', 'create', name, path]);
  } else if (env) create = quoteShellWords(['podman', 'secret', 'create', '--env', name, ctx.v.text(env.value)]);
  else return ctx.v.fail(e.at, 'a secret needs file: or environment: (or external: true)');
  warnings.push(`${located(ctx.v.file, e.at)}: Quadlet cannot create podman secrets: make it before the units start: ${create}`);
  return { name, create };
}
