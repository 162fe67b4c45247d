/**
 * Whether a restored container is the one its archive holds: the same processes (PIDs in the container and
 * command names), each with the same memory mappings (address ranges and protections; the kernel's own
 * vdso, vvar and vsyscall pages are placed anew), and in each tmpfs asked about the same files with the same
 * contents. What the container did after it came back is not held against it: a file it changed since (newer
 * than in the archive), a process it started, or one that ended (CRIU brings back all of them or fails; only
 * the first process must still be there). Pure: both states are read elsewhere.
 */
import type { ArchivedFile, ArchivedState } from './archive-state.js';
import type { LiveState } from './live-state.js';

/** CRIU's VMA_AREA_VSYSCALL, VMA_AREA_VDSO and VMA_AREA_VVAR. */
const KERNEL_AREAS = 0x4 | 0x8 | 0x1000;
const KERNEL_MAPS = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]']);

const hex = (n: number): string => n.toString(16);
const mapping = (m: { start: number; end: number; prot: number }): string => `${hex(m.start)}-${hex(m.end)} ${['r', 'w', 'x'].map((c, i) => (m.prot & (1 << i) ? c : '-')).join('')}`;

export interface StateComparison {
  /** What differs: each a sentence. Empty when the restore is the archive's. */
  readonly problems: readonly string[];
  /** What changed since the restore, for the report. */
  readonly notes: readonly string[];
  /** What was compared, for the report. */
  readonly checked: { readonly processes: number; readonly mappings: number; readonly files: number };
}

export function compareState(archived: ArchivedState, live: LiveState, mountpoints: readonly string[]): StateComparison {
  const problems: string[] = [];
  const notes: string[] = [];
  let mappings = 0;
  let files = 0;
  for (const p of archived.processes) {
    const now = live.processes.find((l) => l.pid === p.pid);
    if (!now) {
      (p.pid === 1 ? problems : notes).push(`process ${p.pid} (${p.comm}) of the archive is not running`);
      continue;
    }
    if (now.comm !== p.comm) problems.push(`process ${p.pid} is ${now.comm}, the archive's is ${p.comm}`);
    const want = p.vmas.filter((v) => (v.status & KERNEL_AREAS) === 0).map(mapping);
    const have = new Set(now.maps.filter((m) => !KERNEL_MAPS.has(m.name)).map(mapping));
    mappings += want.length;
    const missing = want.filter((m) => !have.has(m));
    const extra = [...have].filter((m) => !want.includes(m));
    if (missing.length > 0 || extra.length > 0) {
      problems.push(`process ${p.pid} (${p.comm}) has other memory mappings than the archive's: ${[...missing.map((m) => `missing ${m}`), ...extra.map((m) => `new ${m}`)].slice(0, 6).join(', ')}`);
    }
  }
  for (const mount of mountpoints) {
    const want = archived.tmpfs.get(mount);
    if (!want) continue;
    const have = new Map((live.tmpfs.get(mount) ?? []).map((f) => [f.path, f]));
    for (const f of want) {
      files++;
      const problem = fileProblem(f, have.get(f.path));
      if (problem) problems.push(`${mount}/${f.path}: ${problem}`.replace(/\/+:/, ':').replace(/\/\//g, '/'));
    }
  }
  return { problems, notes, checked: { processes: archived.processes.length, mappings, files } };
}

function fileProblem(want: ArchivedFile, have: ArchivedFile | undefined): string | undefined {
  if (!have) return 'missing';
  if (have.type !== want.type) return `a ${have.type}, the archive's is a ${want.type}`;
  if (want.type !== 'file' || have.mtime > want.mtime) return undefined;
  if (have.size !== want.size) return `${have.size} bytes, the archive's has ${want.size}`;
  if (want.sha256 !== undefined && have.sha256 !== want.sha256) return 'other contents than the archive\'s';
  return undefined;
}
