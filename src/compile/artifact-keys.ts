/** The [Artifact] section: every key, how it becomes `podman artifact pull` flags, in emission order. */
import type { KeyTable } from './rules.js';

export const ARTIFACT_KEYS: KeyTable = {
  // Handled around the table: what to pull (which needs `artifact pull` itself), global args.
  Artifact: { rule: { kind: 'none' }, gate: 'artifact pull' },
  ServiceName: { rule: { kind: 'none' } },
  GlobalArgs: { rule: { kind: 'none' }, syntax: 'args' },
  ContainersConfModule: { rule: { kind: 'none' }, gate: 'global --module' },

  AuthFile: { rule: { kind: 'string', flag: '--authfile' } },
  CertDir: { rule: { kind: 'string', flag: '--cert-dir' } },
  Creds: { rule: { kind: 'string', flag: '--creds' } },
  DecryptionKey: { rule: { kind: 'string', flag: '--decryption-key' } },
  Retry: { rule: { kind: 'string', flag: '--retry' } },
  RetryDelay: { rule: { kind: 'string', flag: '--retry-delay' } },

  Quiet: { rule: { kind: 'bool', flag: '--quiet' } },
  TLSVerify: { rule: { kind: 'bool', flag: '--tls-verify' } },
  PodmanArgs: { rule: { kind: 'raw' } },
};
