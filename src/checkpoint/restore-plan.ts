/**
 * Whether an archive can be restored here, and with which podman flags: its manifest's facts (facts.ts)
 * against this host's, and the definition's container (its name, ports and addresses) against the archive's.
 * Pure: the host is read by the caller (host-facts.ts, ports.ts). A restore that would fail in CRIU or
 * podman is refused here with the reason, before anything is stopped or copied.
 */
import type { RestoreFlags } from '../engine/podman.js';
import { compareVersions, hostPortsOf, parsePublish, publishSpec, samePorts, type PortFact } from './facts.js';
import type { Manifest } from './manifest.js';
import type { HostFacts } from './host-facts.js';
import { runHash } from './take.js';
import { isBooleanRunFlag } from '../import/run-flags.js';

/** This host, as a restore needs it. */
export interface Here {
  readonly host: HostFacts;
  /** The archive's OCI runtime as found here: no path when this host lacks it. */
  readonly runtime: { readonly path?: string; readonly version: string };
  /** Whether the archive's image (by ID) is in podman's store here; undefined when not asked. */
  readonly imagePresent?: boolean;
  /** Host ports something listens on, as `tcp/8080`. */
  readonly portsInUse: ReadonlySet<string>;
}

/** What the restore is for: the definition's container. */
export interface Intent {
  /** The definition's container name: the only one the restore may replace. */
  readonly container: string;
  /** The unit's `podman run` argv, when known (not in the agent's cron mode). */
  readonly argv?: readonly string[];
  /** The definition's container runs now (and holds its ports): the restore stops it first. */
  readonly running?: boolean;
}

export interface RestorePlan {
  readonly ok: boolean;
  /** Why it cannot be restored here (empty when ok). */
  readonly refusals: readonly string[];
  /** What differs from where it was made, and what the flags do about it. */
  readonly notes: readonly string[];
  readonly flags: RestoreFlags;
}

/** The published ports and static addresses a `podman run` argv asks for (its options, up to the image). */
export function runNetwork(argv: readonly string[]): { ports: PortFact[]; ips: string[]; macs: string[] } {
  const out = { ports: [] as PortFact[], ips: [] as string[], macs: [] as string[] };
  const start = argv.indexOf('run') + 1;
  for (let i = start; i > 0 && i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--' || !word.startsWith('-')) break;
    const eq = word.indexOf('=');
    const flag = eq > 0 ? word.slice(0, eq) : word;
    let value: string | undefined;
    if (eq > 0) value = word.slice(eq + 1);
    else if (!isBooleanRunFlag(flag)) value = argv[++i];
    if (value === undefined) continue;
    if (flag === '--publish' || flag === '-p') out.ports.push(...(parsePublish(value) ?? []));
    else if (flag === '--ip' || flag === '--ip6') out.ips.push(value);
    else if (flag === '--mac-address') out.macs.push(value);
  }
  return out;
}

const list = (words: readonly string[]): string => words.join(', ');

export function planRestore(manifest: Manifest, here: Here, intent: Intent): RestorePlan {
  const refusals: string[] = [];
  const notes: string[] = [];
  const facts = manifest.facts;
  const rename = manifest.container !== intent.container;
  const flags: { -readonly [K in keyof RestoreFlags]: RestoreFlags[K] } = {
    tcpEstablished: manifest.tcpEstablished,
    fileLocks: manifest.fileLocks,
    ...(rename ? { name: intent.container } : {}),
  };
  if (rename) {
    notes.push(`it is of container ${manifest.container}: restored as ${intent.container}, with a new ID`);
    if (manifest.tcpEstablished) refusals.push(`it is of container ${manifest.container}, not ${intent.container}, and holds established TCP connections, which podman cannot restore under another name`);
  }

  // CRIU and the runtime that restore must be able to read what dumped it.
  const criu = compareVersions(here.host.criuVersion, manifest.criuVersion);
  if (criu === undefined) notes.push(`CRIU's versions cannot be compared (dumped by ${manifest.criuVersion}, ${here.host.criuVersion} here)`);
  else if (criu < 0) refusals.push(`CRIU ${here.host.criuVersion} here is older than CRIU ${manifest.criuVersion}, which dumped it`);
  if (compareVersions(here.host.podmanVersion, manifest.podmanVersion) !== 0) notes.push(`made with podman ${manifest.podmanVersion}, restored with ${here.host.podmanVersion}`);

  if (!facts) {
    notes.push('its manifest records no host facts (made by an older berth): CPU, runtime, ports and image are not compared');
  } else {
    if (facts.arch !== here.host.arch) refusals.push(`it was dumped on ${facts.arch}, and this host is ${here.host.arch}`);
    else if (here.host.cpuFlags.length > 0) {
      // A process may use any instruction its CPU offered when it started: each one must be here too.
      const have = new Set(here.host.cpuFlags);
      const missing = facts.cpuFlags.filter((f) => !have.has(f));
      if (missing.length > 0) refusals.push(`this host's CPU (${here.host.cpuModel || 'unknown model'}) lacks ${list(missing)}, which the CPU it was dumped on (${facts.cpuModel || 'unknown model'}) has and its processes may use`);
      else if (facts.cpuModel !== here.host.cpuModel) notes.push(`dumped on ${facts.cpuModel || 'an unknown CPU'}, restored on ${here.host.cpuModel || 'an unknown CPU'} (which has every flag it had)`);
    }
    const runtime = facts.runtime || 'runc';
    if (!here.runtime.path) refusals.push(`it was dumped by the OCI runtime ${runtime}, which this host does not have (podman restores with the runtime that dumped)`);
    else if (facts.runtimeVersion !== here.runtime.version) notes.push(`dumped by ${runtime} ${facts.runtimeVersion}, restored by ${runtime} ${here.runtime.version}`);
    if (facts.kernel !== here.host.kernel) notes.push(`dumped on kernel ${facts.kernel}, restored on ${here.host.kernel}`);
    if (here.imagePresent === false) refusals.push(`its image ${manifest.image} (${facts.imageId.slice(0, 12)}) is not on this host: pull it first (podman pull ${manifest.image})`);
    planNetwork(manifest, here, intent, flags, refusals, notes);
  }
  if (manifest.tcpEstablished) notes.push('it holds established TCP connections: restored with --tcp-established (their peers must still reach this address)');
  return { ok: refusals.length === 0, refusals, notes, flags };
}

/** Ports and static addresses: the definition's, and whether this host has them free. */
function planNetwork(manifest: Manifest, here: Here, intent: Intent, flags: { -readonly [K in keyof RestoreFlags]: RestoreFlags[K] }, refusals: string[], notes: string[]): void {
  const facts = manifest.facts!;
  // The same definition asks for what the archive has; a changed one for what its argv says.
  const same = !intent.argv || (manifest.runHash !== undefined && manifest.runHash === runHash(intent.argv));
  const wanted = same ? { ports: [...facts.ports], ips: [...facts.staticIPs], macs: [...facts.staticMACs] } : runNetwork(intent.argv!);
  if (!samePorts(wanted.ports, facts.ports)) {
    flags.publish = wanted.ports.map(publishSpec);
    notes.push(`published as the definition says: ${list(flags.publish) || 'no ports'} (the archive had ${list(facts.ports.map(publishSpec)) || 'none'})`);
  }
  const own = new Set(intent.running ? wanted.ports.flatMap(hostPortsOf) : []);
  const taken = wanted.ports.flatMap(hostPortsOf).filter((p) => here.portsInUse.has(p) && !own.has(p));
  if (taken.length > 0) refusals.push(`host port ${list(taken)} is taken on this host by another program: free it, or change PublishPort= in the definition`);
  if (facts.staticIPs.length > 0 && !facts.staticIPs.every((ip) => wanted.ips.includes(ip))) {
    flags.ignoreStaticIp = true;
    notes.push(`its static address ${list(facts.staticIPs)} is not the definition's: restored with --ignore-static-ip`);
  }
  if (facts.staticMACs.length > 0 && !facts.staticMACs.every((mac) => wanted.macs.includes(mac))) {
    flags.ignoreStaticMac = true;
    notes.push(`its static MAC ${list(facts.staticMACs)} is not the definition's: restored with --ignore-static-mac`);
  }
}

/** The plan as lines for people: refusals first, then notes, then the flags. */
export function describePlan(plan: RestorePlan): string[] {
  const f = plan.flags;
  const words = [
    ...(f.name ? [`--name ${f.name}`] : []),
    ...(f.publish ?? []).map((p) => `--publish ${p}`),
    ...(f.ignoreStaticIp ? ['--ignore-static-ip'] : []),
    ...(f.ignoreStaticMac ? ['--ignore-static-mac'] : []),
    ...(f.tcpEstablished ? ['--tcp-established'] : []),
    ...(f.fileLocks ? ['--file-locks'] : []),
  ];
  return [
    ...plan.refusals.map((r) => `refused: ${r}`),
    ...plan.notes.map((n) => `note: ${n}`),
    ...(plan.ok ? [`podman container restore --import ARCHIVE${words.length ? ` ${words.join(' ')}` : ''}`] : []),
  ];
}
