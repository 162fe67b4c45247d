/** The [Pod] section: every key, how it becomes `podman pod create` flags, in emission order. */
import type { KeyTable } from './rules.js';
import { userMappingKeys } from './user-mapping-keys.js';

export const POD_KEYS: KeyTable = {
  // Handled around the table: the pod's name, global args, the service's name, the stop timeout.
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },
  ServiceName: { rule: { kind: 'none' } },
  StopTimeout: { rule: { kind: 'none' }, gate: 'pod stop --time' },

  ExitPolicy: { rule: { kind: 'custom' }, gate: 'pod create --exit-policy' },

  ...userMappingKeys('pod create', true),

  PublishPort: { rule: { kind: 'lines', flag: '--publish' } },
  Label: { rule: { kind: 'keyval', flag: '--label' } },
  Network: { rule: { kind: 'custom' }, gate: 'pod create --network' },

  IP: { rule: { kind: 'string', flag: '--ip' } },
  IP6: { rule: { kind: 'string', flag: '--ip6' } },
  ShmSize: { rule: { kind: 'string', flag: '--shm-size' } },

  NetworkAlias: { rule: { kind: 'lines', flag: '--network-alias' } },
  DNS: { rule: { kind: 'lines', flag: '--dns' } },
  DNSOption: { rule: { kind: 'lines', flag: '--dns-option', legacy: '--dns-opt' } },
  DNSSearch: { rule: { kind: 'lines', flag: '--dns-search' } },
  AddHost: { rule: { kind: 'lines', flag: '--add-host' } },
  // Quadlet passes every HostName= line on (LookupAll), not only the last.
  HostName: { rule: { kind: 'lines', flag: '--hostname' } },

  Volume: { rule: { kind: 'custom' }, gate: 'pod create --volume' },

  // --infra-name NAME-infra --name NAME, then the raw args last.
  PodName: { rule: { kind: 'custom' }, gate: 'pod create --name' },
  PodmanArgs: { rule: { kind: 'raw' } },
};
