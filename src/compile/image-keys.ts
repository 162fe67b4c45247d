/** The [Image] section: every key, how it becomes `podman image pull` flags, in emission order. */
import type { KeyTable } from './rules.js';

export const IMAGE_KEYS: KeyTable = {
  // Handled around the table: what to pull, the name other definitions get for it, global args.
  Image: { rule: { kind: 'none' } },
  ImageTag: { rule: { kind: 'none' } },
  ServiceName: { rule: { kind: 'none' } },
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },

  Arch: { rule: { kind: 'string', flag: '--arch' } },
  AuthFile: { rule: { kind: 'string', flag: '--authfile' } },
  CertDir: { rule: { kind: 'string', flag: '--cert-dir' } },
  Creds: { rule: { kind: 'string', flag: '--creds' } },
  DecryptionKey: { rule: { kind: 'string', flag: '--decryption-key' } },
  OS: { rule: { kind: 'string', flag: '--os' } },
  // Gated by value in the compiler: before 5.6 `image pull` always pulls, so Policy=always is left out there.
  Policy: { rule: { kind: 'custom' } },
  Variant: { rule: { kind: 'string', flag: '--variant' } },
  Retry: { rule: { kind: 'string', flag: '--retry' }, below: 'drop' },
  RetryDelay: { rule: { kind: 'string', flag: '--retry-delay' }, below: 'drop' },

  AllTags: { rule: { kind: 'bool', flag: '--all-tags' } },
  TLSVerify: { rule: { kind: 'bool', flag: '--tls-verify' } },
  PodmanArgs: { rule: { kind: 'raw' } },
};
