/**
 * What one compose entry (a service, a network, a volume) becomes, gathered key by key: podman flags (read
 * into keys by the podman importers), keys only a definition can hold (references to other definitions,
 * [Unit], [Service], [Install]), and the reports of what could not be carried over, each naming the compose
 * file, line, column and key path.
 */
import type { Option } from '../argv.js';
import type { Where } from './tree.js';

export type Section = 'Unit' | 'Container' | 'Service' | 'Install';

/** FILE:LINE:COLUMN: key.path */
export const located = (file: string, at: Where): string => `${file}:${at.line}:${at.column}: ${at.path}`;

export class Parts {
  readonly options: Option[] = [];
  readonly keys: Record<Section, Array<[string, string]>> = { Unit: [], Container: [], Service: [], Install: [] };
  readonly notes: string[] = [];
  readonly warnings: string[] = [];

  constructor(readonly file: string) {}

  /** A podman flag (long form) made from the compose value at `at`; its notes name that place. */
  flag(at: Where, flag: string, value = 'true'): void {
    this.options.push({ flag, value, written: `${located(this.file, at)} (${flag})` });
  }

  /** A key written as is: the caller has quoted the value (src/unit/quote.ts). */
  key(section: Section, key: string, value: string): void {
    this.keys[section].push([key, value]);
  }

  /** A difference worth knowing that needs no action: a comment in the definition only. */
  note(at: Where, why: string): void {
    this.notes.push(`${located(this.file, at)}: ${why}`);
  }

  /** What has no Quadlet equivalent or differs from compose: a comment in the definition and a warning. */
  report(at: Where, why: string): void {
    const line = `${located(this.file, at)}: ${why}`;
    this.notes.push(line);
    this.warnings.push(line);
  }
}
