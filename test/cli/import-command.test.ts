import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A compose project in a folder of its own, with the .env beside it. */
function composeProject(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-compose-')), 'Blog');
  mkdirSync(dir);
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  app:\n    image: "busybox:${TAG}"\n    volumes: [data:/data]\n    frobnicate: 1\nvolumes:\n  data:\n');
  writeFileSync(join(dir, '.env'), 'TAG=1.36\n');
  return dir;
}

test('import FILE.yaml prints each definition of the compose project under its name, and warns of what it left out', async (t) => {
  const dir = composeProject();
  const r = await berthImport('/nowhere', [join(dir, 'compose.yaml')]);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.stdout.match(/^---.*---$/gm), ['---blog_default.network---', '---blog_data.volume---', '---blog-app.container---']);
  t.true(r.stdout.includes('Image=busybox:1.36\n'));
  t.is(r.stderr, `berth: warning: ${join(dir, 'compose.yaml')}:5:5: services.app.frobnicate: unknown key, left out`);
});

test('import FILE.yaml --install writes every definition, or none when one of them exists, unless --replace', async (t) => {
  const dir = composeProject();
  const defs = join(dir, 'defs');
  const file = join(dir, 'compose.yaml');
  const first = await berthImport(defs, ['--install', '-p', 'b2', file]);
  t.is(first.exitCode, 0, first.stderr);
  t.deepEqual(readdirSync(defs).sort(), ['b2-app.container', 'b2_data.volume', 'b2_default.network']);
  rmSync(join(defs, 'b2_data.volume'));
  const refused = await berthImport(defs, ['--install', '-p', 'b2', file]);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /b2_default\.network, .*b2-app\.container already exist: nothing was written; give --replace to replace them$/);
  t.deepEqual(readdirSync(defs).sort(), ['b2-app.container', 'b2_default.network']);
  const replaced = await berthImport(defs, ['--install', '--replace', '-p', 'b2', file]);
  t.is(replaced.exitCode, 0, replaced.stderr);
  t.deepEqual(readdirSync(defs).sort(), ['b2-app.container', 'b2_data.volume', 'b2_default.network']);
});

test('--project-name without a compose file is a usage error', async (t) => {
  const r = await berthImport('/nowhere', ['-p', 'x', '--', 'podman', 'volume', 'create', 'v']);
  t.is(r.exitCode, 2);
  t.is(r.stderr, 'berth: --project-name goes with a compose file');
});
