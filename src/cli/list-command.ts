/**
 * `berth list [--json] [--user]`: every definition on the search path with its kind, file, unit and state
 * (definitions/listing.ts): systemd's, read over D-Bus in one call, or "not loaded" with the generator's
 * reason. Exit status 0; 1 when systemd cannot be asked.
 */
import { collectDefinitions } from '../definitions/collect.js';
import { SystemdManager } from '../systemd/manager.js';
import { formatDefinitions } from './list-table.js';

export interface ListFlags {
  json?: boolean;
  user?: boolean;
  /** A bus address instead of the system (or user) bus. */
  address?: string;
}

export async function runList(flags: ListFlags, out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const user = flags.user ?? false;
  const manager = await SystemdManager.connect({ user, ...(flags.address ? { address: flags.address } : {}) });
  try {
    const rows = await collectDefinitions(manager, { user, env });
    out.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : rows.length ? formatDefinitions(rows) : 'no definitions on the search path\n');
    return 0;
  } finally {
    await manager.close();
  }
}
