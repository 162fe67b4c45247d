// Bundles the compiled generator entry (dist/src/cli/generator.js) into one ESM file,
// dist/berth-generator.mjs, which the installed generator symlinks point at: systemd runs the generator at
// every boot and daemon-reload, and one file starts much faster than Node resolving and loading dozens of
// modules. Run by `npm run build` after tsc. Usage: node packaging/bundle-generator.mjs [--metafile]
//
// Only what generating needs goes in. The entry's fallback for arguments systemd never passes (--help, an
// unknown flag) imports the full command line, ./program.js: it stays outside, loaded from dist/src/cli/
// beside the bundle when needed. Bundled, its imports of Node builtins (commander's and execa's
// node:child_process, node:stream …) would be hoisted to the top of the bundle and loaded at every start.
import { build } from 'esbuild';
import { chmodSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const entry = `${root}dist/src/cli/generator.js`;
const outfile = `${root}dist/berth-generator.mjs`;

const fullCommandLineOutside = {
  name: 'full-command-line-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/program\.js$/ }, (args) =>
      args.importer === entry ? { path: './src/cli/program.js', external: true } : undefined,
    );
  },
};

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [fullCommandLineOutside],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// What the generator path must not pull in (see above); a new import that does fails the build.
const inputs = Object.keys(result.metafile.inputs);
const unwanted = inputs.filter((i) => /node_modules\/(commander|execa)\/|\/dist\/src\/cli\/program\.js$/.test(i));
if (unwanted.length > 0) {
  console.error(`bundle-generator: the generator path imports ${unwanted.join(', ')}; load it lazily (see src/cli/generator.ts)`);
  process.exit(1);
}
chmodSync(outfile, 0o755);
if (process.argv.includes('--metafile')) writeFileSync(`${root}dist/berth-generator.meta.json`, JSON.stringify(result.metafile));
