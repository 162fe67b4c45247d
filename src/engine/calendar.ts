/** systemd's own judgement of a calendar expression (`systemd-analyze calendar`), the only faithful one. */
import { createRequire } from 'node:module';

// node:child_process (with net, dgram and streams) is loaded at the first check, not at every generator start.
const builtin = createRequire(import.meta.url);

const cache = new Map<string, string | undefined>();

/** Returns systemd's complaint about `expr`, or undefined when systemd accepts it. */
export function validateCalendar(expr: string): string | undefined {
  if (cache.has(expr)) return cache.get(expr);
  const { spawnSync } = builtin('node:child_process') as typeof import('node:child_process');
  const r = spawnSync('systemd-analyze', ['calendar', expr], { encoding: 'utf8', timeout: 10_000 });
  let complaint: string | undefined;
  if (r.error) complaint = `cannot run systemd-analyze to check it (${r.error.message})`;
  else if (r.status !== 0) complaint = (r.stderr.trim().split('\n')[0] ?? '').replace(/^Failed to parse calendar specification '.*': /, '') || 'rejected';
  cache.set(expr, complaint);
  return complaint;
}
