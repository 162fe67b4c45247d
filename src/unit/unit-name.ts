/**
 * systemd's rules for unit names (unit_name_is_valid): at most 255 characters, a known type suffix, and
 * before it only letters, digits and `:-_.\` plus `@`, which must not come first. A valid name never holds
 * `/`, so a name that passes can be used as a file name in a generator's output folder.
 */
const UNIT_TYPES = new Set(['service', 'socket', 'target', 'device', 'mount', 'automount', 'swap', 'timer', 'path', 'slice', 'scope']);
const NAME_CHARS = /^[A-Za-z0-9:\-_.\\@]+$/;
const MAX_NAME = 255;

export type UnitNameForm = 'plain' | 'instance' | 'template';

/** The form of a valid unit name, or why it is not one. */
export function checkUnitName(name: string): { form: UnitNameForm; type: string } | { problem: string } {
  if (name === '') return { problem: 'a unit name cannot be empty' };
  if (name.length > MAX_NAME) return { problem: `a unit name has at most ${MAX_NAME} characters` };
  const dot = name.lastIndexOf('.');
  const type = dot > 0 ? name.slice(dot + 1) : '';
  if (!UNIT_TYPES.has(type)) return { problem: `"${name}" does not end in a unit type (.service, .target, …)` };
  const stem = name.slice(0, dot);
  if (!NAME_CHARS.test(stem)) return { problem: `"${name}" holds characters a unit name cannot (only letters, digits and :-_.\\@)` };
  const at = stem.indexOf('@');
  if (at === 0) return { problem: `"${name}" starts with @` };
  return { form: at < 0 ? 'plain' : at === stem.length - 1 ? 'template' : 'instance', type };
}

export function isUnitName(name: string): boolean {
  return 'form' in checkUnitName(name);
}
