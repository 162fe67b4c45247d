/**
 * The `.env` file beside a compose file, read as compose reads it: `KEY=VALUE` lines (`export ` allowed),
 * `#` comments and blank lines skipped; a single-quoted value is literal, a double-quoted one knows `\n`,
 * `\t`, `\\`, `\"` and interpolates, an unquoted one is trimmed, ends at ` #` and interpolates. Variables
 * refer to the lines above and to `lookup` (the process environment).
 */
import { interpolate, InterpolationError, type Lookup } from './interpolate.js';

/** A line compose cannot read; `line` counts from 1. */
export class DotenvError extends Error {
  override readonly name = 'DotenvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', $: '\\$' };

export function parseDotenv(text: string, lookup: Lookup = () => undefined): Map<string, string> {
  const vars = new Map<string, string>();
  const scope: Lookup = (name) => lookup(name) ?? vars.get(name);
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/s.exec(line);
    if (!m) throw new DotenvError(index + 1, `cannot read "${line}": KEY=VALUE expected`);
    const [, key, rest] = m as unknown as [string, string, string];
    try {
      vars.set(key, value(rest, scope));
    } catch (x) {
      if (x instanceof InterpolationError) throw new DotenvError(index + 1, x.message);
      throw x;
    }
  });
  return vars;
}

function value(rest: string, lookup: Lookup): string {
  const quote = rest[0];
  if (quote === "'" || quote === '"') {
    let end = 1;
    while (end < rest.length && rest[end] !== quote) end += quote === '"' && rest[end] === '\\' ? 2 : 1;
    if (end >= rest.length) end = -1;
    if (end < 0) throw new InterpolationError(`unterminated quoted value ${rest}`);
    const inner = rest.slice(1, end);
    if (quote === "'") return inner;
    // \$ stays escaped through the escapes and becomes a literal $ through interpolation ($$).
    const unescaped = inner.replace(/\\(.)/g, (all, c: string) => (ESCAPES[c] === '\\$' ? '$$' : (ESCAPES[c] ?? all)));
    return interpolate(unescaped, lookup);
  }
  const comment = rest.search(/\s#/);
  return interpolate((comment < 0 ? rest : rest.slice(0, comment)).trim(), lookup);
}
