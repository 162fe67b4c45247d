import test from 'ava';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputFolder, place, PlaceError } from '../../src/generator/write.js';

function folders() {
  const root = mkdtempSync(join(tmpdir(), 'berth-write-'));
  const out = join(root, 'out');
  const outside = join(root, 'outside');
  mkdirSync(out);
  mkdirSync(outside);
  return { out, outside };
}

test('a unit and its links are written into the output folder', (t) => {
  const { out } = folders();
  const folder = new OutputFolder(out);
  const error = folder.write({ fileName: 'a.service', text: '[Service]\n', source: '/d/a.container', symlinks: [{ path: 'multi-user.target.wants/a.service', target: '../a.service' }, { path: 'b.service', target: 'a.service' }] });
  t.is(error, undefined);
  t.is(readFileSync(join(out, 'a.service'), 'utf8'), '[Service]\n');
  t.is(readlinkSync(join(out, 'multi-user.target.wants/a.service')), '../a.service');
  t.is(readlinkSync(join(out, 'b.service')), 'a.service');
});

test('what is in the way is replaced, never followed: a file, a link to a file outside, a dangling link', (t) => {
  const { out, outside } = folders();
  writeFileSync(join(outside, 'victim'), 'keep');
  writeFileSync(join(out, 'a.service'), 'old');
  symlinkSync(join(outside, 'victim'), join(out, 'b.service'));
  symlinkSync(join(outside, 'nothing'), join(out, 'c.service'));
  for (const name of ['a.service', 'b.service', 'c.service']) place(out, name, { text: 'new\n' });
  place(out, 'd.service', { link: 'a.service' });
  place(out, 'd.service', { link: 'b.service' });
  for (const name of ['a.service', 'b.service', 'c.service']) {
    t.true(lstatSync(join(out, name)).isFile(), name);
    t.is(readFileSync(join(out, name), 'utf8'), 'new\n');
  }
  t.is(readlinkSync(join(out, 'd.service')), 'b.service');
  t.is(readFileSync(join(outside, 'victim'), 'utf8'), 'keep');
  t.throws(() => place(out, '../outside/x.service', { text: '' }), { instanceOf: PlaceError });
});

test('a folder in the way, or a link where a dependency folder goes, is an error for that unit alone', (t) => {
  const { out, outside } = folders();
  mkdirSync(join(out, 'a.service'));
  symlinkSync(outside, join(out, 'multi-user.target.wants'));
  const folder = new OutputFolder(out);
  t.regex(folder.write({ fileName: 'a.service', text: '', source: 'a', symlinks: [] })?.message ?? '', /refusing to replace the folder/);
  t.regex(folder.write({ fileName: 'b.service', text: '', source: 'b', symlinks: [{ path: 'multi-user.target.wants/b.service', target: '../b.service' }] })?.message ?? '', /not a folder/);
  t.is(folder.write({ fileName: 'c.service', text: 'c\n', source: 'c', symlinks: [] }), undefined);
  t.is(readFileSync(join(out, 'c.service'), 'utf8'), 'c\n');
});
