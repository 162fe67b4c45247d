// Bundles the compiled command line and generator (dist/src/cli/main.js, generator.js, built by tsc) with
// esbuild into two files, the same for every use:
//
//   OUTDIR/berth.mjs            the whole command line (no node_modules needed), an ES module
//   OUTDIR/berth-generator.cjs  only what generating imports; for arguments systemd never passes it loads
//                               ./berth.mjs beside it. CommonJS: Node starts a CommonJS file without its
//                               ES module loader, ~7 ms less CPU time at every boot and daemon-reload
//
// `npm run build` writes them to dist/ (the generator links of `npm run install-generators` and the
// benches run them there); packaging/build-dist.mjs writes them to the release tree's libexec/ with
// `#!/usr/bin/node`, the interpreter RHEL packages (brp-mangle-shebangs would rewrite /usr/bin/env node).
// Usage: node packaging/bundle.mjs [--metafile]   (writes dist/; --metafile adds esbuild's metafiles there)
//
// Why bundles: the generator runs at every boot and daemon-reload and `berth status` has a start-up
// budget; one file starts faster than Node resolving and loading ~80 modules one by one. Minified
// (whitespace and syntax, names kept for stack traces): V8 parses the whole file at every start, ~15 ms
// for the command line against ~25 ms unminified on the 2-core test machine.
import { build } from 'esbuild';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const cliEntry = join(root, 'dist/src/cli/main.js');
const generatorEntry = join(root, 'dist/src/cli/generator.js');
const builtPackageJson = join(root, 'dist/package.json');

/** src/version.ts imports package.json (tsc copies it to dist/): only its version goes into the bundles. */
const versionOnly = {
  name: 'version-only',
  setup(b) {
    b.onLoad({ filter: /\/package\.json$/ }, (args) =>
      args.path === builtPackageJson
        ? { loader: 'json', contents: JSON.stringify({ version: JSON.parse(readFileSync(args.path, 'utf8')).version }) }
        : undefined,
    );
  },
};

/** In the generator bundle, the full command line (./program.js, imported lazily) is the CLI bundle beside it. */
const programIsCliBundle = {
  name: 'program-is-cli-bundle',
  setup(b) {
    b.onResolve({ filter: /^\.\/program\.js$/ }, (args) => (args.importer === generatorEntry ? { path: './berth.mjs', external: true } : undefined));
  },
};

/**
 * Node's builtins are required, not imported: importing one from an ES module builds its ES facade, which
 * reads every export and so loads what they load lazily (importing node:fs alone loads the 19 stream
 * modules behind fs.ReadStream and fs.promises, 3–6 ms at every start).
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
  // dbus-next's optional native socket and X11 address lookup: required inside try/catch or never.
  external: ['usocket', 'x11'],
  // dbus-next and commander are CommonJS: their require() calls need a require in an ES module.
  banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
};

/** What the generator must not load at every boot: a new import that pulls one in fails the build. */
const NOT_IN_GENERATOR = /node_modules\/(commander|execa|dbus-next|yaml)\/|\/dist\/src\/cli\/program\.js$/;

/**
 * Node's flags for the generator, on its #! line (systemd runs it directly, with no NODE_OPTIONS). Young
 * objects in 2 MiB semi-spaces, not up to 16: a generator's objects die young, and on 1,000 definitions
 * peak RSS falls from ~87 to ~67 MiB with no more CPU time (fewer pages touched).
 */
const GENERATOR_NODE_FLAGS = '--max-semi-space-size=2';

/**
 * Writes OUTDIR/berth.mjs and OUTDIR/berth-generator.cjs, executable, with `#!interpreter` (default:
 * `#!/usr/bin/env node`), the generator's with its flags. Returns esbuild's metafiles (which inputs went
 * into each bundle).
 */
export async function bundle(outDir, { interpreter } = {}) {
  const [cli, generator] = await Promise.all([
    build({ ...common, entryPoints: [cliEntry], outfile: join(outDir, 'berth.mjs'), plugins: [versionOnly, builtinsByRequire] }),
    build({
      ...common,
      format: 'cjs',
      // import.meta is the ES modules' own; in the CommonJS bundle its url is the file's.
      define: { 'import.meta.url': '__berthFileUrl' },
      banner: { js: "const __berthFileUrl = require('node:url').pathToFileURL(__filename).href;" },
      entryPoints: [generatorEntry],
      outfile: join(outDir, 'berth-generator.cjs'),
      plugins: [versionOnly, programIsCliBundle, builtinsByRequire],
    }),
  ]);
  const unwanted = Object.keys(generator.metafile.inputs).filter((i) => NOT_IN_GENERATOR.test(i));
  if (unwanted.length > 0) {
    throw new Error(`the generator path imports ${unwanted.join(', ')}; load it lazily (see src/cli/generator.ts)`);
  }
  for (const [name, flags] of [['berth.mjs', ''], ['berth-generator.cjs', GENERATOR_NODE_FLAGS]]) {
    const file = join(outDir, name);
    // One argument after the interpreter is all the kernel passes: `env -S` splits it for the /usr/bin/env form.
    const node = interpreter ?? (flags ? '/usr/bin/env -S node' : '/usr/bin/env node');
    const line = flags ? `#!${node} ${flags}` : `#!${node}`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^#!.*\n/, `${line}\n`));
    chmodSync(file, 0o755);
  }
  return { cli: cli.metafile, generator: generator.metafile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = join(root, 'dist');
  try {
    const meta = await bundle(outDir);
    if (process.argv.includes('--metafile')) for (const [name, m] of Object.entries(meta)) writeFileSync(join(outDir, `berth-${name}.meta.json`), JSON.stringify(m));
  } catch (err) {
    console.error(`bundle: ${err.message}`);
    process.exit(1);
  }
}
