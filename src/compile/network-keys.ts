/** The [Network] section: every key, how it becomes `podman network create` flags, in emission order. */
import type { KeyTable } from './rules.js';

export const NETWORK_KEYS: KeyTable = {
  // Handled around the table: the network's and the service's names, global args, removal on stop.
  NetworkName: { rule: { kind: 'none' } },
  ServiceName: { rule: { kind: 'none' } },
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },
  NetworkDeleteOnStop: { rule: { kind: 'none' }, syntax: 'bool', gate: 'network rm' },

  DisableDNS: { rule: { kind: 'bool', flag: '--disable-dns' } },
  Internal: { rule: { kind: 'bool', flag: '--internal' } },
  IPv6: { rule: { kind: 'bool', flag: '--ipv6' } },

  // Some values of these need a newer podman than the flag: see VALUE_GATED in network.ts.
  Driver: { rule: { kind: 'string', flag: '--driver' } },
  IPAMDriver: { rule: { kind: 'string', flag: '--ipam-driver' } },
  InterfaceName: { rule: { kind: 'string', flag: '--interface-name' } },
  DNS: { rule: { kind: 'lines', flag: '--dns' } },

  // Paired by position: the Nth Gateway and IPRange go with the Nth Subnet.
  Subnet: { rule: { kind: 'custom' }, gate: 'network create --subnet' },
  Gateway: { rule: { kind: 'none' }, gate: 'network create --gateway' },
  IPRange: { rule: { kind: 'none' }, gate: 'network create --ip-range' },

  Options: { rule: { kind: 'keyval', flag: '--opt' } },
  Label: { rule: { kind: 'keyval', flag: '--label' } },
  PodmanArgs: { rule: { kind: 'raw' } },
};
