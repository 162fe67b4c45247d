/**
 * Seeded random argvs for quoting tests, biased toward what breaks command-line quoting: systemd's
 * `$VAR`/`${VAR}` and `%` specifiers, quotes, backslashes, `;` words, whitespace, control characters,
 * empty strings, non-ASCII and long words.
 */

/** mulberry32: small, fast, good enough for test data; the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from the environment variable (to replay a failure) or a fresh random one. */
export function seedFromEnv(variable = 'BERTH_QUOTE_SEED'): number {
  const env = process.env[variable];
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return (Math.random() * 2 ** 32) >>> 0;
}

const CONTROLS = [...Array(31).keys()].map((i) => String.fromCharCode(i + 1)).concat('\x7f');

/** Pieces words are made of, nasty ones first. */
const NASTY = [
  '$', '%', '"', "'", '\\', ';', '\t', '\n', ' ', '  ', '\r',
  '${X}', '$X', '$Y', '$$', '${', '}', '%n', '%N', '%%', '%i', '%t', '%',
  '\\n', '\\t', '\\x41', '\\;', '\\"', "\\'", '\\\\', '""', "''", '"\'"',
  '😀', '🇩🇪', 'é', 'e\u0301', 'ß', '漢字', 'עברית', '\u00a0', '\u2028', '\u0085', '\ufeff', '\u200b',
  '#', '-', '@', '+', '!', ':', '=', '*', '?', '~', '`', '&', '|', '<', '>', '(', ')', '[', ']', '{',
];
/** Whole words that mean something on their own in a command line. */
const WHOLE = [';', '\\;', '$X', '${X}', '$Y', '$', '%', '%n', '%%', '-', '""', "''", ' ', '\\', '"', "'", '\n', '#', '$$X'];
const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,:=+-@';

export interface ArgvOptions {
  /** Leave out `%` and `$` (for round trips that keep specifiers and variables). */
  noSpecials?: boolean;
  maxArgs?: number;
}

export function randomWord(rnd: () => number, opts: ArgvOptions = {}): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ok = (w: string) => !opts.noSpecials || !/[%$]/.test(w);
  const r = rnd();
  if (r < 0.06) return '';
  if (r < 0.2) {
    const w = pick(WHOLE);
    return ok(w) ? w : '';
  }
  if (r < 0.23) {
    // A long word: 200 to 3000 characters of everything.
    const n = 200 + Math.floor(rnd() * 2800);
    let w = '';
    while (w.length < n) {
      const piece = rnd() < 0.3 ? pick(NASTY) : rnd() < 0.1 ? pick(CONTROLS) : pick([...PLAIN]);
      if (ok(piece)) w += piece;
    }
    return w;
  }
  const pieces = 1 + Math.floor(rnd() * 10);
  let w = '';
  for (let i = 0; i < pieces; i++) {
    const k = rnd();
    const piece = k < 0.5 ? pick(NASTY) : k < 0.6 ? pick(CONTROLS) : pick([...PLAIN]).repeat(1 + Math.floor(rnd() * 4));
    if (ok(piece)) w += piece;
  }
  return w;
}

export function randomArgv(rnd: () => number, opts: ArgvOptions = {}): string[] {
  const n = Math.floor(rnd() * ((opts.maxArgs ?? 8) + 1));
  return Array.from({ length: n }, () => randomWord(rnd, opts));
}
