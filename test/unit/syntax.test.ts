import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { goTrim, parseUnit, type Section } from '../../src/unit/syntax.js';
import { serializeUnit } from '../../src/unit/serialize.js';

const CASES = new URL('../../../../shared/conformance/quadlet/', import.meta.url).pathname;

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

const values = (sections: readonly Section[]): string[][] => sections.map((s) => [s.name, ...s.entries.map((e) => `${e.key}=${e.value}`)]);

test('every conformance file reads, and reading what berth writes of it gives back the same keys and values', (t) => {
  const files = allFiles(CASES).filter((f) => !/\.(json|md|txt)$/.test(f));
  t.true(files.length > 200);
  let read = 0;
  for (const file of files) {
    const first = parseUnit(readFileSync(file, 'utf8'), file);
    if (first.errors.length > 0) continue; // A few cases are deliberately malformed.
    const again = parseUnit(serializeUnit(first.sections), file);
    t.deepEqual(again.errors, [], file);
    t.deepEqual(values(again.sections), values(first.sections), file);
    read++;
  }
  t.log(`${read} of ${files.length} files read and written back`);
  t.true(read >= files.length - 5);
});

test('sections of one name merge in the order of their first header, and repeated keys keep their order', (t) => {
  const { sections, errors } = parseUnit('[A]\nK=1\nK=2\n[B]\nX=y\n[A]\nK=3\n', 'f');
  t.deepEqual(errors, []);
  t.deepEqual(values(sections), [['A', 'K=1', 'K=2', 'K=3'], ['B', 'X=y']]);
});

test('a continued value is joined as Quadlet joins it: lines trimmed, backslash dropped, no space added', (t) => {
  const text = '[Container]\nExec=sh -c "echo a && \\\n    echo b"\nNext=1\n';
  const { sections } = parseUnit(text, 'f');
  t.deepEqual(values(sections), [['Container', 'Exec=sh -c "echo a && echo b"', 'Next=1']]);
  t.is(sections[0]!.entries[1]!.line, 4);
});

test('comment and blank lines inside a continuation are skipped, and whitespace after the backslash still continues', (t) => {
  const { sections } = parseUnit('[S]\nEnvironment=A=1 \\ \n# not part\n\n  B=2\nNext=1\n', 'f');
  t.deepEqual(values(sections), [['S', 'Environment=A=1 B=2', 'Next=1']]);
});

test('a trailing escaped backslash still continues, and the last line of a file loses its backslash', (t) => {
  t.deepEqual(values(parseUnit('[S]\nK=a\\\\\nL=b\n', 'f').sections), [['S', 'K=a\\L=b']]);
  t.deepEqual(values(parseUnit('[S]\nK=a\\', 'f').sections), [['S', 'K=a']]);
});

test('a continuation left open at the end of the file is dropped, as Quadlet drops it', (t) => {
  const { sections, errors } = parseUnit('[Container]\nExec=true \\\n\n# a comment\n', 'f');
  t.deepEqual(errors, []);
  t.deepEqual(values(sections), [['Container']]);
});

test('comments count only at the start of a line', (t) => {
  t.deepEqual(values(parseUnit('[S]\nK=a # b ; c\n  # indented comment\n', 'f').sections), [['S', 'K=a # b ; c']]);
});

test('lines are trimmed of Go whitespace (CR, NBSP, ideographic space) but a byte-order mark is not whitespace', (t) => {
  t.is(goTrim('\u00a0\u3000 x\r'), 'x');
  t.is(goTrim('\ufeffx'), '\ufeffx');
  t.deepEqual(values(parseUnit('[S]\r\nK = v \r\n', 'f').sections), [['S', 'K=v']]);
});

test('every malformed line is reported with its file, line and column', (t) => {
  const { errors } = parseUnit('Key=outside\n[Good]\nnot an assignment\n  [Bad]x\n=novalue\nOK=1\n', 'x.container');
  t.deepEqual(
    errors.map((e) => [e.location.file, e.location.line, e.location.column]),
    [['x.container', 1, 1], ['x.container', 3, 1], ['x.container', 4, 3], ['x.container', 5, 1]],
  );
  t.regex(errors[1]!.message, /^x\.container:3:1: "not an assignment" is not a key=value assignment/);
  t.regex(errors[0]!.message, /x\.container:1:1: Key: assignment before the first section header/);
});

test('section names with brackets or control characters are refused', (t) => {
  t.is(parseUnit('[a\x01b]\nK=v\n', 'f').errors.length, 1);
  t.is(parseUnit('[]\n', 'f').errors.length, 1);
  t.deepEqual(values(parseUnit('[a=b]  \t\nK=v\n', 'f').sections), [['a=b', 'K=v']]);
});

test('a key ending in a character whose UTF-8 form ends in a byte Quadlet takes for a space is refused', (t) => {
  t.regex(parseUnit('[S]\nKà=v\n', 'f').errors[0]!.message, /cannot read/);
  t.deepEqual(parseUnit('[S]\nKé=v\n', 'f').errors, []);
});

test('a 200,000-line file of comments, or a million-character line, reads in linear time', (t) => {
  const comments = '[Container]\nImage=x\n' + '# comment\n'.repeat(200_000);
  let start = process.hrtime.bigint();
  t.deepEqual(values(parseUnit(comments, 'f').sections), [['Container', 'Image=x']]);
  const small = Number(process.hrtime.bigint() - start);
  start = process.hrtime.bigint();
  parseUnit(comments + '# comment\n'.repeat(400_000), 'f');
  const large = Number(process.hrtime.bigint() - start);
  t.log(`200k lines ${(small / 1e6).toFixed(1)} ms, 600k lines ${(large / 1e6).toFixed(1)} ms`);
  t.true(large < small * 12, 'three times the lines must not cost much more than three times the time');
  const long = parseUnit(`[S]\nK=${'x \\\n'.repeat(250_000)}end\n`, 'f');
  t.is(long.sections[0]!.entries[0]!.value.length, 2 * 250_000 + 3);
});
