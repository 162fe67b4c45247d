/** `berth status`'s table: one line per container, times in local time, sizes short. */
import type { ContainerStatus } from '../containers/status.js';

function localTime(isoText: string | null): string {
  if (!isoText) return '-';
  const d = new Date(isoText);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T'];
  let v = bytes;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)}${units[u]}`;
}

export function stateText(r: ContainerStatus): string {
  if (r.load === 'not-found') return 'not loaded';
  if (r.load !== 'loaded') return `${r.load} (${r.active})`;
  const state = `${r.active} (${r.sub})`;
  return r.active === 'failed' && r.result && r.result !== 'success' ? `${state}: ${r.result}` : state;
}

function checkpointText(r: ContainerStatus): [string, string] {
  const c = r.checkpoint;
  if (!c) return ['-', '-'];
  const last = c.error ? 'unreadable' : c.last ? `${localTime(c.last.at)} ${size(c.last.size)} ${c.last.valid ? 'valid' : 'INVALID'}` : 'none';
  const next = c.next ? localTime(c.next) : c.timer ? `- (timer ${c.timerState ?? 'unknown'})` : 'on demand';
  return [last, next];
}

export function formatTable(rows: readonly ContainerStatus[]): string {
  const header = ['NAME', 'STATE', 'PID', 'SINCE', 'RESTARTS', 'HEALTH', 'LAST CHECKPOINT', 'NEXT CHECKPOINT'];
  const lines = rows.map((r) => {
    const loaded = r.load !== 'not-found';
    const [last, next] = checkpointText(r);
    return [
      r.name,
      stateText(r),
      r.mainPid ? String(r.mainPid) : '-',
      loaded ? localTime(r.since) : '-',
      loaded ? String(r.restarts) : '-',
      r.health ?? '-',
      last,
      next,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  // Why a definition is not loaded goes under its row: a FILE:LINE: KEY: message would stretch the table.
  return [fmt(header), ...lines.flatMap((l, i) => (rows[i]!.refused ? [fmt(l), `  ${rows[i]!.refused}`] : [fmt(l)]))].join('\n') + '\n';
}
