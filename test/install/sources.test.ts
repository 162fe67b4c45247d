import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { resolveSources, selectFromListing } from '../../src/install/sources.js';

test('a folder gives its definitions, each with the drop-in folder of its exact name; the rest is left with a reason', (t) => {
  const sel = selectFromListing([
    { name: 'web.container', type: 'file' },
    { name: 'web.container.d', type: 'dir' },
    { name: 'net.network', type: 'file' },
    { name: 'db.container.d', type: 'dir' },
    { name: 'container.d', type: 'dir' },
    { name: 'README', type: 'file' },
    { name: 'sub', type: 'dir' },
    { name: 'fifo.volume', type: 'other' },
    { name: '.hidden.container', type: 'file' },
  ]);
  t.deepEqual(sel.definitions, ['net.network', 'web.container']);
  t.deepEqual(sel.dropinFolders, ['web.container.d']);
  const why = Object.fromEntries(sel.skipped.map((s) => [s.name, s.why]));
  t.regex(why['db.container.d']!, /drop-ins of db\.container, which is not in this folder/);
  t.regex(why['container.d']!, /shared by several definitions/);
  t.regex(why['sub']!, /subfolder/);
  t.regex(why['fifo.volume']!, /not a regular file/);
  t.is(why['README'], 'not a definition');
  t.is(why['.hidden.container'], 'not a definition');
});

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sources-'));
  mkdirSync(join(dir, 'app/web.container.d'), { recursive: true });
  writeFileSync(join(dir, 'app/web.container'), '[Container]\nImage=x\n');
  writeFileSync(join(dir, 'app/web.container.d/10-port.conf'), '[Container]\nPublishPort=80\n');
  writeFileSync(join(dir, 'app/web.container.d/notes.txt'), 'x');
  writeFileSync(join(dir, 'app/net.network'), '[Network]\n');
  writeFileSync(join(dir, 'app/README'), 'x');
  writeFileSync(join(dir, 'web.container'), '[Container]\nImage=y\n');
  writeFileSync(join(dir, 'other.txt'), 'x');
  return dir;
}

test('files and folders are read once, with where each goes and where it came from', (t) => {
  const dir = tree();
  const notes: string[] = [];
  const items = resolveSources([join(dir, 'app')], notes);
  t.deepEqual(items.map((i) => i.fileName), ['net.network', 'web.container']);
  const web = items[1]!;
  t.is(web.kind, 'container');
  t.is(web.definition.from, join(dir, 'app/web.container'));
  t.deepEqual(web.dropins.map((d) => [d.relPath, d.text]), [['web.container.d/10-port.conf', '[Container]\nPublishPort=80\n']]);
  t.true(notes.some((n) => n.includes('notes.txt') && n.includes('only *.conf')));
  t.true(notes.some((n) => n.includes('README') && n.includes('not a definition')));
  // A FILE is that definition alone.
  const [single] = resolveSources([join(dir, 'web.container')]);
  t.deepEqual([single!.fileName, single!.dropins.length], ['web.container', 0]);
});

test('usage errors: nothing named, a missing path, a file that is no definition, the same name twice', (t) => {
  const dir = tree();
  t.throws(() => resolveSources([]), { instanceOf: UsageError });
  t.throws(() => resolveSources([join(dir, 'nope.container')]), { instanceOf: UsageError, message: /no such file or folder/ });
  t.throws(() => resolveSources([join(dir, 'other.txt')]), { instanceOf: UsageError, message: /not a definition/ });
  t.throws(() => resolveSources([join(dir, 'app'), join(dir, 'web.container')]), { instanceOf: UsageError, message: /are both web\.container/ });
  mkdirSync(join(dir, 'empty'));
  t.throws(() => resolveSources([join(dir, 'empty')]), { instanceOf: UsageError, message: /no definitions in this folder/ });
});
