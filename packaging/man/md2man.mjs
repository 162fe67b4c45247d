// Turns berth's man page sources (packaging/man/NAME.SECTION.md) into man(7) roff. It reads only the
// small markdown subset those pages are written in, and refuses anything else with FILE:LINE, so a page
// never renders wrong in silence:
//
//   # NAME(SECTION) -- summary      first line: .TH and the NAME section
//   ## HEADING                      .SH
//   ### Heading                     .SS
//   text lines                      a paragraph (.PP); consecutive lines are joined
//   - item                          a bullet (.IP); continuation lines are indented two spaces
//   term                            a definition list entry (.TP): a line, then lines starting ": "
//   : definition                      (continuation lines indented two spaces; another ": " line after a
//                                     blank line is one more paragraph of the same definition)
//   ```  …  ```                     a literal block (.nf), indented
//   `code`  **bold**  *italic*      \fB…\fR  \fB…\fR  \fI…\fR
//
// Tables, HTML, links, numbered lists and nested lists are refused. Why not pandoc, ronn or marked-man:
// pandoc is a few hundred megabytes of Haskell on Debian, ronn needs Ruby, marked-man an npm package tree;
// this subset is all the pages need, and this file is tested (test/packaging/md2man.test.ts).
//
// Usage: node packaging/man/md2man.mjs FILE.md [--version X.Y.Z] > FILE   (or import convert/convertFile)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export class ManError extends Error {}

/** roff-escapes plain text: backslashes, and a leading . or ' that roff would take for a request. */
function escapeText(s) {
  return s.replace(/\\/g, '\\e');
}

/** Literal text (code): also - as \- so options copy and paste as ASCII hyphen-minus. */
function escapeCode(s) {
  return escapeText(s).replace(/-/g, '\\-');
}

function protectLine(line) {
  return /^[.']/.test(line) ? `\\&${line}` : line;
}

/** Inline markup of one piece of text. */
export function inline(text, where = '') {
  let out = '';
  let last = 0;
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*/g;
  for (let m; (m = re.exec(text)); ) {
    out += escapeText(text.slice(last, m.index));
    if (m[1] !== undefined) out += `\\fB${escapeCode(m[1])}\\fR`;
    else if (m[2] !== undefined) out += `\\fB${escapeText(m[2])}\\fR`;
    else out += `\\fI${escapeText(m[3])}\\fR`;
    last = m.index + m[0].length;
  }
  const rest = text.slice(last);
  if (/`/.test(rest)) throw new ManError(`${where}an unclosed \` in "${text}"`);
  if (/\[[^\]]*\]\([^)]*\)/.test(text)) throw new ManError(`${where}links are not supported: "${text}"`);
  return out + escapeText(rest);
}

/**
 * Converts one page. `name` and `section` come from the first line; `version` goes into the footer.
 * Returns the roff text.
 */
export function convert(markdown, { version = '', file = 'page.md' } = {}) {
  const lines = markdown.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const at = (i) => `${file}:${i + 1}: `;
  const head = /^# ([a-z0-9][a-z0-9._-]*)\(([1-8])\) -- (.+)$/.exec(lines[0] ?? '');
  if (!head) throw new ManError(`${at(0)}the first line must be "# NAME(SECTION) -- summary"`);
  const [, name, section, summary] = head;
  const out = [
    `.\\" Generated from ${basename(file)} by packaging/man/md2man.mjs; edit the markdown, not this file.`,
    `.TH "${name.toUpperCase()}" "${section}" "" "berth${version ? ` ${version}` : ''}" "berth"`,
    '.nh',
    '.ad l',
    '.SH "NAME"',
    `${escapeCode(name)} \\- ${inline(summary, at(0))}`,
  ];

  const para = (text) => text.map((t) => t.trim()).join(' ');
  let i = 1;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    let m;
    if ((m = /^## (.+)$/.exec(line))) {
      out.push(`.SH "${m[1].replace(/"/g, '')}"`);
      i++;
    } else if ((m = /^### (.+)$/.exec(line))) {
      out.push(`.SS "${m[1].replace(/"/g, '')}"`);
      i++;
    } else if (/^#/.test(line)) {
      throw new ManError(`${at(i)}only ## and ### headings are supported after the first line`);
    } else if (/^```/.test(line)) {
      const start = i++;
      out.push('.PP', '.RS 4', '.nf');
      while (i < lines.length && !/^```\s*$/.test(lines[i])) out.push(protectLine(escapeCode(lines[i++])));
      if (i >= lines.length) throw new ManError(`${at(start)}a code block that never ends`);
      out.push('.fi', '.RE');
      i++;
    } else if (/^- /.test(line)) {
      while (i < lines.length && /^- /.test(lines[i])) {
        const item = [lines[i].slice(2)];
        const start = i++;
        while (i < lines.length && /^ {2}\S/.test(lines[i])) item.push(lines[i++]);
        out.push('.IP \\(bu 2', protectLine(inline(para(item), at(start))));
      }
    } else if (/^\s*(\||<[a-zA-Z!/])/.test(line)) {
      throw new ManError(`${at(i)}tables and HTML are not supported`);
    } else if (/^\s*(\d+\.|[*+]) /.test(line) || /^ +- /.test(line)) {
      throw new ManError(`${at(i)}only "- " bullet lists are supported, not numbered or nested ones`);
    } else if (/^: /.test(line)) {
      throw new ManError(`${at(i)}a ": " definition needs a term on the line before it`);
    } else if (/^: /.test(lines[i + 1] ?? '')) {
      out.push('.TP', protectLine(inline(line.trim(), at(i))));
      i++;
      let first = true;
      for (;;) {
        const def = [lines[i].slice(2)];
        const start = i++;
        while (i < lines.length && /^ {2}\S/.test(lines[i])) def.push(lines[i++]);
        if (!first) out.push('.IP');
        out.push(protectLine(inline(para(def), at(start))));
        first = false;
        // Another paragraph of the same definition: a blank line, then ": ".
        let j = i;
        while (j < lines.length && lines[j].trim() === '') j++;
        if (j > i && /^: /.test(lines[j] ?? '') ) i = j;
        else break;
      }
    } else {
      const text = [];
      const start = i;
      while (i < lines.length && lines[i].trim() !== '' && !/^(#|```|- |: )/.test(lines[i]) && !/^: /.test(lines[i + 1] ?? '')) text.push(lines[i++]);
      if (text.length === 0) throw new ManError(`${at(i)}cannot read this line`);
      out.push('.PP', protectLine(inline(para(text), at(start))));
    }
  }
  return out.join('\n') + '\n';
}

export function convertFile(path, options = {}) {
  return convert(readFileSync(path, 'utf8'), { ...options, file: path });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const v = args.indexOf('--version');
  const version = v >= 0 ? args.splice(v, 2)[1] : '';
  if (args.length !== 1) {
    console.error('usage: node packaging/man/md2man.mjs FILE.md [--version X.Y.Z]');
    process.exit(2);
  }
  try {
    process.stdout.write(convertFile(args[0], { version }));
  } catch (err) {
    if (!(err instanceof ManError)) throw err;
    console.error(`md2man: ${err.message}`);
    process.exit(1);
  }
}
