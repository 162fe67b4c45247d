import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dropinDirNames, loadDefinitions, MAX_DEFINITION_BYTES } from '../../src/generator/load.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-load-'));
  chmodSync(root, 0o755);
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
  t.true(errors[0]!.message.startsWith(`${root}/b.container:1:1: "[Container" is not a key=value assignment`));
});

test('a FIFO, a socket, a folder or a looping symlink named like a definition is skipped with a warning, without waiting', (t) => {
  const root = tree({ 'a.container': '[Container]\nImage=a\n', 'z.container': '[Container]\nImage=z\n' });
  execFileSync('mkfifo', [join(root, 'fifo.container')]);
  mkdirSync(join(root, 'dir.container'));
  symlinkSync('loop.container', join(root, 'loop.container'));
  const server = createServer().listen(join(root, 'sock.container'));
  try {
    const start = Date.now();
    const { definitions, errors, warnings } = loadDefinitions([root]);
    t.true(Date.now() - start < 2000);
    t.deepEqual(definitions.map((d) => d.fileName), ['a.container', 'z.container']);
    t.deepEqual(errors, []);
    t.deepEqual(warnings.map((w) => w.message.slice(root.length + 1)).sort(), [
      'dir.container: skipped: a folder, not a file',
      'fifo.container: skipped: not a regular file (a FIFO, socket or device)',
      'loop.container: skipped: a symlink that loops',
      'sock.container: skipped: not a regular file (a FIFO, socket or device)',
    ]);
  } finally {
    server.close();
  }
});

test('a file over the size limit, a binary file and one with a byte-order mark are refused alone, each with a clear error', (t) => {
  const root = tree({ 'a.container': '[Container]\nImage=a\n', 'bin.container': '[Container]\nImage=\0\n', 'bom.container': '\ufeff[Container]\nImage=b\n', 'latin1.container': '' });
  writeFileSync(join(root, 'latin1.container'), Buffer.from('[Container]\nImage=caf\xe9\n', 'latin1'));
  const big = join(root, 'big.container');
  writeFileSync(big, '');
  truncateSync(big, 1024 ** 3); // sparse: a gigabyte that costs no disk
  const start = Date.now();
  const { definitions, errors } = loadDefinitions([root]);
  t.true(Date.now() - start < 1000);
  t.deepEqual(definitions.map((d) => d.fileName), ['a.container']);
  t.deepEqual(errors.map((e) => e.message.slice(root.length + 1)), [
    `big.container: is ${1024 ** 3} bytes; berth reads definitions of at most ${MAX_DEFINITION_BYTES} bytes`,
    'bin.container: holds a NUL byte: it is not a text file',
    'bom.container: starts with a byte-order mark, which Quadlet does not read; save it without one',
    'latin1.container: is not UTF-8 text',
  ]);
});

test('folders are entered once however symlinks loop, and an unreadable folder is reported', (t) => {
  const root = tree({ 'sub/a.container': '[Container]\nImage=a\n' });
  symlinkSync('..', join(root, 'sub', 'up'));
  symlinkSync('.', join(root, 'self'));
  const { definitions, warnings } = loadDefinitions([root]);
  t.deepEqual(definitions.map((d) => d.fileName), ['a.container']);
  t.deepEqual(warnings, []);
  const locked = tree({ 'b.container': '[Container]\nImage=b\n' });
  mkdirSync(join(locked, 'private'), { mode: 0 });
  // root reads any folder; run the check as nobody where the test runs as root.
  if (process.getuid?.() === 0) {
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e',
      `import { loadDefinitions } from ${JSON.stringify(new URL('../../src/generator/load.js', import.meta.url).href)};
       console.log(JSON.stringify(loadDefinitions([${JSON.stringify(locked)}]).warnings.map((w) => w.message)));`], { encoding: 'utf8' });
    t.regex(out, /private: folder skipped: EACCES/);
  } else {
    t.regex(loadDefinitions([locked]).warnings[0]!.message, /private: folder skipped: EACCES/);
  }
});
