/** How `berth doctor` prints its verdicts: aligned lines for people, one JSON document for scripts. */
import type { CheckResult, Status } from './checks.js';

const LABEL: Record<Status, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL' };

export interface Tally {
  readonly ok: number;
  readonly warn: number;
  readonly fail: number;
}

export function tally(results: readonly CheckResult[]): Tally {
  const t = { ok: 0, warn: 0, fail: 0 };
  for (const r of results) t[r.status]++;
  return t;
}

/**
 *   ok    podman            podman 4.3.1 at /usr/bin/podman (…)
 *   FAIL  criu              criu is not on PATH: checkpoints are unavailable (…)
 *                           fix: install CRIU (dnf install criu), …
 */
export function formatText(results: readonly CheckResult[], header: string): string {
  const width = Math.max(...results.map((r) => r.title.length), 8) + 2;
  const lines = [header, ''];
  for (const r of results) {
    lines.push(`${LABEL[r.status].padEnd(6)}${r.title.padEnd(width)}${r.summary}`);
    if (r.fix) lines.push(`${' '.repeat(6 + width)}fix: ${r.fix}`);
  }
  const t = tally(results);
  lines.push('', `${results.length} checks: ${t.ok} ok, ${t.warn} warning(s), ${t.fail} failed`);
  return lines.join('\n') + '\n';
}

export function formatJson(results: readonly CheckResult[], about: Record<string, unknown>): string {
  const t = tally(results);
  return JSON.stringify({ ...about, ok: t.fail === 0, summary: t, checks: results }, null, 2) + '\n';
}
