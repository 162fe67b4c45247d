import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BERTH = new URL('../../src/cli/main.js', import.meta.url).pathname;

const berthImport = (dirs: string, args: string[]) => execa('node', [BERTH, 'import', ...args], { reject: false, env: { BERTH_UNIT_DIRS: dirs } });

test('import --install writes the definition into the first $BERTH_UNIT_DIRS folder and prints its path', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-import-')), 'defs');
  const r = await berthImport(`${dir}:/nowhere`, ['--install', '--', 'podman', 'network', 'create', '--internal', 'net1']);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, join(dir, 'net1.network'));
  t.regex(readFileSync(join(dir, 'net1.network'), 'utf8'), /\[Network\]\nNetworkName=net1\nInternal=yes\n$/);
  t.deepEqual(readdirSync(dir), ['net1.network']);
});

test('import --install refuses to overwrite a definition, exit status 1, unless --replace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-import-'));
  t.is((await berthImport(dir, ['--install', '--', 'podman', 'volume', 'create', 'v'])).exitCode, 0);
  const refused = await berthImport(dir, ['--install', '--', 'podman', 'volume', 'create', '-l', 'a=b', 'v']);
  t.is(refused.exitCode, 1);
  t.is(refused.stderr, `berth: ${join(dir, 'v.volume')} already exists: give --replace to replace it`);
  t.false(readFileSync(join(dir, 'v.volume'), 'utf8').includes('Label='));
  t.is((await berthImport(dir, ['--install', '--replace', '--', 'podman', 'volume', 'create', '-l', 'a=b', 'v'])).exitCode, 0);
  t.true(readFileSync(join(dir, 'v.volume'), 'utf8').endsWith('Label=a=b\n'));
  t.deepEqual(readdirSync(dir), ['v.volume']);
});

test('--user and --replace without --install are a usage error', async (t) => {
  const r = await berthImport('/nowhere', ['--replace', '--', 'podman', 'volume', 'create', 'v']);
  t.is(r.exitCode, 2);
  t.is(r.stderr, 'berth: --user and --replace go with --install');
});
