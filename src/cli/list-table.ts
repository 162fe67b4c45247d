/** `berth list`'s table: one line per definition, and under one that is not loaded, why. */
import type { DefinitionRow } from '../definitions/listing.js';

export function formatDefinitions(rows: readonly DefinitionRow[]): string {
  const header = ['NAME', 'KIND', 'UNIT', 'STATE', 'SOURCE'];
  const lines = rows.map((r) => [r.name, r.kind, r.unit ?? '-', r.sub && r.load === 'loaded' ? `${r.state} (${r.sub})` : r.state, r.source]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = [fmt(header)];
  rows.forEach((r, i) => {
    out.push(fmt(lines[i]!));
    if (r.reason) out.push(`  ${r.reason}`);
    if (r.quadlet) out.push(`  podman's Quadlet also makes ${r.unit} from ${r.quadlet}: keep one of the two`);
  });
  return out.join('\n') + '\n';
}
