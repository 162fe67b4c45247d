import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatorDir, lastRunPath, readLastRun } from '../../src/definitions/last-run-file.js';
import { recordRun, serializeLastRun } from '../../src/generator/last-run.js';

const me = process.getuid!();
const RECORD = serializeLastRun(recordRun({ time: new Date(0), podman: '4.3.1', user: false, definitions: [], refused: [], errors: [], warnings: [], units: new Map() }));

function folder(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-generator-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'berth'), { mode: 0o755 });
  return join(root, 'berth');
}

test("the record is in the generator's own output folder: the system's, or the user's runtime folder's", (t) => {
  t.is(lastRunPath(false), '/run/systemd/generator/berth/last-run.json');
  t.is(lastRunPath(true, { XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/systemd/generator/berth/last-run.json');
  t.is(generatorDir(true, {}), `/run/user/${me}/systemd/generator`);
});

test('the record is read when its owner alone may write it and its folder', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'last-run.json'), RECORD, { mode: 0o644 });
  t.like(readLastRun(join(dir, 'last-run.json'), me), { podman: '4.3.1' });
  // Someone else's (root's, for the system, when this is not root).
  t.is(readLastRun(join(dir, 'last-run.json'), me + 1), undefined);
  chmodSync(join(dir, 'last-run.json'), 0o664);
  t.is(readLastRun(join(dir, 'last-run.json'), me), undefined);
  chmodSync(join(dir, 'last-run.json'), 0o644);
  chmodSync(dir, 0o777);
  t.is(readLastRun(join(dir, 'last-run.json'), me), undefined);
});

test('a symlink, a folder or a missing file in its place, or garbage in it, is no record', (t) => {
  const dir = folder(t);
  writeFileSync(join(dir, 'real.json'), RECORD, { mode: 0o644 });
  symlinkSync(join(dir, 'real.json'), join(dir, 'last-run.json'));
  t.is(readLastRun(join(dir, 'last-run.json'), me), undefined);
  mkdirSync(join(dir, 'folder.json'));
  t.is(readLastRun(join(dir, 'folder.json'), me), undefined);
  t.is(readLastRun(join(dir, 'missing.json'), me), undefined);
  writeFileSync(join(dir, 'garbage.json'), '{"version":1,', { mode: 0o644 });
  t.is(readLastRun(join(dir, 'garbage.json'), me), undefined);
});
