/**
 * Compose's variable interpolation (compose-spec, "Interpolation"): `$VAR` and `${VAR}`, the operators
 * `:-` `-` (default), `:?` `?` (required), `:+` `+` (alternative), operands that interpolate in turn, and
 * `$$` for a literal `$`. A `$` before anything that is no variable stays as written, as compose keeps it.
 */

/** A variable's value, or undefined when it is unset (an empty value is set). */
export type Lookup = (name: string) => string | undefined;

/** A template compose refuses (`${}`, `${A/b/c}`, an unclosed `${`) or a required variable without a value. */
export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

/** The index of the `}` that closes a `${` whose body starts at `from`, counting nested `${ … }`. */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** One braced expression's body (between `${` and `}`) → its value. */
function braced(body: string, lookup: Lookup, unset: (name: string) => void): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) throw new InterpolationError(`invalid interpolation format for "\${${body}}"`);
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) unset(name);
    return value ?? '';
  }
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (op === undefined) throw new InterpolationError(`invalid interpolation format for "\${${body}}": only :- - :? ? :+ + are supported`);
  const operand = (): string => interpolate(rest.slice(op.length), lookup, unset);
  // With a colon, an empty value counts as unset.
  const set = op.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
  switch (op.replace(':', '')) {
    case '-':
      return set ? value! : operand();
    case '+':
      return set ? operand() : '';
    default: {
      if (set) return value!;
      const message = operand();
      throw new InterpolationError(`required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
    }
  }
}

/**
 * Interpolates one value; `unset` hears of each variable used without a default that has no value (compose
 * warns and puts an empty string there).
 */
export function interpolate(text: string, lookup: Lookup, unset: (name: string) => void = () => undefined): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const end = closing(text, dollar + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for "${text.slice(dollar)}": no closing }`);
      out += braced(text.slice(dollar + 2, end), lookup, unset);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i = dollar + 1;
      } else {
        const value = lookup(name);
        if (value === undefined) unset(name);
        out += value ?? '';
        i = dollar + 1 + name.length;
      }
    }
  }
  return out;
}
