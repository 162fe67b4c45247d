/** The text of an imported definition, and the name of its file. */
import { UnitFile } from '../unit/unit-file.js';

export interface Imported {
  /** e.g. hello-nginx.container */
  readonly fileName: string;
  readonly text: string;
  /** For stderr: what could not become a key of its own. */
  readonly warnings: readonly string[];
}

/** Key and value pairs, the values already written for the definition. */
export type Entries = ReadonlyArray<readonly [string, string]>;

/** The stem a definition of `name` gets: the characters a unit name cannot hold replaced. */
export function definitionStem(name: string, ext: string): string {
  return name.replace(/[^A-Za-z0-9:_.-]/g, '-').replace(/^[.-]+/, '').slice(0, 200) || ext;
}

/**
 * A definition: a header that says where it came from and each note as a comment, then the sections in the
 * order given ([Unit], the kind's own, [Service], [Install]); an empty section is left out. The file is
 * named after `name` (definitionStem).
 */
export function definitionText(ext: string, name: string, sections: ReadonlyArray<readonly [string, Entries]>, notes: readonly string[], warnings: readonly string[]): Imported {
  const fileName = `${definitionStem(name, ext)}.${ext}`;
  const unit = UnitFile.empty(fileName);
  for (const [section, entries] of sections) for (const [key, value] of entries) unit.add(section, key, value);
  return { fileName, text: unit.toString([`${fileName}, written by berth import.`, ...notes]), warnings };
}
