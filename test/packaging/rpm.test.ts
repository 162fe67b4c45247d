/**
 * The RPM, built as CI builds it (packaging/build-rpm.sh: Debian's rpmbuild with packaging/rpm/macros.ci),
 * checked with rpmlint, and its payload unpacked into a scratch root (rpm2cpio | cpio): the generator
 * installed there must write the same units as the development tree's `berth generate`, and the launcher
 * must run the bundled command line. Also: `install.sh` (npm run install-package) lays out the same files.
 */
import test from 'ava';
import { execa } from 'execa';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runWithPrivateKmsg } from '../helpers/private-kmsg.js';
import { LAST_RUN_FILE, parseLastRun } from '../../src/generator/last-run.js';

const REPO = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const EXAMPLES = readdirSync(join(REPO, 'examples'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => join(REPO, 'examples', e.name));

interface Built {
  dir: string;
  rpm: string;
  /** The release tree the RPM was built from (Source0, unpacked). */
  tree: string;
  /** The RPM's payload, unpacked. */
  root: string;
}

const DIR = mkdtempSync(join(tmpdir(), 'berth-rpm-'));
let built: Promise<Built> | undefined;

/** Builds the RPM once for all tests of this file, and unpacks its payload. */
function buildOnce(): Promise<Built> {
  built ??= (async () => {
    const dir = DIR;
    const r = await execa('bash', [join(REPO, 'packaging/build-rpm.sh'), join(dir, 'out')], { reject: false });
    if (r.exitCode !== 0) throw new Error(`build-rpm.sh failed:\n${r.stdout}\n${r.stderr}`);
    const rpm = r.stdout.trim().split('\n').at(-1)!;
    const root = join(dir, 'root');
    await execa('mkdir', ['-p', root]);
    await execa('sh', ['-c', 'rpm2cpio "$1" | (cd "$2" && cpio -idm --quiet)', 'sh', rpm, root]);
    return { dir, rpm, tree: join(dir, 'out/SOURCES', `berth-${VERSION}`), root };
  })();
  return built;
}

test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

/** Every path under `dir`: files with their content, symlinks with their target, folders with their mode. */
/** A snapshot of an output folder with the time of its record of the run left out: the rest must be the same. */
function withoutTime(files: Record<string, string>): Record<string, unknown> {
  return { ...files, [LAST_RUN_FILE]: { ...parseLastRun(files[LAST_RUN_FILE] ?? '')!, time: '' } };
}

function snapshot(dir: string, opts: { modes?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      const st = lstatSync(p);
      const mode = opts.modes ? ` ${(st.mode & 0o7777).toString(8)}` : '';
      if (e.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
      else if (e.isDirectory()) {
        out[rel + '/'] = `dir${mode}`;
        walk(p);
      } else out[rel] = opts.modes ? `file${mode}` : readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const generatorEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  BERTH_UNIT_DIRS: EXAMPLES.join(':'),
  BERTH_PODMAN_VERSION: '4.3',
  SYSTEMD_SCOPE: undefined,
  ...extra,
});

test('the RPM builds with Debian rpmbuild and no macro is left unexpanded in its scriptlets', async (t) => {
  const { rpm } = await buildOnce();
  t.regex(rpm, new RegExp(`/berth-${VERSION.replaceAll('.', '\\.')}-1\\.noarch\\.rpm$`));
  const scripts = (await execa('rpm', ['-qp', '--scripts', rpm])).stdout;
  t.notRegex(scripts, /%(\{|[a-z_]+)/, scripts);
  t.regex(scripts, /postinstall scriptlet[\s\S]*systemd-update-helper install-system-units berth-agent\.service/);
  t.regex(scripts, /systemd-tmpfiles --create \/usr\/lib\/tmpfiles\.d\/berth\.conf/);
  t.regex(scripts, /preuninstall scriptlet[\s\S]*systemd-update-helper remove-system-units berth-agent\.service/);
  t.regex(scripts, /postuninstall scriptlet[\s\S]*systemd-update-helper mark-restart-system-units berth-agent\.service/);
  const requires = (await execa('rpm', ['-qpR', rpm])).stdout.split('\n');
  for (const r of ['nodejs >= 1:20', 'podman >= 4.0', 'systemd', '/usr/bin/node']) t.true(requires.includes(r), `requires ${r}`);
});

test('rpmlint finds no error in the RPM or the spec', async (t) => {
  const { rpm, tree } = await buildOnce();
  const r = await execa('rpmlint', ['-c', join(REPO, 'packaging/rpm/rpmlint.toml'), rpm, join(tree, 'berth.spec')], { reject: false });
  const out = `${r.stdout}\n${r.stderr}`;
  t.log(out.split('\n').filter((l) => / [WE]: |checked;/.test(l)).join('\n'));
  t.deepEqual(out.split('\n').filter((l) => / E: /.test(l)), []);
  t.regex(out, / 0 errors, \d+ warnings, 0 badness/);
  t.is(r.exitCode, 0, out);
});

test('the payload installs the command, generators, agent, D-Bus files, tmpfiles entry, presets and man pages', async (t) => {
  const { root } = await buildOnce();
  const files = snapshot(root, { modes: true });
  for (const [path, what] of Object.entries({
    'usr/bin/berth': 'file 755',
    'usr/libexec/berth/berth.mjs': 'file 755',
    'usr/libexec/berth/berth-generator.cjs': 'file 755',
    'usr/lib/systemd/system-generators/berth': '-> ../../../libexec/berth/berth-generator.cjs',
    'usr/lib/systemd/user-generators/berth': '-> ../../../libexec/berth/berth-generator.cjs',
    'usr/lib/systemd/system/berth-agent.service': 'file 644',
    'usr/lib/systemd/user/berth-agent.service': 'file 644',
    'usr/lib/systemd/user/berth-user-wait-network-online.service': 'file 644',
    'usr/lib/systemd/system-preset/80-berth.preset': 'file 644',
    'usr/share/dbus-1/system.d/io.berth.Manager1.conf': 'file 644',
    'usr/share/dbus-1/system-services/io.berth.Manager1.service': 'file 644',
    'usr/share/dbus-1/services/io.berth.Manager1.service': 'file 644',
    'usr/lib/tmpfiles.d/berth.conf': 'file 644',
    'usr/share/man/man1/berth.1.gz': 'file 644',
    'usr/share/bash-completion/completions/berth': 'file 644',
    'usr/share/man/man5/berth.container.5.gz': 'file 644',
    'usr/share/man/man5/berth.definitions.5.gz': 'file 644',
    'etc/berth/definitions/': 'dir 755',
    'etc/berth/definitions/users/': 'dir 755',
    'etc/berth/enabled/': 'dir 755',
    'usr/share/berth/definitions/': 'dir 755',
    'var/lib/berth/checkpoints/': 'dir 700',
    'usr/share/licenses/berth/LICENSE': 'file 644',
    'usr/share/licenses/berth/THIRD-PARTY-LICENSES': 'file 644',
  })) {
    t.is(files[path], what, path);
  }
  for (const exe of ['usr/bin/berth', 'usr/libexec/berth/berth.mjs']) {
    t.is(readFileSync(join(root, exe), 'utf8').split('\n')[0], '#!/usr/bin/node', exe);
  }
  // systemd runs the generator directly: its Node flags ride on the #! line.
  t.is(readFileSync(join(root, 'usr/libexec/berth/berth-generator.cjs'), 'utf8').split('\n')[0], '#!/usr/bin/node --max-semi-space-size=2');
  t.regex(readFileSync(join(root, 'usr/lib/tmpfiles.d/berth.conf'), 'utf8'), /^d\s+\/var\/lib\/berth\/checkpoints\s+0700\s+root\s+root\s/m);
  t.regex(readFileSync(join(root, 'usr/lib/systemd/system-preset/80-berth.preset'), 'utf8'), /^enable berth-agent\.service$/m);
  // One file each, no node_modules.
  t.false(Object.keys(files).some((p) => p.includes('node_modules')));
});

for (const scope of ['system', 'user'] as const) {
  test(`the installed ${scope} generator writes the same units as the development tree for the examples`, async (t) => {
    const { root, dir } = await buildOnce();
    const installed = join(dir, `units-installed-${scope}`);
    const dev = join(dir, `units-dev-${scope}`);
    const env = generatorEnv({ SYSTEMD_SCOPE: scope });
    // As systemd runs it: the link in the generator folder, with NORMAL_DIR EARLY_DIR LATE_DIR (and a
    // /dev/kmsg of its own: it logs there when SYSTEMD_SCOPE is set).
    const a = await runWithPrivateKmsg(join(root, `usr/lib/systemd/${scope}-generators/berth`), [installed, installed, installed], env);
    t.is(a.exitCode, 0, a.kmsg);
    t.is(a.kmsg, '', 'the examples generate without a message');
    const b = await execa('node', [join(REPO, 'dist/src/cli/main.js'), 'generate', '--no-kmsg-log', dev], { env, reject: false });
    t.is(b.exitCode, 0, b.stderr);
    const want = withoutTime(snapshot(dev));
    t.true(Object.keys(want).includes('hello-nginx.service'));
    t.true(Object.keys(want).includes('clock-checkpoint.timer'));
    t.deepEqual(withoutTime(snapshot(installed)), want);
  });
}

test('the installed berth command runs the bundled command line', async (t) => {
  const { root } = await buildOnce();
  const berth = join(root, 'usr/bin/berth');
  t.is((await execa(berth, ['--version'])).stdout, VERSION);
  const help = (await execa(berth, ['--help'])).stdout;
  for (const cmd of ['generate', 'validate', 'checkpoint', 'restore', 'status', 'agent', 'doctor']) t.regex(help, new RegExp(`^  ${cmd} `, 'm'));
  const v = await execa(berth, ['validate', '--podman-version', '4.3', ...EXAMPLES], { reject: false });
  t.is(v.exitCode, 0, v.stderr);
  // The generator's fallback for arguments systemd never passes loads the command line beside it.
  t.regex((await execa(join(root, 'usr/libexec/berth/berth-generator.cjs'), ['--help'])).stdout, /^Usage: berth generate/);
  // dbus-next, loaded with createRequire at run time, is inside the bundle.
  const s = await execa(berth, ['status', '--address', `unix:path=${join(root, 'no-bus')}`], { reject: false });
  t.is(s.exitCode, 1);
  t.notRegex(s.stderr, /Cannot find module|ERR_MODULE_NOT_FOUND/, s.stderr);
  t.regex(s.stderr, /^berth: /);
  t.regex((await execa(berth, ['doctor', '--help'])).stdout, /^Usage: berth doctor/);
  // What the installed bash completion asks for: candidates from the bundled command line.
  t.deepEqual((await execa(berth, ['__complete', '1', 'berth', 'chec'])).stdout.split('\n'), ['checkpoint', 'checkpoints']);
});

test('install.sh lays out the same files as the RPM, man pages uncompressed', async (t) => {
  const { root, tree, dir } = await buildOnce();
  const dest = join(dir, 'destdir');
  await execa('bash', [join(tree, 'install.sh')], { env: { ...process.env, DESTDIR: dest } });
  const fromRpm = snapshot(root, { modes: true });
  const fromScript = Object.fromEntries(Object.entries(snapshot(dest, { modes: true })).map(([p, v]) => [/^usr\/share\/man\/man\d\/[^/]+$/.test(p) ? `${p}.gz` : p, v]));
  t.deepEqual(fromScript, fromRpm);
});

test("the spec's version, bundled() provides and License cover what the bundles hold", async (t) => {
  const { tree } = await buildOnce();
  // The release tree's spec, where build-dist.mjs put package.json's version.
  const spec = readFileSync(join(tree, 'berth.spec'), 'utf8');
  t.is(/^Version:\s*(\S+)$/m.exec(spec)?.[1], VERSION);
  const bundled = readFileSync(join(tree, 'BUNDLED'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  const provides = [...spec.matchAll(/^Provides:\s*bundled\(nodejs-(\S+)\) = (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  t.deepEqual(provides, bundled.map(([name, version]) => `${name} ${version}`).sort(), 'paste the Provides: lines from BUNDLED (name version license)');
  const license = /^License:\s*(.+)$/m.exec(spec)![1]!;
  for (const [name, , ...lic] of bundled) t.true(license.includes(lic.join(' ')), `License: covers ${lic.join(' ')} (${name})`);
});
