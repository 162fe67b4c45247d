/** The [Build] section: every key, how it becomes `podman build` flags, in emission order. */
import type { KeyTable } from './rules.js';

export const BUILD_KEYS: KeyTable = {
  // Handled around the table: the unit's name, global args.
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },
  ServiceName: { rule: { kind: 'none' } },

  // Always `--pull=<v>` with the `=`: podman reads `--pull <v>` as `--pull` and a context (podman#24599).
  Pull: { rule: { kind: 'custom' }, gate: 'build --pull' },

  Arch: { rule: { kind: 'string', flag: '--arch' } },
  AuthFile: { rule: { kind: 'string', flag: '--authfile' } },
  IgnoreFile: { rule: { kind: 'string', flag: '--ignorefile' } },
  Target: { rule: { kind: 'string', flag: '--target' } },
  Variant: { rule: { kind: 'string', flag: '--variant' } },
  Retry: { rule: { kind: 'string', flag: '--retry' }, below: 'drop' },
  RetryDelay: { rule: { kind: 'string', flag: '--retry-delay' }, below: 'drop' },

  TLSVerify: { rule: { kind: 'bool', flag: '--tls-verify' } },
  ForceRM: { rule: { kind: 'bool', flag: '--force-rm' } },

  DNS: { rule: { kind: 'lines', flag: '--dns' } },
  // buildah has always spelled it --dns-option (no --dns-opt legacy, unlike `podman run`).
  DNSOption: { rule: { kind: 'lines', flag: '--dns-option' } },
  DNSSearch: { rule: { kind: 'lines', flag: '--dns-search' } },
  GroupAdd: { rule: { kind: 'lines', flag: '--group-add' } },
  // Required; the first tag is the name other definitions resolve x.build to.
  ImageTag: { rule: { kind: 'lines', flag: '--tag' } },

  BuildArg: { rule: { kind: 'keyval', flag: '--build-arg' } },
  Environment: { rule: { kind: 'keyval', flag: '--env' } },
  Label: { rule: { kind: 'keyval', flag: '--label' } },
  Annotation: { rule: { kind: 'keyval', flag: '--annotation' } },

  Network: { rule: { kind: 'custom' }, gate: 'build --network' },
  Secret: { rule: { kind: 'args', flag: '--secret' } },
  Volume: { rule: { kind: 'custom' }, gate: 'build --volume' },

  // The build context and the service's working directory; the context is the command's last word.
  SetWorkingDirectory: { rule: { kind: 'custom' } },
  File: { rule: { kind: 'custom' }, gate: 'build --file' },
  PodmanArgs: { rule: { kind: 'raw' } },
};
