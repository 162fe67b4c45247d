/** Definitions in a temporary folder (for BERTH_UNIT_DIRS), for the inventory, the agent and `berth status`. */
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CONTAINER = '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n';

export function definitionsDir(t: ExecutionContext, defs: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-defs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(defs)) writeFileSync(join(dir, name), text);
  return dir;
}
