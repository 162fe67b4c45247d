/**
 * Generated units cannot be `systemctl enable`d, so the generator does what enabling would: it turns
 * [Install] into symlinks in its output folder (WantedBy= → X.wants/, RequiredBy= → X.requires/,
 * UpheldBy= → X.upholds/, Alias= → another name).
 */
import { posix } from 'node:path';
import { strvWords } from '../compile/rules.js';
import type { UnitFile } from '../unit/unit-file.js';

export interface Symlink {
  /** Relative to the output folder, e.g. multi-user.target.wants/web.service. */
  readonly path: string;
  /** Relative to the link's folder. */
  readonly target: string;
}

const DEPENDENT = [
  ['WantedBy', 'wants'],
  ['RequiredBy', 'requires'],
  ['UpheldBy', 'upholds'],
] as const;

export function installSymlinks(service: UnitFile, fileName: string): Symlink[] {
  const links: string[] = strvWords(service, 'Install', 'Alias').map((a) => posix.normalize(a));
  let installed: string | undefined = fileName;
  const at = fileName.indexOf('@');
  const dot = fileName.lastIndexOf('.');
  // A template installs only with DefaultInstance=; its [Install] still serves instances linked by hand.
  if (at >= 0 && at === dot - 1) {
    const instance = service.get('Install', 'DefaultInstance');
    installed = instance ? fileName.slice(0, at + 1) + instance + fileName.slice(dot) : undefined;
  }
  if (installed) {
    for (const [key, suffix] of DEPENDENT) {
      for (const target of strvWords(service, 'Install', key)) links.push(`${target}.${suffix}/${installed}`);
    }
  }
  return links.map((path) => ({ path, target: posix.relative(posix.dirname(path), fileName) }));
}
