/**
 * The command lines of `podman pod create`, `podman network create` and `podman volume create` as podman 5.4
 * declares them, checked against podman's source at tag v5.4.2: cmd/podman/pods/create.go with
 * common/create.go (DefineCreateFlags in InfraMode: the "anyone" flags and the infra ones, not the
 * create-only ones) and common/netflags.go (DefineNetFlags), aliases from cmd/podman/utils/alias.go (its
 * SetNormalizeFunc); cmd/podman/networks/create.go and cmd/podman/volumes/create.go, which normalize no
 * names. As run-flags.ts does for `run`: hidden flags count, `--help` is the root's and has no `-h`.
 * `volume create --uid`/`--gid` (IntVar) are not in 5.4.2: podman 5.6.0 adds them, and they are here for
 * the keys that need them.
 */
import { flagSpec, type FlagSpec } from './argv.js';

export const POD_CREATE_FLAGS: FlagSpec = flagSpec(
  ['help', 'infra', 'no-hostname', 'no-hosts', 'replace', 'share-parent'],
  [
    'blkio-weight', 'cgroup-parent', 'cpu-shares c', 'cpus', 'cpuset-cpus', 'cpuset-mems', 'exit-policy',
    'hostname h', 'hosts-file', 'infra-command', 'infra-conmon-pidfile', 'infra-image', 'infra-name', 'ip', 'ip6',
    'mac-address', 'memory m', 'memory-swap', 'name n', 'pid', 'pod-id-file', 'restart', 'share', 'shm-size',
    'shm-size-systemd', 'subgidname', 'subuidname', 'userns', 'uts',
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
  // --macvlan DEVICE: hidden and deprecated (--driver macvlan --opt parent=DEVICE), still read.
  ['driver d', 'interface-name', 'ipam-driver', 'macvlan'],
  ['dns', 'gateway', 'ip-range', 'label', 'opt o', 'route', 'subnet'],
);

export const VOLUME_CREATE_FLAGS: FlagSpec = flagSpec(
  ['help', 'ignore'],
  ['driver d', 'gid', 'uid'],
  ['label l', 'opt o'],
);
