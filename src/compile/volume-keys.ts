/** The [Volume] section: every key, how it becomes `podman volume create` flags, in emission order. */
import type { KeyTable } from './rules.js';

export const VOLUME_KEYS: KeyTable = {
  // Handled around the table: the volume's and the service's names, global args.
  VolumeName: { rule: { kind: 'none' } },
  ServiceName: { rule: { kind: 'none' } },
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },

  UID: { rule: { kind: 'string', flag: '--uid' } },
  GID: { rule: { kind: 'string', flag: '--gid' } },

  // Driver= decides what the --opt flags are: image=<Image> for the image driver, else the mount keys below.
  Driver: { rule: { kind: 'custom' }, gate: 'volume create --driver' },
  Image: { rule: { kind: 'none' } },
  // Gated by value in the compiler: Copy=yes is podman's default, so older podmans just omit it.
  Copy: { rule: { kind: 'none' }, syntax: 'bool' },
  Device: { rule: { kind: 'none' }, gate: 'volume create --opt' },
  Type: { rule: { kind: 'none' }, gate: 'volume create --opt' },
  User: { rule: { kind: 'none' }, gate: 'volume create --opt' },
  Group: { rule: { kind: 'none' }, gate: 'volume create --opt' },
  Options: { rule: { kind: 'none' }, gate: 'volume create --opt' },

  Label: { rule: { kind: 'keyval', flag: '--label' } },
  PodmanArgs: { rule: { kind: 'raw' } },
};
