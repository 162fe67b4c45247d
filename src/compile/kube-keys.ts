/** The [Kube] section: every key, how it becomes `podman kube play` flags, in emission order. */
import type { KeyTable } from './rules.js';
import { userMappingKeys } from './user-mapping-keys.js';

export const KUBE_KEYS: KeyTable = {
  // Handled around the table: the YAML files, global args, the service's name and folder, kube down.
  Yaml: { rule: { kind: 'none' }, syntax: 'strv' },
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },
  ServiceName: { rule: { kind: 'none' } },
  SetWorkingDirectory: { rule: { kind: 'none' } },
  KubeDownForce: { rule: { kind: 'none' }, syntax: 'bool', gate: 'kube down --force' },

  ExitCodePropagation: { rule: { kind: 'custom' }, gate: 'kube play --service-exit-code-propagation' },
  LogDriver: { rule: { kind: 'string', flag: '--log-driver' } },
  LogOpt: { rule: { kind: 'words', flag: '--log-opt' } },

  ...userMappingKeys('kube play', false),

  Network: { rule: { kind: 'custom' }, gate: 'kube play --network' },
  AutoUpdate: { rule: { kind: 'custom' }, syntax: 'strv', gate: 'kube play --annotation' },
  ConfigMap: { rule: { kind: 'custom' }, syntax: 'strv', gate: 'kube play --configmap' },
  PublishPort: { rule: { kind: 'lines', flag: '--publish' } },
  PodmanArgs: { rule: { kind: 'raw' } },
};
