/** systemd's own judgement of a calendar expression (`systemd-analyze calendar`), the only faithful one. */
import { spawnSync } from 'node:child_process';

const cache = new Map<string, string | undefined>();

/** Returns systemd's complaint about `expr`, or undefined when systemd accepts it. */
export function validateCalendar(expr: string): string | undefined {
  if (cache.has(expr)) return cache.get(expr);
  const r = spawnSync('systemd-analyze', ['calendar', expr], { encoding: 'utf8', timeout: 10_000 });
  let complaint: string | undefined;
  if (r.error) complaint = `cannot run systemd-analyze to check it (${r.error.message})`;
  else if (r.status !== 0) complaint = (r.stderr.trim().split('\n')[0] ?? '').replace(/^Failed to parse calendar specification '.*': /, '') || 'rejected';
  cache.set(expr, complaint);
  return complaint;
}
