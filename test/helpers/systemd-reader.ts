/**
 * Reads a unit file the way systemd 252 reads it, independently of berth's own parser (src/unit), so that
 * the differential tests compare generated units by their meaning to systemd rather than by their text.
 *
 * What it models (systemd v252 sources):
 * - lines: src/basic/fileio.c read_line_full(): a line ends at EOF or at a run of `\n`, `\r`, `\0` in which
 *   each of the three appears at most once and nothing follows a `\0` (so `\r\n`, `\n\r`, `\r\n\0` end one
 *   line, `\n\n` and `\r\r` two);
 * - src/shared/conf-parser.c config_parse(): a line whose first non-whitespace (" \t\n\r") character is
 *   `#` or `;` is a comment, also in the middle of a continuation (it is skipped and the continuation goes
 *   on); the first UTF-8 byte-order mark of the file is dropped; a line ending in an unescaped backslash
 *   continues on the next line, the backslash replaced by a space; a continuation still open at EOF is
 *   parsed as it stands;
 * - parse_line(): the line is stripped of whitespace; `[NAME]` opens a section (a `[` line without the
 *   closing `]`, or with unsafe characters, makes the whole file fail to load); `KEY=VALUE` splits at the
 *   first `=` and both sides are stripped; a line without `=` or with an empty key is ignored; a line that
 *   is not valid UTF-8 makes the file fail to load; assignments before any section are ignored;
 * - repeated sections are merged (assignments keep their file order).
 *
 * `execWords()` follows src/core/load-fragment.c config_parse_exec(); `unitNameWords()`, `pathWords()`,
 * `strvWords()` and `environmentWords()` the parsers of dependency keys, RequiresMountsFor=, [Install] lists
 * and Environment=. Values are JS strings; escapes that produce raw bytes are handled as bytes.
 */

export interface Assignment {
  readonly key: string;
  readonly value: string;
  /** 1-based number of the (last physical) line the assignment was read from. */
  readonly line: number;
}

export interface ReadResult {
  /** Sections in first-seen order; a section that appears twice is merged into one entry. */
  readonly sections: Map<string, Assignment[]>;
  /** Problems that make systemd refuse to load the file (empty when it loads). */
  readonly errors: string[];
  /** Problems systemd only warns about (the line is ignored). */
  readonly warnings: string[];
}

const WHITESPACE = ' \t\n\r';
const BOM = '\xef\xbb\xbf';

/** A JS string (or bytes) as a binary string: one char per byte, UTF-8 encoded. */
export function toBinary(text: string | Uint8Array): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  return bytes.toString('latin1');
}

// ignoreBOM: a word that starts with U+FEFF keeps it (the decoder would take it for a byte-order mark).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A binary string back to a JS string; undefined when the bytes are not valid UTF-8. */
export function fromBinaryStrict(bin: string): string | undefined {
  try {
    return strictUtf8.decode(Buffer.from(bin, 'latin1'));
  } catch {
    return undefined;
  }
}

/** A binary string back to a JS string; invalid UTF-8 shows as ⟦\xNN⟧ markers (never equal to real text). */
export function fromBinary(bin: string): string {
  const s = fromBinaryStrict(bin);
  if (s !== undefined) return s;
  let out = '';
  const bytes = Buffer.from(bin, 'latin1');
  let i = 0;
  while (i < bytes.length) {
    // Find the longest valid UTF-8 sequence starting at i (1 to 4 bytes).
    let taken = false;
    for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
      try {
        out += strictUtf8.decode(bytes.subarray(i, i + n));
        i += n;
        taken = true;
        break;
      } catch {
        /* try a longer sequence */
      }
    }
    if (!taken) {
      out += `⟦\\x${bytes[i]!.toString(16).padStart(2, '0')}⟧`;
      i++;
    }
  }
  return out;
}

const EOL_TEN = 1;
const EOL_THIRTEEN = 2;
const EOL_ZERO = 4;

function eolKind(c: string): number {
  if (c === '\n') return EOL_TEN;
  if (c === '\r') return EOL_THIRTEEN;
  if (c === '\0') return EOL_ZERO;
  return 0;
}

/** Splits a binary string into lines as read_line_full() does (no line for a trailing end-of-line run). */
export function splitLines(bin: string): string[] {
  const lines: string[] = [];
  let i = 0;
  const n = bin.length;
  while (i < n) {
    let line = '';
    let previous = 0;
    for (; i < n; i++) {
      const c = bin[i]!;
      const eol = eolKind(c);
      if ((previous & EOL_ZERO) !== 0 || (eol === 0 && previous !== 0) || (eol !== 0 && (previous & eol) !== 0)) break;
      if (eol !== 0) {
        previous |= eol;
        continue;
      }
      line += c;
    }
    lines.push(line);
  }
  return lines;
}

function isWs(c: string | undefined): boolean {
  return c !== undefined && WHITESPACE.includes(c);
}

export function strip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s[a])) a++;
  while (b > a && isWs(s[b - 1])) b--;
  return s.slice(a, b);
}

/** string_is_safe(): no control characters (< 0x20, 0x7f) and none of `\ " '`. */
function stringIsSafe(s: string): boolean {
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f || ch === '\\' || ch === '"' || ch === "'") return false;
  }
  return true;
}

/** Reads a unit file as systemd's config_parse() does. */
export function readUnit(text: string | Uint8Array): ReadResult {
  const sections = new Map<string, Assignment[]>();
  const errors: string[] = [];
  const warnings: string[] = [];
  let section: string | undefined;
  let sectionIgnored = false;
  let bomSeen = false;
  let continuation: string | undefined;
  let lineNo = 0;

  const parseLine = (raw: string, line: number): boolean => {
    const bin = strip(raw);
    if (bin === '') return true;
    const l = fromBinaryStrict(bin);
    if (l === undefined) {
      errors.push(`line ${line}: not valid UTF-8`);
      return false;
    }
    if (l.startsWith('[')) {
      if (!l.endsWith(']') || l.length < 2) {
        errors.push(`line ${line}: invalid section header ${JSON.stringify(l)}`);
        return false;
      }
      const name = l.slice(1, -1);
      if (!stringIsSafe(name)) {
        errors.push(`line ${line}: bad characters in section header ${JSON.stringify(l)}`);
        return false;
      }
      section = name;
      sectionIgnored = false;
      if (!sections.has(name)) sections.set(name, []);
      return true;
    }
    if (section === undefined) {
      if (!sectionIgnored) warnings.push(`line ${line}: assignment outside of section`);
      return true;
    }
    const eq = l.indexOf('=');
    if (eq < 0) {
      warnings.push(`line ${line}: missing '='`);
      return true;
    }
    if (eq === 0) {
      warnings.push(`line ${line}: missing key name before '='`);
      return true;
    }
    sections.get(section)!.push({ key: strip(l.slice(0, eq)), value: strip(l.slice(eq + 1)), line });
    return true;
  };

  for (const buf of splitLines(toBinary(text))) {
    lineNo++;
    let k = 0;
    while (k < buf.length && isWs(buf[k])) k++;
    if (k < buf.length && (buf[k] === '#' || buf[k] === ';')) continue;

    let l = buf;
    if (!bomSeen && buf.startsWith(BOM)) {
      l = buf.slice(BOM.length);
      bomSeen = true;
    }
    const p = continuation !== undefined ? continuation + l : l;
    let escaped = false;
    for (const c of p) escaped = escaped ? false : c === '\\';
    if (escaped) {
      continuation = `${p.slice(0, -1)} `;
      continue;
    }
    continuation = undefined;
    if (!parseLine(p, lineNo)) return { sections, errors, warnings };
  }
  if (continuation !== undefined) parseLine(continuation, ++lineNo);
  return { sections, errors, warnings };
}

/* ------------------------------------------------------------------------------------------------------ */
/* extract_first_word() (src/basic/extract-word.c) on binary strings                                        */

export interface ExtractFlags {
  readonly unquote?: boolean;
  readonly cunescape?: boolean;
  readonly retainEscape?: boolean;
  readonly relax?: boolean;
  /** EXTRACT_UNESCAPE_RELAX: an unknown escape, or an unquoted trailing backslash, is kept verbatim. */
  readonly unescapeRelax?: boolean;
}

export type Extracted = { readonly word: string; readonly rest: string | undefined } | { readonly error: string } | undefined;

function unhex(c: string | undefined): number {
  if (c === undefined) return -1;
  const v = '0123456789abcdef'.indexOf(c.toLowerCase());
  return c.length === 1 ? v : -1;
}

function utf8Bin(cp: number): string {
  // utf8_encode_unichar(): no validity check here (a \u surrogate is encoded as three bytes).
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** cunescape_one() with accept_nul=false: [bytes produced, chars consumed] or undefined when invalid. */
export function cunescapeOne(s: string, i: number): [string, number] | undefined {
  const c = s[i];
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };
  if (c === undefined) return undefined;
  if (Object.hasOwn(simple, c)) return [simple[c]!, 1];
  if (c === 'x') {
    const a = unhex(s[i + 1]);
    const b = unhex(s[i + 2]);
    if (a < 0 || b < 0 || (a === 0 && b === 0)) return undefined;
    return [String.fromCharCode((a << 4) | b), 3];
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    let v = 0;
    for (let k = 1; k <= n; k++) {
      const d = unhex(s[i + k]);
      if (d < 0) return undefined;
      v = v * 16 + d;
    }
    if (v === 0) return undefined;
    if (c === 'U' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) return undefined;
    return [utf8Bin(v), n + 1];
  }
  if (c >= '0' && c <= '7') {
    const digits = [s[i], s[i + 1], s[i + 2]].map((d) => (d !== undefined && d >= '0' && d <= '7' ? d.charCodeAt(0) - 48 : -1));
    if (digits.some((d) => d < 0)) return undefined;
    const m = (digits[0]! << 6) | (digits[1]! << 3) | digits[2]!;
    if (m === 0 || m > 255) return undefined;
    return [String.fromCharCode(m), 3];
  }
  return undefined;
}

/**
 * extract_first_word() with whitespace separators, on a binary string. Returns undefined when there is no
 * further word, `{error}` on invalid input (unbalanced quote, bad escape, trailing backslash).
 */
export function extractFirstWord(p: string | undefined, flags: ExtractFlags): Extracted {
  if (p === undefined) return undefined;
  let i = 0;
  while (i < p.length && isWs(p[i])) i++;
  if (i >= p.length) return undefined;
  let s = '';
  let quote = '';
  for (;;) {
    const c = p[i];
    if (c === undefined) {
      if (quote !== '' && !flags.relax) return { error: 'unbalanced quotes' };
      return { word: s, rest: undefined };
    }
    if (c === '\\' && !flags.retainEscape) {
      i++;
      if (i >= p.length) {
        if (flags.unescapeRelax && (quote === '' || flags.relax)) return { word: `${s}\\`, rest: undefined };
        if (flags.relax) return { word: s, rest: undefined };
        return { error: 'trailing backslash' };
      }
      if (flags.cunescape) {
        const u = cunescapeOne(p, i);
        if (u) {
          s += u[0];
          i += u[1];
        } else if (flags.unescapeRelax) {
          s += `\\${p[i]}`;
          i++;
        } else return { error: `invalid escape \\${p[i]}` };
      } else {
        s += p[i];
        i++;
      }
      continue;
    }
    if (quote !== '') {
      if (c === quote) {
        quote = '';
        if (!flags.unquote) s += c;
      } else s += c;
      i++;
      continue;
    }
    if ((c === '"' || c === "'") && flags.unquote) {
      quote = c;
      i++;
      continue;
    }
    if (isWs(c)) {
      while (i < p.length && isWs(p[i])) i++;
      return { word: s, rest: i >= p.length ? undefined : p.slice(i) };
    }
    s += c;
    i++;
  }
}

/**
 * extract_first_word_and_warn(): on -EINVAL, tries again with EXTRACT_UNESCAPE_RELAX (systemd warns
 * "Ignoring unknown escape sequences"); still -EINVAL means unbalanced quoting.
 */
export function extractFirstWordAndWarn(p: string | undefined, flags: ExtractFlags): Extracted {
  const r = extractFirstWord(p, flags);
  if (r === undefined || !('error' in r) || flags.unescapeRelax) return r;
  return extractFirstWord(p, { ...flags, unescapeRelax: true });
}

/** Splits a value into words with extract_first_word(); `{error}` when systemd would reject the value. */
export function splitWords(value: string, flags: ExtractFlags): { words: string[] } | { error: string } {
  const words: string[] = [];
  let rest: string | undefined = toBinary(value);
  for (;;) {
    const r = extractFirstWord(rest, flags);
    if (r === undefined) return { words: words.map(fromBinary) };
    if ('error' in r) return { error: r.error };
    words.push(r.word);
    rest = r.rest;
  }
}

/* ------------------------------------------------------------------------------------------------------ */
/* Specifiers (src/shared/specifier.c specifier_printf) and environment references (env-util.c)            */

/** Specifiers of unit_full_printf()/unit_path_printf() in systemd 252. */
const FULL_SPECIFIERS = 'iIjJnNpPfyYcrRCdELSthsaAbBHlqmMovwWgGuUTV';
/** Specifiers of unit_name_printf() (dependency keys). */
const NAME_SPECIFIERS = 'ijnNpaAbBHlqmMovwWgGuU';
/** unit_env_printf() (Environment=) uses the full table. */
const ALNUM = /[A-Za-z0-9]/;

/**
 * specifier_printf(): `%%` is `%`, a known `%x` stays as the marker ⟦%x⟧ (its value depends on the host and
 * the unit), `%` before a non-alphanumeric character or at the end stays; an unknown alphanumeric specifier
 * is an error.
 */
export function resolveSpecifiers(s: string, table: 'full' | 'name' = 'full'): { value: string } | { error: string } {
  const known = table === 'full' ? FULL_SPECIFIERS : NAME_SPECIFIERS;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const d = s[i + 1];
    if (d === undefined) {
      out += '%';
      break;
    }
    i++;
    if (d === '%') out += '%';
    else if (known.includes(d)) out += `⟦%${d}⟧`;
    else if (ALNUM.test(d)) return { error: `unknown specifier %${d}` };
    else out += `%${d}`;
  }
  return { value: out };
}

const VALID_ENV_NAME = /^[A-Za-z0-9_]$/;

/**
 * What replace_env_argv() does with one argv word when the command runs: a word that is `$NAME` as a whole
 * becomes the marker ⟦$NAME⟧ (it is replaced by the variable's words, or dropped when unset); `$$` is `$`;
 * `${NAME}` becomes ⟦${NAME}⟧; anything else stays.
 */
export function resolveEnvReferences(word: string): string {
  if (word.startsWith('$') && word[1] !== '{' && word[1] !== '$') return `⟦${word}⟧`;
  let out = '';
  let i = 0;
  while (i < word.length) {
    const c = word[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const d = word[i + 1];
    if (d === '$') {
      out += '$';
      i += 2;
    } else if (d === '{') {
      // ${NAME} up to '}', unless a ':' comes first (unsupported syntax: left alone).
      let j = i + 2;
      while (j < word.length && word[j] !== '}' && word[j] !== ':') j++;
      if (word[j] === '}') {
        out += `⟦${word.slice(i, j + 1)}⟧`;
        i = j + 1;
      } else {
        out += word.slice(i, j);
        i = j;
      }
    } else {
      out += '$';
      i++;
    }
  }
  return out;
}

/* ------------------------------------------------------------------------------------------------------ */
/* config_parse_exec()                                                                                     */

export interface ExecCommand {
  /** The prefix characters systemd understood, in the canonical order `-@:+!` (`!!` for ambient). */
  readonly flags: string;
  /** The executable (after specifiers, before path_simplify). */
  readonly path: string;
  /** argv as the process gets it, with specifier and variable markers. */
  readonly argv: readonly string[];
}

export interface ExecResult {
  readonly commands: readonly ExecCommand[];
  /** Set when systemd refuses the line, which makes the whole unit fail to load. */
  readonly error?: string;
  /** Set when systemd ignores (the rest of) the line with a warning. */
  readonly ignored?: string;
}

function filenameIsValid(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && Buffer.byteLength(s) <= 255;
}

function pathIsValid(s: string): boolean {
  if (s === '' || Buffer.byteLength(s) >= 4096) return false;
  return s.split('/').every((c) => Buffer.byteLength(c) <= 255);
}

/**
 * Parses one ExecStart=/ExecStop=/… value as config_parse_exec() does: one or more commands separated by
 * lone `;` words, each with its `-@:+!` prefixes. Words are split with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE,
 * `\;` is a literal `;` word, specifiers are resolved (markers), then `$$` and variable references as at
 * run time (skipped for a `:` command). An empty value means "reset the list" (no commands).
 */
export function execWords(value: string, opts: { runtime?: boolean } = {}): ExecResult {
  const runtime = opts.runtime ?? true;
  const commands: ExecCommand[] = [];
  let p: string | undefined = toBinary(value);
  if (strip(p) === '') return { commands };
  const flagsUnquote: ExtractFlags = { unquote: true, cunescape: true };
  let semicolon: boolean;
  do {
    semicolon = false;
    const first = extractFirstWordAndWarn(p, flagsUnquote);
    if (first === undefined) return { commands };
    if ('error' in first) return { commands, ignored: first.error };
    p = first.rest;
    if (first.word === ';') {
      semicolon = true;
      continue;
    }
    let f = first.word;
    let ignore = false;
    let separateArgv0 = false;
    let noEnv = false;
    let privileged = false;
    let noSetuid = false;
    let ambient = false;
    for (;;) {
      const c = f[0];
      if (c === '-' && !ignore) ignore = true;
      else if (c === '@' && !separateArgv0) separateArgv0 = true;
      else if (c === ':' && !noEnv) noEnv = true;
      else if (c === '+' && !(privileged || noSetuid || ambient)) privileged = true;
      else if (c === '!' && !(privileged || noSetuid || ambient)) noSetuid = true;
      else if (c === '!' && !(privileged || ambient)) {
        noSetuid = false;
        ambient = true;
      } else break;
      f = f.slice(1);
    }
    const fail = (why: string): ExecResult => (ignore ? { commands, ignored: why } : { commands, error: why });
    const pathR = resolveSpecifiers(fromBinary(f), 'full');
    if ('error' in pathR) return fail(pathR.error);
    const path = pathR.value;
    if (path === '') return fail('empty path in command line');
    if (!stringIsSafe(path)) return fail(`executable name contains special characters: ${path}`);
    if (path.endsWith('/')) return fail(`executable path specifies a directory: ${path}`);
    // A specifier marker stands for a value only the running system knows: validity cannot be judged.
    if (!path.includes('⟦') && !(path.startsWith('/') ? pathIsValid(path) : filenameIsValid(path))) {
      return fail(`neither a valid executable name nor an absolute path: ${path}`);
    }
    const argvText: string[] = separateArgv0 ? [] : [path];
    while (p !== undefined && p !== '') {
      if (p[0] === ';' && (p.length === 1 || isWs(p[1]))) {
        p = p.slice(1);
        let k = 0;
        while (k < p.length && isWs(p[k])) k++;
        p = p.slice(k);
        semicolon = true;
        break;
      }
      if (p[0] === '\\' && p[1] === ';' && (p.length === 2 || isWs(p[2]))) {
        p = p.slice(2);
        let k = 0;
        while (k < p.length && isWs(p[k])) k++;
        p = p.slice(k);
        argvText.push(';');
        continue;
      }
      const w = extractFirstWordAndWarn(p, flagsUnquote);
      if (w === undefined) break;
      if ('error' in w) return fail(w.error);
      p = w.rest;
      const r = resolveSpecifiers(fromBinary(w.word), 'full');
      if ('error' in r) return fail(r.error);
      argvText.push(r.value);
    }
    if (argvText.length === 0) return fail('empty executable name or zeroeth argument');
    const argv = argvText.map((s) => (noEnv || !runtime ? s : resolveEnvReferences(s)));
    const flags = `${ignore ? '-' : ''}${separateArgv0 ? '@' : ''}${noEnv ? ':' : ''}${privileged ? '+' : ''}${noSetuid ? '!' : ''}${ambient ? '!!' : ''}`;
    commands.push({ flags, path, argv });
  } while (semicolon);
  return { commands };
}

/* ------------------------------------------------------------------------------------------------------ */
/* Lists                                                                                                   */

/**
 * Dependency keys (Wants=, After=, Requires=, BindsTo=, …: config_parse_unit_deps): split at whitespace
 * with EXTRACT_RETAIN_ESCAPE only (quotes and backslashes are ordinary characters), then unit_name_printf();
 * a word with a bad specifier is dropped. An empty value adds nothing (it does not reset).
 */
export function unitNameWords(value: string): string[] {
  const r = splitWords(value, { retainEscape: true });
  if ('error' in r) return [];
  const out: string[] = [];
  for (const w of r.words) {
    const s = resolveSpecifiers(w, 'name');
    if ('value' in s) out.push(s.value);
  }
  return out;
}

/** path_simplify(): collapses `//`, drops `.` components and a trailing `/`. */
export function pathSimplify(p: string): string {
  const abs = p.startsWith('/');
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  const s = parts.join('/');
  return abs ? `/${s}` : s === '' ? '.' : s;
}

/**
 * RequiresMountsFor= (config_parse_unit_requires_mounts_for): EXTRACT_UNQUOTE words, unit_path_printf(),
 * path_simplify(); a word that is not an absolute path afterwards is dropped. An unbalanced quote drops the
 * rest of the line (earlier words stay).
 */
export function pathWords(value: string): string[] {
  const out: string[] = [];
  let rest: string | undefined = toBinary(value);
  for (;;) {
    const r = extractFirstWord(rest, { unquote: true });
    if (r === undefined || 'error' in r) return out;
    rest = r.rest;
    const s = resolveSpecifiers(fromBinary(r.word), 'full');
    if ('error' in s) continue;
    const simple = pathSimplify(s.value);
    if (!simple.startsWith('/') && !simple.startsWith('⟦')) continue;
    out.push(simple);
  }
}

/**
 * [Install] lists (WantedBy=, RequiredBy=, Alias=, Also=: config_parse_strv and friends):
 * EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE words; `undefined` for an empty value, which resets the list.
 */
export function strvWords(value: string): string[] | undefined {
  if (value === '') return undefined;
  const r = splitWords(value, { unquote: true, retainEscape: true });
  return 'error' in r ? [] : r.words;
}

/**
 * Environment= (config_parse_environ): EXTRACT_CUNESCAPE|EXTRACT_UNQUOTE words, specifiers resolved, each
 * a NAME=VALUE assignment (invalid ones dropped); `undefined` for an empty value, which resets the list.
 * An invalid escape or quote drops the whole line.
 */
export function environmentWords(value: string): Array<[string, string]> | undefined {
  if (value === '') return undefined;
  const r = splitWords(value, { unquote: true, cunescape: true });
  if ('error' in r) return [];
  const out: Array<[string, string]> = [];
  for (const w of r.words) {
    const s = resolveSpecifiers(w, 'full');
    if ('error' in s) continue;
    const eq = s.value.indexOf('=');
    if (eq <= 0) continue;
    const name = s.value.slice(0, eq);
    if (![...name].every((c) => VALID_ENV_NAME.test(c)) || /^[0-9]/.test(name)) continue;
    out.push([name, s.value.slice(eq + 1)]);
  }
  return out;
}
