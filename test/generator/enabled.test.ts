import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enabledDir, parseEnabledNames, readEnabledState } from '../../src/generator/enabled.js';

const euid = process.geteuid?.() ?? 0;

function folder(names: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-enabled-'));
  chmodSync(root, 0o755);
  const dir = join(root, 'enabled');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  for (const n of names) writeFileSync(join(dir, n), '');
  return dir;
}

test("entry names say each definition's state; disabled wins when both are there; the rest means nothing", (t) => {
  const states = parseEnabledNames([
    'web.container.enabled', 'db.volume.disabled', 'both.container.enabled', 'both.container.disabled',
    '.web.container.123.tmp', 'README', '.enabled', 'x.pod.disabled',
  ]);
  t.deepEqual([...states].sort(), [['both.container', 'disabled'], ['db.volume', 'disabled'], ['web.container', 'enabled'], ['x.pod', 'disabled']]);
  t.deepEqual([...parseEnabledNames(['both.container.disabled', 'both.container.enabled'])], [['both.container', 'disabled']], 'in either order');
});

test("the folder is /etc/berth/enabled, or the user's $XDG_CONFIG_HOME/berth/enabled; $BERTH_ENABLED_DIR replaces it", (t) => {
  t.is(enabledDir(false, {}), '/etc/berth/enabled');
  t.is(enabledDir(true, { XDG_CONFIG_HOME: '/home/u/.cfg' }), '/home/u/.cfg/berth/enabled');
  t.is(enabledDir(true, { HOME: '/home/u' }), '/home/u/.config/berth/enabled');
  t.is(enabledDir(false, { BERTH_ENABLED_DIR: '/x/y' }), '/x/y');
});

test('reading: a folder that does not exist is no state and no warning; only regular files count', (t) => {
  t.deepEqual(readEnabledState('/nonexistent/berth/enabled'), { states: new Map() });
  const dir = folder(['web.container.enabled']);
  mkdirSync(join(dir, 'db.container.disabled'));
  execFileSync('mkfifo', [join(dir, 'fifo.container.disabled')]);
  symlinkSync('/etc/passwd', join(dir, 'link.container.disabled'));
  const r = readEnabledState(dir);
  t.is(r.warning, undefined);
  t.deepEqual([...r.states], [['web.container', 'enabled']]);
});

test('a state folder that others can write to, or below one that is, is ignored with a warning; a link to a trusted one is followed', (t) => {
  const dir = folder(['web.container.disabled']);
  chmodSync(dir, 0o775);
  const r = readEnabledState(dir);
  t.deepEqual([...r.states], []);
  t.regex(r.warning ?? '', /the state folder .* can be written by its group \(mode 0775\); berth ignores its enabled\/disabled states/);
  chmodSync(dir, 0o755);
  t.deepEqual([...readEnabledState(dir).states], [['web.container', 'disabled']]);
  const link = join(dir, '..', 'link');
  symlinkSync(dir, link);
  t.deepEqual([...readEnabledState(link).states], [['web.container', 'disabled']]);
  chmodSync(join(dir, '..'), 0o777);
  t.regex(readEnabledState(dir).warning ?? '', /above the state folder .* can be written by anyone/);
  t.regex(readEnabledState(link).warning ?? '', /above the state folder .*link \(.*enabled\) can be written by anyone/);
  chmodSync(join(dir, '..'), 0o755);
  writeFileSync(join(dir, '..', 'file'), '');
  t.regex(readEnabledState(join(dir, '..', 'file')).warning ?? '', /is not a folder/);
});

test('in system scope the folder must be root\'s: one of another user is ignored', (t) => {
  if (euid !== 0) return t.pass('needs root to give the folder away');
  const dir = folder(['web.container.disabled']);
  chownSync(dir, 1000, 1000);
  t.regex(readEnabledState(dir, 0).warning ?? '', /belongs to uid 1000, not root/);
  t.deepEqual([...readEnabledState(dir, 1000).states], [['web.container', 'disabled']], "a user's own, in user scope");
});
