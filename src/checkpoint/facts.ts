/**
 * What a restore elsewhere must know about where an archive was made (the manifest's `facts`): the host
 * (kernel, CPU, OCI runtime; podman's and CRIU's versions are the manifest's own fields) and the container's
 * network face and image, as podman's config.dump records them. Pure: parsing and comparing only; the
 * host is read by host-facts.ts.
 */

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** One published port (a range of `range` ports from hostPort and containerPort on). hostPort 0: podman picks one. */
export interface PortFact {
  readonly hostIP: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: Protocol;
  readonly range: number;
}

/** What config.dump says of the container's network and image. */
export interface NetworkFacts {
  readonly imageId: string;
  /** The OCI runtime's name (runc, crun) or path, as podman recorded it; '' when it used its default. */
  readonly runtime: string;
  readonly ports: readonly PortFact[];
  readonly staticIPs: readonly string[];
  readonly staticMACs: readonly string[];
}

/** The machine a checkpoint was taken on. */
export interface MachineFacts {
  /** uname -r */
  readonly kernel: string;
  /** uname -m */
  readonly arch: string;
  readonly cpuModel: string;
  /** The CPU's feature flags (/proc/cpuinfo `flags`, or `Features` on ARM), sorted. */
  readonly cpuFlags: readonly string[];
  readonly runtimeVersion: string;
}

export type CheckpointFacts = MachineFacts & NetworkFacts;

/** The CPU's model and flags from the text of /proc/cpuinfo (its first processor: all share the flags berth compares). */
export function cpuOf(cpuinfo: string): { model: string; flags: string[] } {
  const first = cpuinfo.split(/\n\s*\n/)[0] ?? '';
  const fields = new Map<string, string>();
  for (const line of first.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  // The first of the names that the architecture writes.
  const field = (...names: string[]): string | undefined => names.map((n) => fields.get(n)).find((v) => v !== undefined);
  const flags = (field('flags', 'features') ?? '').split(/\s+/).filter(Boolean);
  return { model: field('model name', 'cpu model', 'cpu') ?? '', flags: [...new Set(flags)].sort() };
}

const PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp'];

/**
 * podman's --publish syntax, `[[IP:][HOSTPORT]:]CONTAINERPORT[/PROTOCOL[,PROTOCOL]]` with ranges
 * (`8080-8081:80-81`) and IPv6 addresses in brackets; undefined when it is not one.
 */
export function parsePublish(spec: string): PortFact[] | undefined {
  const slash = spec.lastIndexOf('/');
  const bracket = spec.lastIndexOf(']');
  const [body, protos] = slash > bracket ? [spec.slice(0, slash), spec.slice(slash + 1)] : [spec, 'tcp'];
  const protocols = protos.split(',');
  if (!protocols.every((p) => PROTOCOLS.includes(p))) return undefined;
  let hostIP = '';
  let rest = body;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']:');
    if (end < 0) return undefined;
    hostIP = rest.slice(1, end);
    rest = rest.slice(end + 2);
  }
  const parts = rest.split(':');
  if (!hostIP && parts.length === 3) hostIP = parts.shift()!;
  if (parts.length > 2) return undefined;
  const container = range(parts.at(-1)!);
  const host = parts.length === 2 && parts[0] !== '' ? range(parts[0]!) : { from: 0, count: container?.count ?? 0 };
  if (!container || !host || (host.from !== 0 && host.count !== container.count)) return undefined;
  return protocols.map((protocol) => ({ hostIP, hostPort: host.from, containerPort: container.from, protocol: protocol as Protocol, range: container.count }));
}

function range(text: string): { from: number; count: number } | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return from <= 65535 && to <= 65535 && to >= from ? { from, count: to - from + 1 } : undefined;
}

/** A port as podman's --publish writes it. */
export function publishSpec(p: PortFact): string {
  const span = (from: number): string => (p.range > 1 ? `${from}-${from + p.range - 1}` : `${from}`);
  const ip = p.hostIP.includes(':') ? `[${p.hostIP}]` : p.hostIP;
  const host = p.hostPort > 0 ? span(p.hostPort) : '';
  return `${ip || host ? `${ip ? `${ip}:` : ''}${host}:` : ''}${span(p.containerPort)}/${p.protocol}`;
}

/** The same ports, whatever their order. */
export function samePorts(a: readonly PortFact[], b: readonly PortFact[]): boolean {
  const key = (p: PortFact): string => `${p.hostIP}|${p.hostPort}|${p.containerPort}|${p.protocol}|${p.range}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/** The host ports a port takes, as `tcp/8080`. */
export function hostPortsOf(p: PortFact): string[] {
  return p.hostPort > 0 ? Array.from({ length: p.range }, (_, i) => `${p.protocol}/${p.hostPort + i}`) : [];
}

/** CRIU's freeze of the container, in µs, from podman's --print-stats (`frozen_time`); undefined when it has none. */
export function freezeMicros(stats: unknown): number | undefined {
  const list = (stats as { container_statistics?: unknown } | undefined)?.container_statistics;
  const first = Array.isArray(list) ? (list[0] as { criu_statistics?: { frozen_time?: unknown } } | undefined) : undefined;
  const frozen = first?.criu_statistics?.frozen_time;
  return typeof frozen === 'number' && Number.isFinite(frozen) && frozen >= 0 ? frozen : undefined;
}

/** Version words compared number by number (`4.2.1` < `4.10`); undefined when either has no number. */
export function compareVersions(a: string, b: string): number | undefined {
  const nums = (v: string): number[] => (/^v?(\d+(?:\.\d+)*)/.exec(v)?.[1] ?? '').split('.').filter(Boolean).map(Number);
  const x = nums(a);
  const y = nums(b);
  if (x.length === 0 || y.length === 0) return undefined;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Checks a manifest's `facts`; throws naming the first problem. */
export function parseFacts(value: unknown): CheckpointFacts {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('manifest facts is not an object');
  const f = value as Record<string, unknown>;
  for (const key of ['kernel', 'arch', 'cpuModel', 'runtimeVersion', 'imageId', 'runtime'] as const) {
    if (typeof f[key] !== 'string') throw new Error(`manifest facts lack the string ${key}`);
  }
  for (const key of ['cpuFlags', 'staticIPs', 'staticMACs'] as const) {
    if (!isStrings(f[key])) throw new Error(`manifest facts ${key} is not a list of strings`);
  }
  const portOk = (p: Partial<PortFact>): boolean =>
    typeof p === 'object' && p !== null && typeof p.hostIP === 'string' && PROTOCOLS.includes(p.protocol as string) &&
    [p.hostPort, p.containerPort, p.range].every((n) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= 65535);
  if (!Array.isArray(f['ports']) || !f['ports'].every(portOk)) throw new Error('manifest facts ports is not a list of ports');
  return f as unknown as CheckpointFacts;
}
