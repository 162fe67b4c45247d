/**
 * volumes: and tmpfs: of a service. A bind mount's host path is made absolute (compose resolves it against
 * the compose file's folder); a named volume becomes a reference to its .volume definition, which Quadlet
 * resolves to the volume and orders the unit after; tmpfs mounts become Tmpfs=.
 */
import { literalValue } from '../../unit/quote.js';
import { hostPath, type ComposeContext } from './context.js';
import type { Parts } from './parts.js';
import type { Node, Where } from './tree.js';
import { field } from './values.js';

/** Mount options compose takes from Docker Desktop that mean nothing to podman on Linux. */
const DESKTOP_ONLY = new Set(['cached', 'delegated', 'consistent']);

/** SOURCE:TARGET[:OPTIONS] with a source as compose wrote it: a path, or the name of a declared volume. */
function mount(ctx: ComposeContext, parts: Parts, at: Where, source: string | undefined, target: string, options: readonly string[]): void {
  const opts = options.filter((o) => {
    if (!DESKTOP_ONLY.has(o)) return true;
    parts.report(at, `the mount option ${o} means nothing to podman on Linux, left out`);
    return false;
  });
  const tail = [target, ...(opts.length > 0 ? [opts.join(',')] : [])];
  if (source === undefined) return parts.flag(at, '--volume', tail.join(':'));
  if (/^[./~]/.test(source)) {
    const path = hostPath(ctx, source);
    if (path === undefined) return ctx.v.fail(at, `${source}: no home folder to resolve ~ against`);
    return parts.flag(at, '--volume', [path, ...tail].join(':'));
  }
  const volume = ctx.volumes.get(source);
  if (volume === undefined) return ctx.v.fail(at, `the volume "${source}" is not declared in the top-level volumes:`);
  if (!volume.endsWith('.volume')) return parts.flag(at, '--volume', [volume, ...tail].join(':'));
  const value = literalValue([volume, ...tail].join(':'));
  if (value === undefined) return ctx.v.fail(at, 'this mount cannot be written as Volume=');
  parts.key('Container', 'Volume', value);
}

function longMount(ctx: ComposeContext, parts: Parts, node: Node): void {
  const { v } = ctx;
  const entries = v.entries(node);
  const text = (key: string): string | undefined => {
    const e = field(entries, key);
    return e && v.text(e.value);
  };
  const type = text('type') ?? 'volume';
  const target = text('target');
  if (target === undefined) return v.fail(node.at, 'a mount needs target:');
  const source = text('source');
  const known = new Set(['type', 'source', 'target', 'read_only', type]);
  for (const e of entries) if (!known.has(e.key) && !e.key.startsWith('x-')) parts.report(e.at, `no Quadlet equivalent for a ${type} mount, left out`);
  const sub = field(entries, type);
  const subEntries = sub && sub.value.kind === 'map' ? sub.value.entries : [];
  const readOnly = field(entries, 'read_only');
  const options = readOnly && v.bool(readOnly.value) ? ['ro'] : [];
  if (type === 'tmpfs') {
    const tmpfs = subEntries.flatMap((e) => (['size', 'mode'].includes(e.key) ? [`${e.key}=${v.text(e.value)}`] : (parts.report(e.at, 'no Quadlet equivalent, left out'), [])));
    return parts.flag(node.at, '--tmpfs', [target, ...(tmpfs.length > 0 ? [tmpfs.join(',')] : [])].join(':'));
  }
  if (type === 'image' && source !== undefined) return parts.flag(node.at, '--mount', `type=image,source=${source},destination=${target}`);
  if (type !== 'bind' && type !== 'volume') return parts.report(node.at, `a ${type} mount has no Quadlet equivalent, left out`);
  for (const e of subEntries) {
    if (e.key === 'propagation' || e.key === 'selinux') options.push(v.text(e.value));
    else if (e.key === 'nocopy') {
      if (v.bool(e.value)) options.push('nocopy');
    } else if (e.key === 'create_host_path') {
      if (v.bool(e.value)) parts.report(e.at, 'podman does not create a missing host folder: make it before the unit starts');
    } else parts.report(e.at, 'no Quadlet equivalent, left out');
  }
  if (type === 'bind' && (source === undefined || !/^[./~]/.test(source))) return v.fail(node.at, 'a bind mount needs a source path');
  mount(ctx, parts, node.at, source, target, options);
}

export function volumes(ctx: ComposeContext, parts: Parts, node: Node): void {
  for (const item of ctx.v.items(node)) {
    if (item.kind === 'map') {
      longMount(ctx, parts, item);
      continue;
    }
    const words = ctx.v.text(item).split(':');
    if (words.length === 1) mount(ctx, parts, item.at, undefined, words[0]!, []);
    else if (words.length <= 3) mount(ctx, parts, item.at, words[0]!, words[1]!, words[2]?.split(',') ?? []);
    else ctx.v.fail(item.at, 'a volume is SOURCE:TARGET[:MODE]');
  }
}

export function tmpfs(ctx: ComposeContext, parts: Parts, node: Node): void {
  for (const t of ctx.v.texts(node)) parts.flag(t.at, '--tmpfs', t.value);
}
