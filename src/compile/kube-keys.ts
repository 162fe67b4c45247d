/** The [Kube] section: every key, how it becomes `podman kube play` flags, in emission order. */
import type { KeyTable } from './rules.js';

export const KUBE_KEYS: KeyTable = {
  // Handled around the table: the YAML files, global args, the service's name and folder, kube down.
  Yaml: { rule: { kind: 'custom' }, syntax: 'strv' },
  GlobalArgs: { rule: { kind: 'custom' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'custom' }, gate: 'global --module' },
  ServiceName: { rule: { kind: 'none' } },
  SetWorkingDirectory: { rule: { kind: 'custom' } },
  KubeDownForce: { rule: { kind: 'custom' }, syntax: 'bool', gate: 'kube down --force' },

  ExitCodePropagation: { rule: { kind: 'custom' }, gate: 'kube play --service-exit-code-propagation' },
  LogDriver: { rule: { kind: 'string', flag: '--log-driver' } },
  LogOpt: { rule: { kind: 'words', flag: '--log-opt' } },

  UserNS: { rule: { kind: 'custom' }, gate: 'kube play --userns' },
  RemapUsers: { rule: { kind: 'custom' }, gate: 'kube play --userns' },
  RemapUid: { rule: { kind: 'custom' }, syntax: 'strv' },
  RemapGid: { rule: { kind: 'custom' }, syntax: 'strv' },
  RemapUidSize: { rule: { kind: 'custom' } },

  Network: { rule: { kind: 'custom' }, gate: 'kube play --network' },
  AutoUpdate: { rule: { kind: 'custom' }, syntax: 'strv', gate: 'kube play --annotation' },
  ConfigMap: { rule: { kind: 'custom' }, syntax: 'strv', gate: 'kube play --configmap' },
  PublishPort: { rule: { kind: 'lines', flag: '--publish' } },
  PodmanArgs: { rule: { kind: 'raw' } },
};

/**
 * podman before 4.3 has no `kube play` / `kube down`, but `podman play kube` / `podman play kube --down`
 * (cmd/podman/play/kube.go at v4.0.0…v4.2.0; the podman-kube@.service template of v4.2.0 runs exactly
 * `play kube --replace --service-container=true` and `play kube --down`). First version of each flag
 * there; a 'kube play'/'kube down' feature missing here has no `play kube` equivalent. Both take a
 * single YAML file (cobra.ExactArgs(1)).
 */
export const PLAY_KUBE_SINCE: Readonly<Record<string, string>> = {
  'play kube': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --replace': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --down': '4.0', // cmd/podman/play/kube.go at v4.0.0 (downFlagName)
  'play kube --network': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --log-driver': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --log-opt': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --configmap': '4.0', // cmd/podman/play/kube.go at v4.0.0 (local only)
  'play kube --annotation': '4.1', // cmd/podman/play/kube.go at v4.1.0 (annotationFlagName)
  'play kube --userns': '4.2', // cmd/podman/play/kube.go at v4.2.0 (usernsFlagName)
  'play kube --service-container': '4.2', // cmd/podman/play/kube.go at v4.2.0 (hidden, local only)
};
