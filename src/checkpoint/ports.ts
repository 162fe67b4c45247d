/**
 * Which host ports something listens on, from the kernel's socket tables (/proc/net/tcp, tcp6, udp, udp6) of
 * this network namespace: TCP sockets in LISTEN, UDP sockets bound and unconnected. Rootful podman holds the
 * host ports of its containers' published ports itself, so they show here too.
 */
import { readFile } from 'node:fs/promises';

const TABLES = [
  ['tcp', '/proc/net/tcp', '0A'],
  ['tcp', '/proc/net/tcp6', '0A'],
  ['udp', '/proc/net/udp', '07'],
  ['udp', '/proc/net/udp6', '07'],
] as const;

/** The ports of one table's text (`sl local_address rem_address st …`, addresses as HEXIP:HEXPORT) in `state`. */
export function portsOfTable(text: string, protocol: string, state: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [, local, , st] = line.trim().split(/\s+/);
    const port = local?.slice(local.lastIndexOf(':') + 1);
    if (st === state && port) out.push(`${protocol}/${parseInt(port, 16)}`);
  }
  return out;
}

export async function portsInUse(): Promise<Set<string>> {
  const texts = await Promise.all(TABLES.map(([, path]) => readFile(path, 'utf8').catch(() => '')));
  return new Set(TABLES.flatMap(([protocol, , state], i) => portsOfTable(texts[i]!, protocol, state)));
}
