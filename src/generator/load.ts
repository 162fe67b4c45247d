/**
 * Reads definitions from the search path: every definition file (subfolders included) with its drop-ins
 * merged. A file that cannot be read or parsed is reported and skipped; the others still load.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefinitionError } from '../errors.js';
import { kindOf, templateParts, type Definition } from '../model/definition.js';
import { UnitFile } from '../unit/unit-file.js';

export interface LoadResult {
  readonly definitions: Definition[];
  readonly errors: DefinitionError[];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Each search folder followed by its subfolders (depth first), skipping drop-in folders. */
export function expandDirs(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    out.push(dir);
    for (const name of listDir(dir)) {
      const sub = join(dir, name);
      if (!name.endsWith('.d') && isDir(sub)) walk(sub);
    }
  };
  for (const d of dirs) if (isDir(d)) walk(resolve(d));
  return out;
}

/** Drop-in folder names for a definition, most specific first (as systemd orders unit drop-ins). */
export function dropinDirNames(fileName: string): string[] {
  const ext = fileName.slice(fileName.lastIndexOf('.'));
  const { prefix, instance, isTemplate } = templateParts(fileName);
  const names = [ext.slice(1) + '.d'];
  const parts = prefix.split('-');
  for (let i = 1; i < parts.length; i++) {
    const truncated = parts.slice(0, i).join('-') + '-';
    names.push(truncated + ext + '.d');
    if (isTemplate) names.push(truncated + '@' + ext + '.d');
  }
  if (instance !== '') names.push(`${prefix}@${ext}.d`);
  names.push(fileName + '.d');
  return names.reverse();
}

function parseFile(path: string, errors: DefinitionError[]): UnitFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    errors.push(new DefinitionError({ file: path, line: 0 }, `cannot read: ${(err as Error).message}`));
    return undefined;
  }
  const parsed = UnitFile.parse(text, path);
  errors.push(...parsed.errors);
  return parsed.errors.length === 0 ? parsed.unit : undefined;
}

function mergeDropins(unit: UnitFile, fileName: string, dirs: readonly string[], errors: DefinitionError[]): boolean {
  const chosen = new Map<string, string>();
  for (const name of dropinDirNames(fileName)) {
    for (const dir of dirs) {
      const dropinDir = join(dir, name);
      for (const conf of listDir(dropinDir)) {
        if (conf.endsWith('.conf') && !chosen.has(conf)) chosen.set(conf, join(dropinDir, conf));
      }
    }
  }
  let ok = true;
  for (const conf of [...chosen.keys()].sort()) {
    const dropin = parseFile(chosen.get(conf)!, errors);
    if (dropin) unit.merge(dropin);
    else ok = false;
  }
  return ok;
}

export function loadDefinitions(searchDirs: readonly string[]): LoadResult {
  const dirs = expandDirs(searchDirs);
  const seen = new Set<string>();
  const definitions: Definition[] = [];
  const errors: DefinitionError[] = [];
  for (const dir of dirs) {
    for (const fileName of listDir(dir)) {
      const kind = kindOf(fileName);
      if (!kind || seen.has(fileName)) continue;
      seen.add(fileName);
      const unit = parseFile(join(dir, fileName), errors);
      if (unit && mergeDropins(unit, fileName, dirs, errors)) definitions.push({ fileName, kind, unit });
    }
  }
  return { definitions, errors };
}
