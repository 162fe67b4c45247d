/** Writes generated units and their install symlinks into a generator output folder. */
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { GeneratedUnit } from './generate.js';

export function writeUnits(outputDir: string, units: readonly GeneratedUnit[]): void {
  mkdirSync(outputDir, { recursive: true });
  // Each link folder is made and read once (not once per link): the names already in it are the only
  // ones an existing file must be removed for before linking. The output folder is usually empty.
  const present = new Map<string, Set<string>>();
  const namesIn = (dir: string): Set<string> => {
    let names = present.get(dir);
    if (!names) {
      mkdirSync(dir, { recursive: true });
      present.set(dir, (names = new Set(readdirSync(dir))));
    }
    return names;
  };
  const root = join(outputDir, '.');
  for (const unit of units) {
    writeFileSync(join(outputDir, unit.fileName), unit.text, { mode: 0o644 });
    present.get(root)?.add(unit.fileName);
    for (const link of unit.symlinks) {
      const path = join(outputDir, link.path);
      const names = namesIn(dirname(path));
      const name = basename(path);
      if (names.has(name)) rmSync(path, { force: true });
      symlinkSync(link.target, path);
      names.add(name);
    }
  }
}

/** The --dryrun form, as quadlet -dryrun prints it. */
export function formatDryRun(units: readonly GeneratedUnit[]): string {
  return units.map((u) => `---${u.fileName}---\n${u.text}\n`).join('');
}
