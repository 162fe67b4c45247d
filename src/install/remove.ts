/**
 * The pure parts of `berth rm NAME`: which definition NAME means, and whether berth may remove it.
 *
 * NAME is a definition's file name (web.container), a unit it makes (web.service, db-network.service), or a
 * bare name (web: the definition whose service is web.service, else web.KIND when only one kind has it).
 * Only a definition in the administrator's folder (definitionsDir: /etc/berth/definitions, or the user's
 * ~/.config/berth/definitions) is removed; one in /run or /usr/share is refused, naming where it lives, and
 * so is one whose removal would let another file of the same name take its place.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { kindOf } from '../compile/kinds.js';
import { InstallError, UsageError } from '../errors.js';

export interface DefinedUnit {
  /** e.g. web.container */
  readonly fileName: string;
  /** The definition in effect (the first on the search path). */
  readonly path: string;
  /** The units it makes, main service first (e.g. web.service, web-checkpoint.timer). */
  readonly units: readonly string[];
}

export function resolveName(name: string, defined: readonly DefinedUnit[]): DefinedUnit {
  if (name === '' || name.includes('/')) throw new UsageError(`"${name}" is not a definition or unit name`);
  const byFile = defined.find((d) => d.fileName === name);
  if (byFile) return byFile;
  if (kindOf(name)) throw new UsageError(`no definition ${name} on the search path`);
  const unit = /\.(service|timer|socket|target)$/.test(name) ? name : `${name}.service`;
  const byUnit = defined.filter((d) => d.units.includes(unit));
  if (byUnit.length === 1) return byUnit[0]!;
  if (byUnit.length > 1) throw new UsageError(`${unit} is made by ${byUnit.map((d) => d.path).join(' and ')}: name the file`);
  const byStem = defined.filter((d) => d.fileName.slice(0, d.fileName.lastIndexOf('.')) === name);
  if (byStem.length === 1) return byStem[0]!;
  if (byStem.length > 1) throw new UsageError(`${name} could be ${byStem.map((d) => d.fileName).join(', ')}: name the file`);
  throw new UsageError(`no definition makes ${unit}, and none is named ${name}.KIND`);
}

/** Why `path` may not be removed from `adminDir` (undefined: it may); `others` are the same name elsewhere. */
export function refusal(def: DefinedUnit, adminDir: string, others: readonly string[]): string | undefined {
  const inside = relative(resolve(adminDir), resolve(def.path));
  if (inside.startsWith('..') || inside.startsWith(sep) || inside === '') {
    return `${def.fileName} lives in ${dirname(def.path)}, not in ${adminDir}: berth rm removes only definitions from ${adminDir} (a package's go with the package; \`systemctl mask ${def.units[0] ?? def.fileName}\` keeps it from running)`;
  }
  if (others.length > 0) return `removing ${def.path} would let ${others.join(' and ')} take its place: remove ${others.length === 1 ? 'that' : 'those'} first, or mask ${def.units[0] ?? def.fileName}`;
  return undefined;
}

/** Checked before anything is done: a refusal is an InstallError (exit status 1). */
export function checkRemovable(def: DefinedUnit, adminDir: string, others: readonly string[]): void {
  const why = refusal(def, adminDir, others);
  if (why) throw new InstallError(why);
}

/** Whether a unit's ActiveState means it runs (or is on its way up or down). */
export const isRunning = (activeState: string): boolean => activeState !== 'inactive' && activeState !== 'failed' && activeState !== '';
