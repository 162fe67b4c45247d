import test from 'ava';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '../../src/errors.js';
import { checkFolderTrust, distrust } from '../../src/checkpoint/trust.js';

test('a file is trusted only when root or the user owns it and nobody else can write it', (t) => {
  t.is(distrust('x', { uid: 0, mode: 0o100600}, { euid: 0 }), undefined);
  t.is(distrust('x', { uid: 1000, mode: 0o100600}, { euid: 1000 }), undefined);
  t.regex(distrust('x', { uid: 65534, mode: 0o100600}, { euid: 0 })!, /belongs to uid 65534, not root/);
  t.regex(distrust('x', { uid: 0, mode: 0o100620}, { euid: 0 })!, /can be written by its group \(mode 0620\)/);
  t.regex(distrust('x', { uid: 0, mode: 0o100602}, { euid: 0 })!, /can be written by anyone/);
});

test('a sticky folder open to all may be above the checkpoint folder, but not be it', (t) => {
  t.is(distrust('/tmp', { uid: 0, mode: 0o41777 }, { ancestor: true, euid: 0 }), undefined);
  t.regex(distrust('/tmp', { uid: 0, mode: 0o41777 }, { euid: 0 })!, /can be written by anyone/);
  t.regex(distrust('/srv/open', { uid: 0, mode: 0o40777 }, { ancestor: true, euid: 0 })!, /can be written by anyone/);
});

/** A folder tree under the system's temporary folder (itself sticky and open to all, as /tmp is). */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-trust-'));
  chmodSync(root, 0o755);
  return root;
}

test('checkpoint folders are checked up to /, and one that does not exist yet by the folder it will be made in', async (t) => {
  const root = tree();
  await t.notThrowsAsync(checkFolderTrust(join(root, 'ckpt', 'web')));
  mkdirSync(join(root, 'ckpt'), { mode: 0o700 });
  await t.notThrowsAsync(checkFolderTrust(join(root, 'ckpt')));

  const open = join(root, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const e = await t.throwsAsync(checkFolderTrust(open), { instanceOf: CheckpointError });
  t.is(e!.code, 'untrusted');
  t.regex(e!.message, /the checkpoint folder .*open can be written by anyone \(mode 0777\); berth does not keep or restore checkpoints there/);
  // Inside it, a folder of root's could be renamed away and replaced by anyone.
  mkdirSync(join(open, 'ckpt'), { mode: 0o700 });
  await t.throwsAsync(checkFolderTrust(join(open, 'ckpt')), { message: /open, above the checkpoint folder .* can be written by anyone/ });
  await t.throwsAsync(checkFolderTrust(join(open, 'new')), { message: /above the checkpoint folder .*new can be written by anyone/ });
});

test("a checkpoint folder someone else made is refused, also when reached through a link", async (t) => {
  if (process.geteuid?.() !== 0) return t.pass('needs root to give a folder away');
  const root = tree();
  const theirs = join(root, 'theirs');
  mkdirSync(theirs, { mode: 0o700 });
  chownSync(theirs, 65534, 65534);
  await t.throwsAsync(checkFolderTrust(theirs), { message: /belongs to uid 65534, not root/ });
  symlinkSync(theirs, join(root, 'link'));
  await t.throwsAsync(checkFolderTrust(join(root, 'link')), { message: /link \(.*theirs\) belongs to uid 65534/ });
});
