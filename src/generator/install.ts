/**
 * Generated units cannot be `systemctl enable`d, so the generator does what enabling would: it turns
 * [Install] into symlinks in its output folder (WantedBy= → X.wants/, RequiredBy= → X.requires/,
 * UpheldBy= → X.upholds/, Alias= → another name). Specifiers that name the unit (%n, %N, %p, %i …) are
 * resolved as `systemctl enable` resolves them. Every name must then be a valid unit name (no `/`, a known
 * suffix); one that is not is skipped with a warning at its line, so a link never leaves the folder.
 * `berth enable|disable` (generator/enabled.ts) switches them: disabled makes none, enabled adds a
 * WantedBy= of the default target when [Install] names no unit that wants, requires or upholds it.
 */
import { resolveUnitSpecifiers } from '../compile/context.js';
import type { DefinitionError } from '../errors.js';
import type { UnitFile } from '../unit/unit-file.js';
import { checkUnitName } from '../unit/unit-name.js';
import type { EnabledState } from './enabled.js';

export interface Symlink {
  /** Relative to the output folder: NAME, or DIR/NAME for a dependency link (e.g. multi-user.target.wants/web.service). */
  readonly path: string;
  /** Relative to the link's folder. */
  readonly target: string;
}

export interface Install {
  readonly links: Symlink[];
  readonly warnings: DefinitionError[];
}

const DEPENDENT = [
  ['WantedBy', 'wants'],
  ['RequiredBy', 'requires'],
  ['UpheldBy', 'upholds'],
] as const;

/** How `berth enable|disable` switched the unit; none: as its [Install] section says. */
export interface InstallSwitch {
  readonly state?: EnabledState;
  /** What an enabled unit is wanted by when [Install] names nothing (multi-user.target, default.target). */
  readonly defaultTarget: string;
}

/** The links that enable `fileName` (a valid unit name) as its [Install] section asks, or as `enabled` switches it. */
export function installSymlinks(service: UnitFile, fileName: string, enabled?: InstallSwitch): Install {
  const links: Symlink[] = [];
  const warnings: DefinitionError[] = [];
  const named = checkUnitName(fileName);
  const type = 'type' in named ? named.type : '';
  const valid = (key: string, check: (name: string) => string | undefined, unit = fileName): string[] => {
    const out: string[] = [];
    for (const e of service.list('Install', key)) {
      for (const word of service.splitEntry(e, { retainEscape: true }) ?? []) {
        const name = resolveUnitSpecifiers(word, unit);
        const problem = check(name);
        if (problem) warnings.push(service.error(e, `${problem}; no link is made for it`));
        else out.push(name);
      }
    }
    return out;
  };
  const unitName = (name: string): string | undefined => {
    const c = checkUnitName(name);
    return 'problem' in c ? c.problem : undefined;
  };

  for (const alias of valid('Alias', (name) => unitName(name) ?? (name.endsWith(`.${type}`) ? undefined : `the alias "${name}" is not a .${type} like the unit`))) {
    if (alias !== fileName) links.push({ path: alias, target: fileName });
  }
  // A template installs only with DefaultInstance=; its [Install] still serves instances linked by hand.
  let installed: string | undefined = fileName;
  if ('form' in named && named.form === 'template') {
    const instance = service.get('Install', 'DefaultInstance');
    const at = fileName.indexOf('@');
    installed = instance ? fileName.slice(0, at + 1) + instance + fileName.slice(at + 1) : undefined;
    const c = installed && checkUnitName(installed);
    if (c && 'problem' in c) {
      warnings.push(service.error(service.last('Install', 'DefaultInstance')!, `${c.problem}; the template is not installed`));
      installed = undefined;
    }
  }
  if (installed) {
    for (const [key, suffix] of DEPENDENT) {
      for (const target of valid(key, unitName, installed)) links.push({ path: `${target}.${suffix}/${installed}`, target: `../${fileName}` });
    }
    if (enabled?.state === 'enabled' && !links.some((l) => l.path.includes('/'))) {
      links.push({ path: `${enabled.defaultTarget}.wants/${installed}`, target: `../${fileName}` });
    }
  }
  if (enabled?.state === 'disabled') return { links: [], warnings };
  return { links, warnings };
}
