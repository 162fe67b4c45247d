/**
 * The user-mapping keys that .container, .pod and .kube share (handled together by userMappings() in
 * shared.ts, at UserNS='s place in the table), with their gates under the kind's subcommand. `kube play`
 * has no --uidmap, --gidmap, --subuidname or --subgidname.
 */
import type { KeyTable } from './rules.js';

export function userMappingKeys(subcommand: string, withMaps: boolean): KeyTable {
  return {
    UserNS: { rule: { kind: 'custom' }, gate: `${subcommand} --userns` },
    ...(withMaps ? {
      UIDMap: { rule: { kind: 'none' }, syntax: 'strv', gate: `${subcommand} --uidmap` },
      GIDMap: { rule: { kind: 'none' }, syntax: 'strv', gate: `${subcommand} --gidmap` },
      SubUIDMap: { rule: { kind: 'none' }, gate: `${subcommand} --subuidname` },
      SubGIDMap: { rule: { kind: 'none' }, gate: `${subcommand} --subgidname` },
    } : {}),
    RemapUsers: { rule: { kind: 'none' }, gate: `${subcommand} --userns` },
    RemapUid: { rule: { kind: 'none' }, syntax: 'strv' },
    RemapGid: { rule: { kind: 'none' }, syntax: 'strv' },
    RemapUidSize: { rule: { kind: 'none' } },
  };
}
