/**
 * Shared parts of the differential tests: writing source folders, running comparisons a few at a time,
 * grouping the differences no entry of test/differential/differences.ts explains, and shrinking a
 * definition to the lines that still show a difference.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compareFolder, describe, sourceText, type Difference } from './unit-compare.js';
import type { SourceFile } from './random-definition.js';

export function writeSources(srcDir: string, files: readonly SourceFile[]): void {
  rmSync(srcDir, { recursive: true, force: true });
  mkdirSync(srcDir, { recursive: true });
  for (const f of files) {
    const full = join(srcDir, f.path);
    mkdirSync(dirname(full), { recursive: true });
    if (f.symlinkTo !== undefined) symlinkSync(f.symlinkTo, full);
    else writeFileSync(full, f.text);
  }
}

export { pool } from './processes.js';

/** The flag of an exec option difference (`--env` of `--env A=1`), for grouping. */
function optionFlag(d: Difference): string {
  const o = d.quadlet ?? d.berth ?? '';
  return o.split(' ')[0]!.split('=')[0]!;
}

/** Differences of one class share a signature: kind, section, key, flag, and which side has something. */
export function signature(d: Difference): string {
  const sides = `${d.quadlet !== undefined ? 'Q' : ''}${d.berth !== undefined ? 'B' : ''}`;
  const unitKind = d.unit.replace(/^.*?(-(volume|network|image|build|pod))?\.service$/, '$2') || 'container';
  const flag = d.kind === 'exec-option' ? ` ${optionFlag(d)}` : '';
  if (d.kind === 'refused' || d.kind === 'file') return `${d.kind} ${sides} ${d.source?.replace(/^.*\./, '.') ?? ''}`;
  return `${d.kind} ${unitKind} [${d.section ?? ''}] ${d.key ?? ''}${flag} ${sides}`;
}

export interface Example {
  readonly difference: Difference;
  /** Where it was found: batch or case, and how to replay it. */
  readonly where: string;
  /** The definition's text (with drop-ins), shrunk when possible. */
  readonly text: string;
}

export function formatExample(e: Example): string {
  const body = e.text.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
  return `${describe(e.difference)}\n  in ${e.where}\n${body}`;
}

/**
 * Shrinks `files[index]` (a definition) line by line while `stillShows` holds for a comparison of the
 * folder with the shrunk file. Each try costs one run of both generators; stops at `deadline` (ms epoch).
 */
export async function shrinkDefinition(
  repoRoot: string, workDir: string, files: readonly SourceFile[], index: number,
  stillShows: (ds: readonly Difference[], srcDir: string, quadletStderr: string) => boolean, deadline: number,
): Promise<string> {
  const original = files[index]!;
  let lines = original.text.split('\n');
  let tries = 0;
  const attempt = async (candidate: string[]): Promise<boolean> => {
    const src = join(workDir, `shrink-src-${tries}`);
    const out = join(workDir, `shrink-out-${tries}`);
    tries++;
    const changed = files.map((f, i) => (i === index ? { path: f.path, text: candidate.join('\n') } : f));
    writeSources(src, changed);
    const r = await compareFolder(repoRoot, src, out);
    const shows = stillShows(r.differences, src, r.quadlet.stderr);
    rmSync(src, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    return shows;
  };
  // Bigger chunks first, then single lines.
  for (const size of [8, 4, 2, 1]) {
    for (let i = 0; i < lines.length && Date.now() < deadline; ) {
      const candidate = [...lines.slice(0, i), ...lines.slice(i + size)];
      if (candidate.length < lines.length && (await attempt(candidate))) lines = candidate;
      else i += size;
    }
  }
  return lines.join('\n');
}

/** What a matcher of the differences table may look at besides the difference: its definition's text. */
export function contextOf(srcDir: string, d: Difference, quadletStderr: string): { source?: string; quadletStderr: string } {
  return d.source !== undefined ? { source: sourceText(srcDir, d.source), quadletStderr } : { quadletStderr };
}
