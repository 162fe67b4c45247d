/** The text of an imported definition, and the name of its file. */
import { UnitFile } from '../unit/unit-file.js';

export interface Imported {
  /** e.g. hello-nginx.container */
  readonly fileName: string;
  readonly text: string;
  /** For stderr: what could not become a key of its own. */
  readonly warnings: readonly string[];
}

/**
 * A definition: a header that says where it came from and each note as a comment, then the entries of its
 * kind's section, then those of other sections ([Service] …), values already written for the definition.
 * The file is named after `name`, with the characters a unit name cannot hold replaced.
 */
export function definitionText(
  ext: string, name: string, section: string, entries: ReadonlyArray<readonly [string, string]>, notes: readonly string[], warnings: readonly string[],
  others: ReadonlyArray<readonly [section: string, key: string, value: string]> = [],
): Imported {
  const stem = name.replace(/[^A-Za-z0-9:_.-]/g, '-').replace(/^[.-]+/, '').slice(0, 200) || ext;
  const fileName = `${stem}.${ext}`;
  const unit = UnitFile.empty(fileName);
  for (const [key, value] of entries) unit.add(section, key, value);
  for (const [other, key, value] of others) unit.add(other, key, value);
  return { fileName, text: unit.toString([`${fileName}, written by berth import.`, ...notes]), warnings };
}
