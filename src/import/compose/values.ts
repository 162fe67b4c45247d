/**
 * Reading a compose value of the shape a key expects. A value of another shape is a definition error at
 * its line, as compose refuses the file; what can be read but not carried over is the caller's to report.
 */
import { DefinitionError } from '../../errors.js';
import type { Entry, Node, Where } from './tree.js';

/** A text and where it stands. */
export interface Text {
  readonly value: string;
  readonly at: Where;
}

/** A key, its value (undefined: given without one, `- KEY` or `KEY:`), and where it stands. */
export interface Pair {
  readonly key: string;
  readonly value: string | undefined;
  readonly at: Where;
}

export class Values {
  constructor(readonly file: string) {}

  fail(at: Where, why: string): never {
    throw new DefinitionError({ file: this.file, line: at.line, column: at.column, key: at.path }, why);
  }

  /** A scalar as text (numbers and booleans as YAML wrote them); null, a list or a map is an error. */
  text(n: Node): string {
    if (n.kind !== 'scalar' || n.value === null) this.fail(n.at, 'a single value is expected here');
    return n.source ?? String(n.value);
  }

  /** A text, or undefined for a null (`key:` with nothing after it). */
  optText(n: Node): string | undefined {
    return n.kind === 'scalar' && n.value === null ? undefined : this.text(n);
  }

  bool(n: Node): boolean {
    const v = n.kind === 'scalar' ? n.value : undefined;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    return this.fail(n.at, 'true or false is expected here');
  }

  /** A number of the given kind (YAML number or interpolated digits). */
  integer(n: Node): number {
    const t = this.text(n);
    if (!/^-?\d+$/.test(t)) this.fail(n.at, `a whole number is expected here, not "${t}"`);
    return Number(t);
  }

  items(n: Node): readonly Node[] {
    if (n.kind !== 'seq') this.fail(n.at, 'a list is expected here');
    return n.items;
  }

  entries(n: Node): readonly Entry[] {
    if (n.kind !== 'map') this.fail(n.at, 'a mapping is expected here');
    return n.entries;
  }

  /** One text or a list of them (dns: 8.8.8.8, or dns: [8.8.8.8, 1.1.1.1]). */
  texts(n: Node): readonly Text[] {
    return n.kind === 'seq' ? n.items.map((i) => ({ value: this.text(i), at: i.at })) : [{ value: this.text(n), at: n.at }];
  }

  /** A mapping (KEY: VALUE) or a list of KEY=VALUE (`sep`) texts, as environment:, labels:, sysctls: are written. */
  pairs(n: Node, sep = '='): readonly Pair[] {
    if (n.kind === 'map') return n.entries.map((e) => ({ key: e.key, value: this.optText(e.value), at: e.at }));
    return this.items(n).map((i) => {
      const t = this.text(i);
      const cut = t.indexOf(sep);
      return cut < 0 ? { key: t, value: undefined, at: i.at } : { key: t.slice(0, cut), value: t.slice(cut + 1), at: i.at };
    });
  }
}

/** The entry of a mapping with this key, if any. */
export const field = (entries: readonly Entry[], key: string): Entry | undefined => entries.find((e) => e.key === key);
