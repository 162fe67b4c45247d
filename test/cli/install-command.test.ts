import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInstall } from '../../src/cli/install-command.js';
import type { Units, UnitState } from '../../src/install/units.js';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const run = promisify(execFile);

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'berth-install-cmd-'));
  const defs = join(root, 'defs');
  const src = join(root, 'src');
  mkdirSync(src);
  const env = { ...process.env, BERTH_UNIT_DIRS: defs, BERTH_PODMAN_VERSION: '5.4', XDG_RUNTIME_DIR: join(root, 'run') };
  return { root, defs, src, env };
}

function fakeUnits(calls: string[]): Units {
  return {
    reload: async () => void calls.push('reload'),
    states: async (units) => units.map((unit): UnitState => ({ unit, loadState: 'loaded', activeState: 'inactive', subState: 'dead' })),
    stop: async () => 'done',
    loadState: async () => 'loaded',
    resetFailed: async () => undefined,
    close: async () => undefined,
  };
}

test('install writes, reloads, and reports the units; --json has it all', async (t) => {
  const s = setup();
  writeFileSync(join(s.src, 'web.container'), '[Container]\nImage=localhost/busybox:latest\n');
  const calls: string[] = [];
  const out: string[] = [];
  const code = await runInstall([join(s.src, 'web.container')], { json: true }, { env: s.env, connect: async () => fakeUnits(calls), lockDir: join(s.root, 'locks'), out: (x) => void out.push(x), err: () => undefined });
  t.is(code, 0);
  t.deepEqual(calls, ['reload']);
  t.deepEqual(JSON.parse(out.join('')), {
    ok: true, problems: [], forced: false, reloaded: true,
    written: [{ path: join(s.defs, 'web.container'), replaced: false, from: join(s.src, 'web.container') }],
    units: [{ unit: 'web.service', loadState: 'loaded', activeState: 'inactive', subState: 'dead', definition: 'web.container' }],
  });
});

test('a broken definition is refused with FILE:LINE (exit 1, nothing written, no reload); --force writes it', async (t) => {
  const s = setup();
  writeFileSync(join(s.src, 'bad.container'), '[Container]\nImage=x\nPublishPort 8080\n');
  const calls: string[] = [];
  const err: string[] = [];
  const deps = { env: s.env, connect: async () => fakeUnits(calls), lockDir: join(s.root, 'locks'), out: () => undefined, err: (x: string) => void err.push(x) };
  t.is(await runInstall([join(s.src, 'bad.container')], {}, deps), 1);
  t.regex(err.join(''), new RegExp(`^${join(s.src, 'bad.container')}:3:1: "PublishPort 8080" is not a key=value assignment`, 'm'));
  t.regex(err.join(''), /nothing was installed \(--force installs anyway\)/);
  t.false(existsSync(join(s.defs, 'bad.container')));
  t.deepEqual(calls, []);
  t.is(await runInstall([join(s.src, 'bad.container')], { force: true }, deps), 0);
  t.true(existsSync(join(s.defs, 'bad.container')));
  t.deepEqual(calls, ['reload']);
});

test('concurrent installs: the same name with --replace ends as one of them whole; different names all land', async (t) => {
  const s = setup();
  // Big enough that a write interleaved with another would show.
  const body = (c: string) => `[Container]\nImage=localhost/busybox:latest\n${`# ${c.repeat(1000)}\n`.repeat(200)}`;
  const texts = ['a', 'b'].map(body);
  for (const [i, text] of texts.entries()) {
    mkdirSync(join(s.src, String(i)));
    writeFileSync(join(s.src, String(i), 'same.container'), text);
    writeFileSync(join(s.src, `name${i}.container`), text);
  }
  const install = (...args: string[]) => run('node', [MAIN, 'install', '--user', '--no-reload', ...args], { env: s.env });
  await Promise.all([0, 1, 0, 1, 0, 1].map((i) => install('--replace', join(s.src, String(i), 'same.container'))));
  t.true(texts.includes(readFileSync(join(s.defs, 'same.container'), 'utf8')));
  await Promise.all([0, 1].map((i) => install(join(s.src, `name${i}.container`))));
  t.deepEqual(readdirSync(s.defs).sort(), ['name0.container', 'name1.container', 'same.container']);
  for (const i of [0, 1]) t.is(readFileSync(join(s.defs, `name${i}.container`), 'utf8'), texts[i]!);
  // The lock lives in the user's runtime folder.
  t.true(existsSync(join(s.root, 'run/berth/locks/definitions/install.lock')));
});
