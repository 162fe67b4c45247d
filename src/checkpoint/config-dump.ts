/**
 * What an archive says about the container it restores: podman's config.dump (the container's configuration
 * as podman stores it, JSON) holds its ID, image and the command line it was created with, the same values
 * `podman container inspect` reports as Id, ImageName and Config.CreateCommand, and its published ports,
 * static addresses and OCI runtime. The manifest takes them from the archive itself, read while the export
 * is checked, rather than from an inspect run beside the export.
 */
import { CheckpointError } from '../errors.js';
import type { NetworkFacts, PortFact, Protocol } from './facts.js';

export interface CheckpointedContainer {
  readonly id: string;
  readonly image: string;
  /** The argv the container was created with: it identifies what the archive will restore. */
  readonly createCommand: readonly string[];
  readonly network: NetworkFacts;
}

interface ConfigDump {
  id?: unknown;
  rootfsImageName?: unknown;
  rootfsImageID?: unknown;
  CreateCommand?: unknown;
  runtime?: unknown;
  newPortMappings?: unknown;
  newNetworks?: unknown;
  /** podman before 4.0 kept one address of each here. */
  staticIP?: unknown;
  staticMAC?: unknown;
}

export function containerOf(configDump: Buffer, archive: string): CheckpointedContainer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configDump.toString('utf8'));
  } catch (x) {
    throw new CheckpointError('verify', `the config.dump of ${archive} is not JSON (${(x as Error).message})`);
  }
  const config = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ConfigDump;
  const image = typeof config.rootfsImageName === 'string' && config.rootfsImageName ? config.rootfsImageName : config.rootfsImageID;
  const command = config.CreateCommand ?? [];
  if (typeof config.id !== 'string' || typeof image !== 'string' || !Array.isArray(command) || !command.every((w) => typeof w === 'string')) {
    throw new CheckpointError('verify', `the config.dump of ${archive} does not name the container's id, image and command as podman writes them`);
  }
  return { id: config.id, image, createCommand: command, network: networkOf(config) };
}

/** Ports, addresses, image ID and runtime; what podman left out (or wrote in a shape berth does not know) is none. */
function networkOf(config: ConfigDump): NetworkFacts {
  const ports: PortFact[] = [];
  for (const m of Array.isArray(config.newPortMappings) ? config.newPortMappings : []) {
    const { host_ip, host_port, container_port, range, protocol } = (m ?? {}) as Record<string, unknown>;
    if (typeof container_port !== 'number') continue;
    for (const p of (typeof protocol === 'string' && protocol ? protocol : 'tcp').split(',')) {
      if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') continue;
      ports.push({
        hostIP: typeof host_ip === 'string' ? host_ip : '',
        hostPort: typeof host_port === 'number' ? host_port : 0,
        containerPort: container_port,
        protocol: p as Protocol,
        range: typeof range === 'number' && range > 0 ? range : 1,
      });
    }
  }
  const ips = new Set<string>(typeof config.staticIP === 'string' && config.staticIP ? [config.staticIP] : []);
  const macs = new Set<string>(typeof config.staticMAC === 'string' && config.staticMAC ? [config.staticMAC] : []);
  const networks = typeof config.newNetworks === 'object' && config.newNetworks !== null ? Object.values(config.newNetworks) : [];
  for (const n of networks as Array<{ static_ips?: unknown; static_mac?: unknown } | null>) {
    for (const ip of Array.isArray(n?.static_ips) ? n.static_ips : []) if (typeof ip === 'string') ips.add(ip);
    if (typeof n?.static_mac === 'string' && n.static_mac) macs.add(n.static_mac);
  }
  return {
    imageId: typeof config.rootfsImageID === 'string' ? config.rootfsImageID : '',
    runtime: typeof config.runtime === 'string' ? config.runtime : '',
    ports,
    staticIPs: [...ips],
    staticMACs: [...macs],
  };
}
