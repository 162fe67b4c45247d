import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BERTH = new URL('../../src/cli/main.js', import.meta.url).pathname;

function defs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const validate = (args: string[]) => execa('node', [BERTH, 'validate', '--podman-version', '4.3', ...args], { reject: false });

test('validate exits 0 and prints nothing on stdout when all is well', async (t) => {
  const dir = defs({ 'a.container': '[Container]\nImage=img\n' });
  const r = await validate([dir]);
  t.is(r.exitCode, 0);
  t.is(r.stdout, '');
  t.regex(r.stderr, /1 definition\(s\) checked, 0 problem\(s\)/);
});

test('validate reports a malformed file as FILE:LINE and every problem at once', async (t) => {
  const dir = defs({
    'ok.container': '[Container]\nImage=img\n',
    'bad.container': '[Container]\nImage=img\nNetwork=pasta\nBogus=1\n',
    'broken.container': '[Container]\nImage=img\nthis is not a line\n',
  });
  const r = await validate([dir]);
  t.is(r.exitCode, 1);
  const lines = r.stdout.split('\n').filter(Boolean);
  t.true(lines.includes(`${dir}/broken.container:3:1: "this is not a line" is not a key=value assignment, section header or comment`));
  t.true(lines.includes(`${dir}/bad.container:4:1: Bogus: unknown key in [Container]`));
  t.true(lines.some((l) => l.startsWith(`${dir}/bad.container:3:1: Network: needs podman 4.4 or newer`)));
  t.is(lines.length, 3);
});

test('validate of one file checks it against its folder and reports only that file', async (t) => {
  const dir = defs({ 'web.container': '[Container]\nImage=img\nNetwork=app.network\n', 'app.network': '[Network]\n', 'other.container': '[Container]\nNope=1\n' });
  const r = await validate([join(dir, 'web.container')]);
  t.is(r.exitCode, 0, r.stdout);
});

test("validate refuses a [Checkpoint] section in Quadlet's folders, as the generator does", async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'berth-validate-home-'));
  const quadlet = join(home, 'containers/systemd');
  mkdirSync(quadlet, { recursive: true });
  writeFileSync(join(quadlet, 'clock.container'), '[Container]\nImage=img\n[Checkpoint]\nKeep=2\n');
  const r = await execa('node', [BERTH, 'validate', '--user', '--podman-version', '4.3', quadlet], { reject: false, env: { XDG_CONFIG_HOME: home } });
  t.is(r.exitCode, 1);
  t.regex(r.stdout, /clock\.container:3: a \[Checkpoint\] section is read only in berth's own folders/);
});
