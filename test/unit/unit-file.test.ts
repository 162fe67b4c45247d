import test from 'ava';
import { UnitFile } from '../../src/unit/unit-file.js';

const parse = (text: string): UnitFile => {
  const { unit, errors } = UnitFile.parse(text, '/defs/web.container');
  if (errors.length > 0) throw errors[0];
  return unit;
};

test('an empty assignment clears the values before it', (t) => {
  const u = parse('[C]\nV=a\nV=b\nV=\nV=c\n');
  t.deepEqual(u.list('C', 'V').map((e) => e.value), ['c']);
});

test('lookups see every section of the same name in order', (t) => {
  const u = parse('[C]\nV=a\n[Other]\nV=x\n[C]\nV=b\n');
  t.deepEqual(u.list('C', 'V').map((e) => e.value), ['a', 'b']);
  t.is(u.get('C', 'V'), 'b');
});

test('get strips one pair of surrounding double quotes but keeps an unmatched one', (t) => {
  const u = parse('[C]\nA="quoted"\nB="left"inner"\nC=say "hi\n');
  t.is(u.get('C', 'A'), 'quoted');
  t.is(u.get('C', 'B'), 'left"inner');
  t.is(u.get('C', 'C'), 'say "hi');
});

test('booleans are read as Quadlet reads them: its true words are true, anything else false', (t) => {
  const u = parse('[C]\nA=Yes\nB=off\nC=maybe\nD=\nE="on"\n');
  t.true(u.bool('C', 'A'));
  t.false(u.bool('C', 'B'));
  t.false(u.bool('C', 'C'));
  t.false(u.bool('C', 'D'));
  t.true(u.bool('C', 'E'));
  t.is(u.bool('C', 'Missing'), undefined);
});

test('args split exec-style with quotes and C escapes, and leave out a line with an unknown escape', (t) => {
  const u = parse('[C]\nExec="/bin/my prog" --a=\'x y\' tab\\tsep "" end\nExec=skipped \\. line\n');
  t.deepEqual(u.args('C', 'Exec'), ['/bin/my prog', '--a=x y', 'tab\tsep', '', 'end']);
  t.is(u.lastArgs('C', 'Exec'), undefined);
});

test('strv words keep backslashes and group quotes, and a line with an unbalanced quote is left out', (t) => {
  const u = parse('[I]\nWantedBy=a.target "b c.target" d\\x.target\nWantedBy="open.target\n');
  t.deepEqual(u.strv('I', 'WantedBy'), ['a.target', 'b c.target', 'd\\x.target']);
});

test('a drop-in merged in adds its lines after the file\'s own and errors name the drop-in', (t) => {
  const u = parse('[C]\nV=a\n');
  const { unit: d } = UnitFile.parse('[C]\nV=b\nBad=x\n', '/defs/web.container.d/10.conf');
  u.merge(d);
  t.deepEqual(u.list('C', 'V').map((e) => e.value), ['a', 'b']);
  t.regex(u.error(u.last('C', 'Bad')!, 'nope').message, /^\/defs\/web\.container\.d\/10\.conf:3:1: Bad: nope/);
});

test('editing a clone leaves the original untouched', (t) => {
  const u = parse('[C]\nV=a\n');
  const c = u.clone();
  c.set('C', 'V', 'z');
  c.renameSection('C', 'X-C');
  t.is(u.toString(), '[C]\nV=a\n');
  t.is(c.toString(), '[X-C]\nV=z\n');
});

test('an entry made from a definition entry is reported at that entry', (t) => {
  const u = parse('[C]\nVolume=/a\\nb:/x\n');
  const s = u.clone();
  s.add('Unit', 'RequiresMountsFor', '/a\nb', u.last('C', 'Volume'));
  const err = t.throws(() => s.toString());
  t.regex(err!.message, /^\/defs\/web\.container:2:1: Volume: the RequiresMountsFor= made from it cannot be written so that systemd reads it back: the value holds a line break/);
});
