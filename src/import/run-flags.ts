/**
 * podman run's command line as podman 5.4 declares it (cmd/podman/common/create.go, netflags.go,
 * containers/run.go at v5.4.2; aliases from cmd/podman/utils/alias.go): every flag, its short form, and
 * whether it is boolean (takes no separate value), takes one value (the last one wins) or a list (repeats
 * add up). The importer parses with it; the restore plan reads the argvs berth wrote with it.
 */
import { flagSpec, type FlagSpec } from './argv.js';

const BOOLEAN = [
  'detach d', 'disable-content-trust', 'env-host', 'help', 'http-proxy', 'init', 'interactive i', 'no-healthcheck',
  'no-hostname', 'no-hosts', 'oom-kill-disable', 'passwd', 'privileged', 'publish-all P', 'quiet q', 'read-only',
  'read-only-tmpfs', 'replace', 'rm', 'rmi', 'rootfs', 'sig-proxy', 'tls-verify', 'tty t', 'unsetenv-all',
];

const SINGLE = [
  'arch', 'authfile', 'blkio-weight', 'cgroup-parent', 'cgroupns', 'cgroups', 'cidfile', 'conmon-pidfile',
  'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime', 'cpu-shares c', 'cpus', 'cpuset-cpus',
  'cpuset-mems', 'detach-keys', 'entrypoint', 'group-entry', 'health-cmd', 'health-interval',
  'health-log-destination', 'health-max-log-count', 'health-max-log-size', 'health-on-failure', 'health-retries',
  'health-start-period', 'health-startup-cmd', 'health-startup-interval', 'health-startup-retries',
  'health-startup-success', 'health-startup-timeout', 'health-timeout', 'hostname h', 'hosts-file', 'image-volume',
  'init-path', 'ip', 'ip6', 'ipc', 'kernel-memory', 'log-driver', 'mac-address', 'memory m', 'memory-reservation',
  'memory-swap', 'memory-swappiness', 'name', 'oom-score-adj', 'os', 'passwd-entry', 'personality', 'pid', 'pidfile',
  'pids-limit', 'platform', 'pod', 'pod-id-file', 'preserve-fds', 'pull', 'rdt-class', 'restart', 'retry',
  'retry-delay', 'sdnotify', 'seccomp-policy', 'shm-size', 'shm-size-systemd', 'signature-policy', 'stop-signal',
  'stop-timeout', 'subgidname', 'subuidname', 'systemd', 'timeout', 'tz', 'umask', 'user u', 'userns', 'uts',
  'variant', 'workdir w',
];

const LIST = [
  'add-host', 'annotation', 'attach a', 'blkio-weight-device', 'cap-add', 'cap-drop', 'cgroup-conf', 'chrootdirs',
  'decryption-key', 'device', 'device-cgroup-rule', 'device-read-bps', 'device-read-iops', 'device-write-bps',
  'device-write-iops', 'dns', 'dns-option', 'dns-search', 'env e', 'env-file', 'env-merge', 'expose', 'gidmap',
  'gpus', 'group-add', 'hostuser', 'label l', 'label-file', 'log-opt', 'mount', 'network', 'network-alias',
  'preserve-fd', 'publish p', 'requires', 'secret', 'security-opt', 'sysctl', 'tmpfs', 'uidmap', 'ulimit',
  'unsetenv', 'volume v', 'volumes-from',
];

/** Older spellings podman still reads as the flag. */
const ALIASES: Readonly<Record<string, string>> = {
  '--dns-opt': '--dns-option',
  '--net': '--network',
  '--healthcheck-command': '--health-cmd',
  '--healthcheck-interval': '--health-interval',
  '--healthcheck-retries': '--health-retries',
  '--healthcheck-start-period': '--health-start-period',
  '--healthcheck-timeout': '--health-timeout',
};

export const RUN_FLAGS: FlagSpec = flagSpec(BOOLEAN, SINGLE, LIST, ALIASES);

/** Whether a flag as written (`-d`, `--rm`, `--net`) is one of podman run's boolean ones; unknown flags are not. */
export function isBooleanRunFlag(written: string): boolean {
  const flag = written.startsWith('--') ? (RUN_FLAGS.aliases.get(written) ?? written) : RUN_FLAGS.shorts.get(written);
  return flag !== undefined && RUN_FLAGS.flags.get(flag) === 'bool';
}
