/**
 * systemd's own judgement of calendar expressions (`systemd-analyze calendar`), the only faithful one. The
 * generator asks it once for every expression of a run (in chunks), not once per expression, so that a
 * definition with many schedules cannot hold the generator for long.
 */
import { createRequire } from 'node:module';

// node:child_process (with net, dgram and streams) is loaded at the first check, not at every generator start.
const builtin = createRequire(import.meta.url);

const CHUNK = 256;
const TIMEOUT_MS = 10_000;
const FAILED = "Failed to parse calendar specification '";

/** systemd's complaint about each expression, or undefined for those it accepts. */
function judge(exprs: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (exprs.length === 0) return out;
  const { spawnSync } = builtin('node:child_process') as typeof import('node:child_process');
  for (let i = 0; i < exprs.length; i += CHUNK) {
    const chunk = exprs.slice(i, i + CHUNK);
    const r = spawnSync('systemd-analyze', ['calendar', '--', ...chunk], { encoding: 'utf8', timeout: TIMEOUT_MS });
    if (r.error) {
      for (const e of chunk) out.set(e, `cannot run systemd-analyze to check it (${r.error.message})`);
      continue;
    }
    const lines = r.stderr.split('\n');
    for (const e of chunk) {
      const line = lines.find((l) => l.startsWith(`${FAILED}${e}': `));
      out.set(e, line === undefined ? undefined : line.slice(FAILED.length + e.length + 3) || 'rejected');
    }
    // A failure that names no expression of the chunk leaves none of them judged.
    if (r.status !== 0 && chunk.every((e) => out.get(e) === undefined)) {
      for (const e of chunk) out.set(e, (lines[0] ?? '').trim() || `systemd-analyze exited with ${r.status}`);
    }
  }
  return out;
}

/** A checker that knows systemd's verdict on `exprs` (asked at once) and asks for any other it is given. */
export function calendarValidator(exprs: Iterable<string>): (expr: string) => string | undefined {
  const verdicts = judge([...new Set(exprs)]);
  return (expr) => {
    if (!verdicts.has(expr)) verdicts.set(expr, judge([expr]).get(expr));
    return verdicts.get(expr);
  };
}
