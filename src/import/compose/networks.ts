/**
 * A service's networks: and network_mode:. Each network is a Network= line naming its .network definition
 * (Quadlet resolves it to the network and orders the unit after it), with podman's per-network options:
 * the service's name as an alias (compose makes every service reachable by its name) and the aliases and
 * addresses compose gives. A service without either joins the project's default network, as in compose.
 */
import { literalValue } from '../../unit/quote.js';
import type { ComposeContext } from './context.js';
import { serviceStem } from './names.js';
import type { Parts } from './parts.js';
import type { Node, Where } from './tree.js';

function join(ctx: ComposeContext, parts: Parts, at: Where, service: string, network: string, options: readonly string[]): void {
  const ref = ctx.networks.get(network);
  if (ref === undefined) return ctx.v.fail(at, `the network "${network}" is not declared in the top-level networks:`);
  const value = literalValue(`${ref}:${[`alias=${service}`, ...options].join(',')}`);
  if (value === undefined) return ctx.v.fail(at, 'this network cannot be written as Network=');
  parts.key('Container', 'Network', value);
}

/** networks: of a service, or the default network when `node` is undefined. */
export function serviceNetworks(ctx: ComposeContext, parts: Parts, service: string, node: Node | undefined, at: Where): void {
  const { v } = ctx;
  if (node === undefined) return join(ctx, parts, at, service, 'default', []);
  if (node.kind === 'seq') {
    for (const t of v.texts(node)) join(ctx, parts, t.at, service, t.value, []);
    return;
  }
  for (const e of v.entries(node)) {
    const options: string[] = [];
    if (e.value.kind === 'map') {
      for (const o of e.value.entries) {
        if (o.key === 'aliases') options.push(...v.texts(o.value).map((t) => `alias=${t.value}`));
        else if (o.key === 'ipv4_address' || o.key === 'ipv6_address') options.push(`ip=${v.text(o.value)}`);
        else if (o.key === 'mac_address') options.push(`mac=${v.text(o.value)}`);
        else if (o.key === 'interface_name') options.push(`interface_name=${v.text(o.value)}`);
        else if (!o.key.startsWith('x-')) parts.report(o.at, 'no Quadlet equivalent, left out');
      }
    } else if (v.optText(e.value) !== undefined) v.fail(e.value.at, 'a network takes a mapping of its options, or nothing');
    join(ctx, parts, e.at, service, e.key, options);
  }
}

/** network_mode: host, none, bridge, service:NAME (that service's container, through its definition), container:NAME. */
export function networkMode(ctx: ComposeContext, parts: Parts, node: Node): void {
  const mode = ctx.v.text(node);
  let value: string | undefined = mode;
  if (mode.startsWith('service:')) {
    const service = mode.slice('service:'.length);
    if (!ctx.services.has(service)) return ctx.v.fail(node.at, `no service "${service}" in this file`);
    value = `${serviceStem(ctx.project, service)}.container`;
  }
  const written = literalValue(value);
  if (written === undefined) return ctx.v.fail(node.at, 'this network mode cannot be written as Network=');
  parts.key('Container', 'Network', written);
}
