// Builds berth's release tree and tarball from a built checkout (npm run build first): what the RPM
// (packaging/berth.spec) and `npm run install-package` (packaging/install.sh) install, and nothing else.
// Usage: node packaging/build-dist.mjs [OUTDIR]   (default dist/package)
//
//   OUTDIR/berth-VERSION/            the release tree
//     libexec/berth.mjs              the whole command line, one bundled file (no node_modules)
//     libexec/berth-generator.cjs    the generator entry, bundled; for arguments systemd never passes it
//                                    loads ./berth.mjs beside it
//     bin/berth                      the launcher (#!/usr/bin/node), installed as /usr/bin/berth
//     man/*.1, man/*.5               man pages, from packaging/man/*.md (packaging/man/md2man.mjs)
//     units/, dbus/                  the agent's systemd units (units/) and D-Bus files (packaging/dbus/)
//     tmpfiles/, preset/             packaging/berth.tmpfiles, packaging/berth.preset
//     completion/berth.bash          bash completion (packaging/completion/), calling `berth __complete`
//     examples/                      the example definitions (examples/*/)
//     install.sh, berth.spec, README.md, LICENSE, THIRD-PARTY-LICENSES, BUNDLED
//   OUTDIR/berth-VERSION.tar.gz      the same tree: Source0 of berth.spec
//
// Why bundles and not node_modules: one file loads faster at every boot (the generator runs at each
// daemon-reload), needs no npm in the RPM build root, and leaves nothing for rpmlint to trip over in
// third-party packages' files. Their licenses are kept in THIRD-PARTY-LICENSES, their names and versions
// in BUNDLED (the spec's `Provides: bundled(…)` lines must match it; test/packaging checks that).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundle } from './bundle.mjs';
import { convertFile } from './man/md2man.mjs';

const root = new URL('../', import.meta.url).pathname.replace(/\/$/, '');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist/package');
const name = `berth-${pkg.version}`;
const tree = join(outDir, name);

for (const f of ['dist/src/cli/main.js', 'dist/src/cli/generator.js']) {
  if (!existsSync(join(root, f))) {
    console.error(`build-dist: ${f} is missing; run npm run build first`);
    process.exit(1);
  }
}
rmSync(tree, { recursive: true, force: true });
mkdirSync(join(tree, 'libexec'), { recursive: true });

// ---------------------------------------------------------------------------------------------------
// The bundles (packaging/bundle.mjs, as for the development tree)

const meta = await bundle(join(tree, 'libexec'), { interpreter: '/usr/bin/node' }).catch((err) => {
  console.error(`build-dist: ${err.message}`);
  process.exit(1);
});

// Which packages went in, with versions and licenses. Packages whose package.json has no SPDX license,
// read from their license files:
const LICENSES = {
  '@nornagon/put': 'MIT', // LICENSE: "MIT/X11"
  jsbi: 'Apache-2.0', // LICENSE
  'map-stream': 'MIT', // LICENCE
  'pause-stream': 'MIT OR Apache-2.0', // LICENSE: "Dual Licensed MIT and Apache 2"
};
const packages = new Map();
for (const input of [...Object.keys(meta.cli.inputs), ...Object.keys(meta.generator.inputs)]) {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m) continue;
  const dir = join(root, input.slice(0, m.index + m[0].length - 1));
  if (packages.has(dir)) continue;
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const license = LICENSES[meta.name] ?? meta.license;
  if (typeof license !== 'string' || !/^[A-Za-z0-9.+-]+( (OR|AND) [A-Za-z0-9.+-]+)*$/.test(license)) {
    console.error(`build-dist: ${meta.name} ${meta.version} names no SPDX license (${JSON.stringify(meta.license)}); read its license file and add it to LICENSES`);
    process.exit(1);
  }
  packages.set(dir, { name: meta.name, version: meta.version, license });
}
const sorted = [...packages.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name) || a[1].version.localeCompare(b[1].version));
writeFileSync(join(tree, 'BUNDLED'), sorted.map(([, p]) => `${p.name} ${p.version} ${p.license}\n`).join(''));
const licenseTexts = sorted.map(([dir, p]) => {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(${p.name} ships no license file; its package.json says ${p.license})`;
  return `${'='.repeat(78)}\n${p.name} ${p.version} (${p.license})\n${'='.repeat(78)}\n\n${text}\n`;
});
writeFileSync(join(tree, 'THIRD-PARTY-LICENSES'), `berth bundles these packages into libexec/berth.mjs and libexec/berth-generator.cjs.\n\n${licenseTexts.join('\n')}`);

// ---------------------------------------------------------------------------------------------------
// Man pages

const manSrc = join(root, 'packaging/man');
mkdirSync(join(tree, 'man'), { recursive: true });
for (const f of readdirSync(manSrc).filter((f) => /\.[1-8]\.md$/.test(f)).sort()) {
  writeFileSync(join(tree, 'man', f.replace(/\.md$/, '')), convertFile(join(manSrc, f), { version: pkg.version }));
}

// ---------------------------------------------------------------------------------------------------
// Everything else, as is

const copy = (from, to, mode) => {
  mkdirSync(dirname(join(tree, to)), { recursive: true });
  cpSync(join(root, from), join(tree, to), { recursive: true });
  if (mode !== undefined) chmodSync(join(tree, to), mode);
};
copy('packaging/berth-launcher', 'bin/berth', 0o755);
copy('packaging/install.sh', 'install.sh', 0o755);
copy('packaging/berth.tmpfiles', 'tmpfiles/berth.conf', 0o644);
copy('packaging/berth.preset', 'preset/80-berth.preset', 0o644);
copy('packaging/completion/berth.bash', 'completion/berth.bash', 0o644);
copy('packaging/LICENSE', 'LICENSE', 0o644);
copy('README.md', 'README.md', 0o644);
// The spec gets package.json's version, the only place it is written.
writeFileSync(join(tree, 'berth.spec'), readFileSync(join(root, 'packaging/berth.spec'), 'utf8').replace(/@VERSION@/g, pkg.version));
// The example definitions (folders of examples/; the .ts files there are the repository's demo scripts).
for (const e of readdirSync(join(root, 'examples'), { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
  copy(`examples/${e.name}`, `examples/${e.name}`);
}

// The agent's units (units/*, units/user/* for user managers) and its D-Bus files (packaging/dbus/: the
// policy *.conf, system-services/ for the system bus, services/ for users' buses), in the same folders:
// install.sh puts each where its kind belongs.
const copyFiles = (from, to, filter) => {
  mkdirSync(join(tree, to), { recursive: true });
  if (!existsSync(join(root, from))) return;
  for (const f of readdirSync(join(root, from)).sort()) {
    if (statSync(join(root, from, f)).isFile() && filter.test(f)) copy(`${from}/${f}`, `${to}/${f}`, 0o644);
  }
};
copyFiles('units', 'units', /\.(service|socket|timer|path)$/);
copyFiles('units/user', 'units/user', /\.(service|socket|timer|path)$/);
copyFiles('packaging/dbus', 'dbus', /\.conf$/);
copyFiles('packaging/dbus/system-services', 'dbus/system-services', /\.service$/);
copyFiles('packaging/dbus/services', 'dbus/services', /\.service$/);

// ---------------------------------------------------------------------------------------------------
// The tarball: reproducible (sorted, fixed owner and time).

const mtime = process.env.SOURCE_DATE_EPOCH ?? '0';
const tar = execFileSync('tar', ['--sort=name', `--mtime=@${mtime}`, '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '-C', outDir, name], { maxBuffer: 1024 ** 3 });
writeFileSync(join(outDir, `${name}.tar.gz`), gzipSync(tar, { level: 9 }));
console.log(join(outDir, `${name}.tar.gz`));
