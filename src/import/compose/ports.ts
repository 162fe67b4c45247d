/**
 * ports: → PublishPort= and expose: → ExposeHostPort=. podman's -p reads compose's short syntax
 * ([IP:][HOST:]CONTAINER[/PROTOCOL], ranges, [IPv6]) as it stands; the long syntax is written in it.
 */
import type { Parts } from './parts.js';
import type { Node } from './tree.js';
import { field, type Values } from './values.js';

const SHORT = /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;

function longPort(v: Values, parts: Parts, node: Node): string {
  const entries = v.entries(node);
  const target = field(entries, 'target');
  if (!target) return v.fail(node.at, 'a port needs target:');
  const published = field(entries, 'published');
  const hostIp = field(entries, 'host_ip');
  const protocol = field(entries, 'protocol');
  for (const e of entries) {
    if (['name', 'app_protocol'].includes(e.key)) parts.report(e.at, 'no Quadlet equivalent (compose keeps it as a description only), left out');
    else if (!['target', 'published', 'host_ip', 'protocol', 'mode'].includes(e.key) && !e.key.startsWith('x-')) parts.report(e.at, 'unknown port key, left out');
  }
  const host = [hostIp && v.text(hostIp.value), published ? v.text(published.value) : hostIp ? '' : undefined].filter((x) => x !== undefined);
  return [...host, v.text(target.value)].join(':') + (protocol ? `/${v.text(protocol.value)}` : '');
}

export function ports(v: Values, parts: Parts, node: Node): void {
  for (const item of v.items(node)) {
    const spec = item.kind === 'map' ? longPort(v, parts, item) : v.text(item);
    if (!SHORT.test(spec)) v.fail(item.at, `"${spec}" is no port mapping ([IP:][HOST:]CONTAINER[/PROTOCOL])`);
    parts.flag(item.at, '--publish', spec);
  }
}

export function expose(v: Values, parts: Parts, node: Node): void {
  for (const t of v.texts(node)) parts.flag(t.at, '--expose', t.value);
}
