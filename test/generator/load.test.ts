import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dropinDirNames, loadDefinitions } from '../../src/generator/load.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-load-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

test('drop-in folders are searched from the most specific to the kind-wide one', (t) => {
  t.deepEqual(dropinDirNames('my-web-app.container'), ['my-web-app.container.d', 'my-web-.container.d', 'my-.container.d', 'container.d']);
  t.deepEqual(dropinDirNames('web@blue.container'), ['web@blue.container.d', 'web@.container.d', 'container.d']);
});

test('drop-ins merge in file-name order and a more specific folder wins a name clash', (t) => {
  const root = tree({
    'web.container': '[Container]\nImage=img\n',
    'container.d/10-all.conf': '[Container]\nLabel=from=kind\n',
    'container.d/20-x.conf': '[Container]\nLabel=order=kind\n',
    'web.container.d/10-all.conf': '[Container]\nLabel=from=specific\n',
    'web.container.d/30-y.conf': '[Container]\nLabel=order=last\n',
  });
  const { definitions, errors } = loadDefinitions([root]);
  t.deepEqual(errors, []);
  t.deepEqual(definitions[0]!.unit.list('Container', 'Label').map((e) => e.value), ['from=specific', 'order=kind', 'order=last']);
});

test('an earlier folder hides a definition of the same name in a later one, and subfolders are read', (t) => {
  const first = tree({ 'web.container': '[Container]\nImage=first\n' });
  const second = tree({ 'web.container': '[Container]\nImage=second\n', 'sub/db.container': '[Container]\nImage=db\n' });
  const { definitions } = loadDefinitions([first, second]);
  t.deepEqual(definitions.map((d) => [d.fileName, d.unit.get('Container', 'Image')]), [['web.container', 'first'], ['db.container', 'db']]);
});

test('a file with a syntax error is reported and the rest of its folder still loads', (t) => {
  const root = tree({ 'a.container': '[Container]\nImage=a\n', 'b.container': '[Container\nImage=b\n', 'c.container': '[Container]\nImage=c\n' });
  const { definitions, errors } = loadDefinitions([root]);
  t.deepEqual(definitions.map((d) => d.fileName), ['a.container', 'c.container']);
  t.is(errors.length, 1);
  t.true(errors[0]!.message.startsWith(`${root}/b.container:1:1: invalid section header`));
});
