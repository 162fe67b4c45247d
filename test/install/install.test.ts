import test from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallError } from '../../src/errors.js';
import { checkInstall, stagedSearchPath, writeItems } from '../../src/install/install.js';
import { acquireDefinitionsLock } from '../../src/install/lock.js';
import { resolveSources } from '../../src/install/sources.js';

const env = { BERTH_PODMAN_VERSION: '5.4' };
const GOOD = '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n';

function layout(): { root: string; admin: string; pkg: string; src: string } {
  const root = mkdtempSync(join(tmpdir(), 'berth-install-check-'));
  const [admin, pkg, src] = ['etc', 'usr', 'src'].map((d) => join(root, d)) as [string, string, string];
  for (const d of [admin, pkg, src]) mkdirSync(d);
  return { root, admin, pkg, src };
}

const check = (paths: string[], l: ReturnType<typeof layout>) =>
  checkInstall(resolveSources(paths), { user: false, env, dir: l.admin, searchDirs: [l.admin, l.pkg] });

test('the staging folder is searched just before the folder written to', (t) => {
  t.deepEqual(stagedSearchPath(['/run/d', '/etc/d', '/usr/d'], '/etc/d', '/tmp/s'), ['/run/d', '/tmp/s', '/etc/d', '/usr/d']);
  t.deepEqual(stagedSearchPath(['/a'], '/b', '/tmp/s'), ['/tmp/s', '/a']);
});

test("a good definition that uses an installed network passes, with its units; a problem is reported at the source file's line", async (t) => {
  const l = layout();
  writeFileSync(join(l.admin, 'net.network'), '[Network]\n');
  writeFileSync(join(l.src, 'web.container'), GOOD + 'Network=net.network\n');
  writeFileSync(join(l.src, 'bad.container'), '[Container]\nImage=x\nPublishPort 8080\n');
  writeFileSync(join(l.src, 'lost.container'), GOOD + 'Network=missing.network\n');
  const ok = await check([join(l.src, 'web.container')], l);
  t.deepEqual(ok.problems, []);
  t.deepEqual(ok.units.get('web.container'), ['web.service']);
  const bad = await check([join(l.src, 'bad.container'), join(l.src, 'lost.container')], l);
  t.deepEqual(bad.problems.map((p) => p.message).sort(), [
    `${join(l.src, 'bad.container')}:3:1: "PublishPort 8080" is not a key=value assignment, section header or comment`,
    `${join(l.src, 'lost.container')}:4:1: Network: requested Quadlet unit missing.network was not found`,
  ]);
});

test('a new file that breaks an installed definition is refused for it; problems that were there before are not counted', async (t) => {
  const l = layout();
  writeFileSync(join(l.admin, 'net.network'), '[Network]\n');
  writeFileSync(join(l.admin, 'web.container'), GOOD + 'Network=net.network\n');
  writeFileSync(join(l.admin, 'old.container'), '[Container]\nBogus=1\n');
  writeFileSync(join(l.src, 'net.network'), '[Network]\nBogus=1\n');
  const c = await check([join(l.src, 'net.network')], l);
  const files = c.problems.map((p) => p.location.file);
  t.true(files.includes(join(l.src, 'net.network')), c.problems.join('\n'));
  t.true(files.includes(join(l.admin, 'web.container')), c.problems.join('\n'));
  t.false(files.includes(join(l.admin, 'old.container')));
});

test('a definition hidden by an earlier search folder is said to be hidden', async (t) => {
  const l = layout();
  const run = join(l.root, 'run');
  mkdirSync(run);
  writeFileSync(join(run, 'web.container'), GOOD);
  writeFileSync(join(l.src, 'web.container'), GOOD);
  const c = await checkInstall(resolveSources([join(l.src, 'web.container')]), { user: false, env, dir: l.admin, searchDirs: [run, l.admin] });
  t.is(c.hidden.get('web.container'), join(run, 'web.container'));
});

test('writing is all or none: a taken name refuses everything, and a failure puts back what was there', async (t) => {
  const l = layout();
  mkdirSync(join(l.src, 'web.container.d'));
  writeFileSync(join(l.src, 'web.container'), GOOD);
  writeFileSync(join(l.src, 'web.container.d/10.conf'), '[Container]\nPublishPort=80\n');
  writeFileSync(join(l.src, 'a.network'), '[Network]\n');
  writeFileSync(join(l.admin, 'web.container'), 'old\n');
  const items = resolveSources([l.src]);
  await t.throwsAsync(writeItems(items, l.admin, false), { instanceOf: InstallError, message: /web\.container already exists: nothing was written; give --replace/ });
  t.deepEqual(readdirSync(l.admin), ['web.container']);
  // The drop-in folder cannot be made: the definition replaced before it is put back, the network removed.
  writeFileSync(join(l.admin, 'web.container.d'), 'a file in the way');
  await t.throwsAsync(writeItems(items, l.admin, true));
  t.is(readFileSync(join(l.admin, 'web.container'), 'utf8'), 'old\n');
  t.false(existsSync(join(l.admin, 'a.network')));
  t.deepEqual(readdirSync(l.admin).sort(), ['web.container', 'web.container.d']);
  // Then it works, and says what it replaced.
  await import('node:fs/promises').then((fs) => fs.rm(join(l.admin, 'web.container.d')));
  const written = await writeItems(items, l.admin, true);
  t.deepEqual(written.map((w) => [w.path.slice(l.admin.length + 1), w.replaced]), [['a.network', false], ['web.container', true], ['web.container.d/10.conf', false]]);
  t.is(readFileSync(join(l.admin, 'web.container.d/10.conf'), 'utf8'), '[Container]\nPublishPort=80\n');
});

test('the definitions lock waits for its holder, and gives up after its time limit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-install-lock-'));
  const first = await acquireDefinitionsLock(dir);
  await t.throwsAsync(acquireDefinitionsLock(dir, 100), { instanceOf: InstallError, message: /another berth install or rm held .*install\.lock for 100 ms \(pid \d+\)/ });
  let got = false;
  const second = acquireDefinitionsLock(dir).then((l) => ((got = true), l));
  await new Promise((r) => setTimeout(r, 100));
  t.false(got);
  await first.release();
  await (await second).release();
  t.true(got);
  chmodSync(dir, 0o755);
});
