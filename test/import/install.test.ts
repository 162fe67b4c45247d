import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallError } from '../../src/errors.js';
import { installDefinition } from '../../src/import/install.js';

const imported = (text: string) => ({ fileName: 'web.container', text, warnings: [] });

test('a definition is installed into a folder made for it, and no temporary file is left beside it', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-install-')), 'a', 'b');
  t.is(await installDefinition(dir, imported('one\n'), false), join(dir, 'web.container'));
  t.is(readFileSync(join(dir, 'web.container'), 'utf8'), 'one\n');
  t.deepEqual(readdirSync(dir), ['web.container']);
});

test('an existing definition is kept unless replace is asked for, and the refusal leaves no temporary file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-install-'));
  await installDefinition(dir, imported('one\n'), false);
  await t.throwsAsync(installDefinition(dir, imported('two\n'), false), { instanceOf: InstallError, message: /web\.container already exists: give --replace/ });
  t.is(readFileSync(join(dir, 'web.container'), 'utf8'), 'one\n');
  t.deepEqual(readdirSync(dir), ['web.container']);
  await installDefinition(dir, imported('two\n'), true);
  t.is(readFileSync(join(dir, 'web.container'), 'utf8'), 'two\n');
  t.deepEqual(readdirSync(dir), ['web.container']);
});
