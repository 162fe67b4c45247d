/** Builds definitions from text for pure compiler and generator tests. */
import { UnitFile } from '../../src/unit/unit-file.js';
import type { Definition } from '../../src/compile/definition.js';
import { kindOf } from '../../src/compile/kinds.js';

export function definition(fileName: string, text: string, dir = '/etc/berth/definitions'): Definition {
  const path = `${dir}/${fileName}`;
  const { unit, errors } = UnitFile.parse(text, path);
  if (errors.length > 0) throw errors[0];
  const kind = kindOf(fileName);
  if (!kind) throw new Error(`not a definition file name: ${fileName}`);
  return { fileName, kind, unit };
}
