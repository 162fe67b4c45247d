/** Writes generated units and their install symlinks into a generator output folder. */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GeneratedUnit } from './generate.js';

export function writeUnits(outputDir: string, units: readonly GeneratedUnit[]): void {
  mkdirSync(outputDir, { recursive: true });
  for (const unit of units) {
    writeFileSync(join(outputDir, unit.fileName), unit.text, { mode: 0o644 });
    for (const link of unit.symlinks) {
      const path = join(outputDir, link.path);
      mkdirSync(dirname(path), { recursive: true });
      rmSync(path, { force: true });
      symlinkSync(link.target, path);
    }
  }
}

/** The --dryrun form, as quadlet -dryrun prints it. */
export function formatDryRun(units: readonly GeneratedUnit[]): string {
  return units.map((u) => `---${u.fileName}---\n${u.text}\n`).join('');
}
