/**
 * All quoting and escaping of unit-file syntax lives here: splitting a value into words the way systemd's
 * extract_first_word() does, and the reverse, writing words so that systemd reads back exactly them.
 */

const WHITESPACE = ' \t\n\r';

export interface SplitOptions {
  /** Decode C escapes (\\n, \\t, \\x41, \\u00e9 …); otherwise a backslash takes the next character literally. */
  cunescape?: boolean;
  /** Accept an unbalanced quote, and drop a trailing backslash (Quadlet's and systemd's SplitRelax). */
  relax?: boolean;
  /** Keep an unknown escape (and a trailing backslash) as written instead of refusing it. */
  unescapeRelax?: boolean;
  /** Keep backslashes as ordinary characters (systemd's strv keys such as WantedBy=). */
  retainEscape?: boolean;
}

export class SplitError extends Error {
  override readonly name = 'SplitError';
  constructor(
    message: string,
    /** 0-based offset in the value where the problem is. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', '"': '"', "'": "'", s: ' ',
};

/** Decodes one C escape at s[i] (the character after the backslash); returns the text and its length. */
export function cunescapeOne(s: string, i: number): { text: string; length: number } | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, length: 1 };
  const hex = (from: number, n: number): number | undefined => {
    const digits = s.slice(from, from + n);
    return digits.length === n && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : undefined;
  };
  if (c === 'x') {
    // A \xNN escape stands for one byte; bytes that form UTF-8 are joined in decodeBytes().
    const v = hex(i + 1, 2);
    return v === undefined || v === 0 ? undefined : { text: String.fromCharCode(0xdc00 | v), length: 3 };
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    const v = hex(i + 1, n);
    if (v === undefined || v === 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
    return { text: String.fromCodePoint(v), length: n + 1 };
  }
  if (c >= '0' && c <= '7') {
    const digits = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) return undefined;
    const v = parseInt(digits, 8);
    return v === 0 || v > 255 ? undefined : { text: String.fromCharCode(0xdc00 | v), length: 3 };
  }
  return undefined;
}

/**
 * Byte escapes are carried as U+DC00+byte (lone low surrogates, which no valid text holds) until the word
 * is complete; then runs of them are decoded as UTF-8, as systemd would see those bytes.
 */
function decodeBytes(word: string): string {
  if (!/[\udc00-\udcff]/.test(word)) return word;
  // Only lone low surrogates are byte marks: one after a high surrogate is half of a real character (🐳).
  return word.replace(/(?<![\ud800-\udbff])[\udc00-\udcff]+/g, (run) => {
    const bytes = Buffer.from([...run].map((ch) => ch.charCodeAt(0) & 0xff));
    return bytes.toString('utf8');
  });
}

/**
 * Splits a value into words as Quadlet's splitString() and systemd's extract_first_word() do, always
 * unquoting: whitespace separates, single or double quotes group (and may sit inside a word), and a
 * backslash escapes. Where Quadlet's port differs from systemd, systemd's reading is kept, since systemd
 * is what finally runs the words: an empty quoted word ("") is a word (Quadlet stops splitting there), and
 * \\xNN escapes are bytes (Quadlet takes them for code points).
 */
export function splitWords(value: string, opts: SplitOptions = {}): string[] {
  const words: string[] = [];
  let i = 0;
  const n = value.length;
  for (;;) {
    while (i < n && WHITESPACE.includes(value[i]!)) i++;
    if (i >= n) return words;
    let word = '';
    let quote: string | undefined;
    let quoteStart = 0;
    for (; i < n; i++) {
      const c = value[i]!;
      if (c === '\\' && !opts.retainEscape) {
        if (i + 1 >= n) {
          if (opts.unescapeRelax && (quote === undefined || opts.relax)) word += '\\';
          else if (!opts.relax) throw new SplitError('unbalanced escape', i);
          i++;
          break;
        }
        if (opts.cunescape) {
          const esc = cunescapeOne(value, i + 1);
          if (esc) {
            word += esc.text;
            i += esc.length;
          } else if (opts.unescapeRelax) {
            word += '\\' + value[i + 1];
            i++;
          } else {
            throw new SplitError('unsupported escape char', i);
          }
        } else {
          word += value[i + 1];
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === quote) quote = undefined;
        else word += c;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        quoteStart = i;
        continue;
      }
      if (WHITESPACE.includes(c)) break;
      word += c;
    }
    if (quote && !opts.relax) throw new SplitError('unbalanced quotes', quoteStart);
    words.push(decodeBytes(word));
  }
}

/** How a word's `%` and `$` reach systemd. */
export interface QuoteOptions {
  /**
   * 'keep' leaves `%` specifiers for systemd to expand (definition values such as systemd-%N);
   * 'escape' doubles them so the word arrives literally.
   */
  specifiers?: 'keep' | 'escape';
  /** Likewise for `$VAR` expansion in command lines. */
  variables?: 'keep' | 'escape';
}

// Characters that force quoting: whitespace, quotes, backslash, controls, and `;` (a command separator); and
// U+0085, which is no space to systemd but one to the Quadlet line reader, which trims it off a line's end.
const NEEDS_QUOTING = /[\s\u0085"'\\\x00-\x1f\x7f;]/;

function cEscape(word: string): string {
  let out = '';
  for (const ch of word) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\t': out += '\\t'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      case '\x07': out += '\\a'; break;
      case '\b': out += '\\b'; break;
      default: {
        const code = ch.codePointAt(0)!;
        out += code < 0x20 || code === 0x7f ? '\\x' + code.toString(16).padStart(2, '0') : ch;
      }
    }
  }
  return out;
}

function doubleSpecials(word: string, opts: QuoteOptions): string {
  if (word.includes('\0')) throw new Error('a word cannot contain a NUL byte');
  let w = word;
  if (opts.specifiers === 'escape') w = w.replaceAll('%', '%%');
  // A function, not the string '$$': in a replacement string "$$" is the pattern for one literal "$".
  if (opts.variables === 'escape') w = w.replaceAll('$', () => '$$');
  return w;
}

/** Writes one word of a command line (systemd unquotes and C-unescapes it) so that it yields exactly that word. */
export function quoteWord(word: string, opts: QuoteOptions = {}): string {
  const w = doubleSpecials(word, opts);
  if (w !== '' && !NEEDS_QUOTING.test(w)) return w;
  return '"' + cEscape(w) + '"';
}

/**
 * Writes a value Quadlet reads as it stands (Image=, HostName= …: no quotes, no escapes) so that it reaches
 * podman literally through the ExecStart= made from it: `%` and `$` doubled, against systemd's specifiers and
 * variables. Undefined when no such line can hold it: empty, a line break or control character, a space at
 * either end (the parser trims), a trailing backslash (it joins lines), or surrounding double quotes (Quadlet
 * strips them).
 */
export function literalValue(value: string): string | undefined {
  if (value === '' || /[\x00-\x1f\x7f]/.test(value) || /^[\s\u0085]|[\s\u0085]$/u.test(value) || value.endsWith('\\')) return undefined;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return undefined;
  return doubleSpecials(value, { specifiers: 'escape', variables: 'escape' });
}

/** Writes words as one value, e.g. an ExecStart= command line. */
export function quoteWords(words: readonly string[], opts: QuoteOptions = {}): string {
  return words.map((w) => quoteWord(w, opts)).join(' ');
}

/** Writes an argv literally: every `%` and `$` arrives as written. */
export function quoteArgvLiteral(argv: readonly string[]): string {
  return quoteWords(argv, { specifiers: 'escape', variables: 'escape' });
}

/**
 * Writes one word of a list that systemd unquotes but does not C-unescape (RequiresMountsFor=, After= …):
 * there a backslash only takes the next character literally, so `\x20` would arrive as `x20`. Quotes group,
 * and only `"` and `\` are escaped. Line breaks cannot be written at all.
 */
export function quoteListWord(word: string, opts: QuoteOptions = {}): string {
  const w = doubleSpecials(word, opts);
  if (/[\n\r]/.test(w)) throw new Error('a list word cannot contain a line break');
  if (w !== '' && !NEEDS_QUOTING.test(w)) return w;
  return '"' + w.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

/**
 * Quadlet's Lookup: trailing whitespace dropped and one pair of surrounding double quotes removed;
 * an unmatched quote stays, so shell syntax inside a value is not mangled.
 */
export function stripOuterQuotes(value: string): string {
  const v = value.trimEnd();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** systemd-escape --path: turns a path into the name of a unit (e.g. a .mount). */
export function escapePath(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (trimmed === '') return '-';
  return [...Buffer.from(trimmed, 'utf8')]
    .map((b, i) => {
      const ch = String.fromCharCode(b);
      if (ch === '/') return '-';
      if (/[A-Za-z0-9:_]/.test(ch) || (ch === '.' && i !== 0)) return ch;
      return '\\x' + b.toString(16).padStart(2, '0');
    })
    .join('');
}

/** Splits one CSV record (podman's --mount syntax): commas separate, double quotes group, "" is a quote. */
export function splitCsv(record: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i]!;
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Writes one CSV record, quoting only the fields that need it. */
export function joinCsv(fields: readonly string[]): string {
  return fields
    .map((f) => (/[",\r\n]/.test(f) || f.startsWith(' ') ? '"' + f.replaceAll('"', '""') + '"' : f))
    .join(',');
}

/**
 * Writes words as a POSIX shell reads them back, for commands berth prints for a person to run (never into a
 * unit): plain words as they are, any other in single quotes.
 */
export function quoteShellWords(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');
}
