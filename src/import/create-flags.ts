/**
 * The command lines of `podman pod create`, `podman network create` and `podman volume create` as podman 5.4
 * declares them (cmd/podman/pods/create.go with common/create.go and netflags.go in infra mode,
 * cmd/podman/networks/create.go, cmd/podman/volumes/create.go at v5.4.2), as run-flags.ts does for `run`;
 * `volume create --uid`/`--gid` are 5.6's, for the keys that need them.
 */
import { flagSpec, type FlagSpec } from './argv.js';

export const POD_CREATE_FLAGS: FlagSpec = flagSpec(
  ['help', 'infra', 'no-hosts', 'replace', 'share-parent'],
  [
    'blkio-weight', 'cgroup-parent', 'cpu-shares', 'cpus', 'cpuset-cpus', 'cpuset-mems', 'exit-policy', 'hostname',
    'hosts-file', 'infra-command', 'infra-conmon-pidfile', 'infra-image', 'infra-name', 'ip', 'ip6', 'mac-address',
    'memory m', 'memory-swap', 'name n', 'pid', 'pod-id-file', 'restart', 'share', 'shm-size', 'shm-size-systemd',
    'subgidname', 'subuidname', 'userns', 'uts',
  ],
  [
    'add-host', 'blkio-weight-device', 'device', 'device-read-bps', 'device-write-bps', 'dns', 'dns-option',
    'dns-search', 'gidmap', 'gpus', 'label l', 'label-file', 'network', 'network-alias', 'publish p', 'security-opt',
    'sysctl', 'uidmap', 'volume v', 'volumes-from',
  ],
  { '--dns-opt': '--dns-option', '--net': '--network' },
);

export const NETWORK_CREATE_FLAGS: FlagSpec = flagSpec(
  ['disable-dns', 'help', 'ignore', 'internal', 'ipv6'],
  ['driver d', 'interface-name', 'ipam-driver'],
  ['dns', 'gateway', 'ip-range', 'label', 'opt o', 'route', 'subnet'],
);

export const VOLUME_CREATE_FLAGS: FlagSpec = flagSpec(
  ['help', 'ignore'],
  ['driver d', 'gid', 'uid'],
  ['label l', 'opt o'],
);
