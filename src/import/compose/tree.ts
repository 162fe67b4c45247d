/**
 * A compose file read into a small tree that keeps where each value and key stands (line and column, from
 * 1) and its key path (`services.web.ports[0]`), so that every report can name them. Aliases are followed and
 * `<<` merge keys applied (explicit keys win), and every string value is interpolated, as compose does before
 * it reads the values; keys are not.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { DefinitionError } from '../../errors.js';
import { interpolate, InterpolationError, type Lookup } from './interpolate.js';

export interface Where {
  readonly line: number;
  readonly column: number;
  /** The key path, e.g. services.web.ports[0]. */
  readonly path: string;
}

export type Scalar = string | number | boolean | null;

export type Node =
  | { readonly kind: 'map'; readonly at: Where; readonly entries: readonly Entry[] }
  | { readonly kind: 'seq'; readonly at: Where; readonly items: readonly Node[] }
  | { readonly kind: 'scalar'; readonly at: Where; readonly value: Scalar; /** A number as written (0440 stays 0440). */ readonly source?: string };

/** A map's entry: `at` is where its key stands. */
export interface Entry {
  readonly key: string;
  readonly at: Where;
  readonly value: Node;
}

export interface ReadOptions {
  readonly lookup: Lookup;
  /** Hears of each variable without a value or default (compose warns and interpolates an empty string). */
  readonly unset?: (name: string, at: Where) => void;
}

export function readComposeTree(file: string, text: string, opts: ReadOptions): Node {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const whereOf = (offset: number | undefined, path: string): Where => {
    const { line, col } = lines.linePos(offset ?? 0);
    return { line, column: col, path };
  };
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lines.linePos(problem.pos[0]);
    throw new DefinitionError({ file, line, column: col }, `not a YAML file compose can read: ${problem.message.split('\n')[0]}`);
  }
  const walk = (node: unknown, path: string, seen: ReadonlySet<unknown>): Node => {
    if (isAlias(node)) {
      const target = node.resolve(doc as Document);
      if (target === undefined || seen.has(target)) throw new DefinitionError({ ...whereOf(node.range?.[0], path), file, key: path }, `the alias *${node.source} names no anchor above it, or itself`);
      return walk(target, path, new Set([...seen, target]));
    }
    const at = whereOf((node as YamlNode | null)?.range?.[0], path);
    if (node === null || node === undefined) return { kind: 'scalar', at, value: null };
    if (isMap(node)) {
      const entries: Entry[] = [];
      const merged: Entry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key;
        const key = isScalar(keyNode) && keyNode.value !== null ? String(keyNode.value) : undefined;
        const keyAt = whereOf(isScalar(keyNode) ? keyNode.range?.[0] : node.range?.[0], path);
        if (key === undefined) throw new DefinitionError({ file, line: keyAt.line, column: keyAt.column, key: path }, 'a key must be a plain value');
        const childPath = path === '' ? key : `${path}.${key}`;
        if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
          for (const source of sources) {
            const m = walk(source, path, seen);
            if (m.kind !== 'map') throw new DefinitionError({ file, line: keyAt.line, column: keyAt.column, key: path }, 'a << merge key takes a mapping or a list of them');
            merged.push(...m.entries.filter((e) => !merged.some((o) => o.key === e.key)));
          }
          continue;
        }
        entries.push({ key, at: { ...keyAt, path: childPath }, value: walk(pair.value, childPath, seen) });
      }
      return { kind: 'map', at, entries: [...entries, ...merged.filter((e) => !entries.some((o) => o.key === e.key))] };
    }
    if (isSeq(node)) return { kind: 'seq', at, items: node.items.map((item, i) => walk(item, `${path}[${i}]`, seen)) };
    const value: unknown = isScalar(node) ? node.value : undefined;
    if (typeof value === 'string') {
      try {
        return { kind: 'scalar', at, value: interpolate(value, opts.lookup, (name) => opts.unset?.(name, at)) };
      } catch (x) {
        if (x instanceof InterpolationError) throw new DefinitionError({ file, line: at.line, column: at.column, key: path }, x.message);
        throw x;
      }
    }
    if (typeof value === 'number') return { kind: 'scalar', at, value, ...(isScalar(node) && node.source !== undefined ? { source: node.source } : {}) };
    if (value === null || typeof value === 'boolean') return { kind: 'scalar', at, value };
    throw new DefinitionError({ file, line: at.line, column: at.column, key: path }, 'a value compose cannot read (a date or binary?)');
  };
  return walk(doc.contents, '', new Set());
}
