// Bundles the compiled command line (dist/src/cli/main.js) into one ESM file in the checkout, dist/berth.mjs,
// as packaging/build-dist.mjs does for the release (libexec/berth.mjs): for measuring and trying what an
// installed berth runs (bench/status.ts, bench/agent.ts use it when it exists). Start-up time is most of
// `berth status` (budget: 150 ms for 100 containers): Node resolving and loading ~80 modules one by one costs
// more than the D-Bus work. Run after tsc. Usage: node packaging/bundle-cli.mjs [--metafile]
//
// Minified (whitespace and syntax, names kept for stack traces): V8 parses the whole file at every start,
// ~15 ms for this one against ~25 ms unminified (measured on the 2-core test machine); build-dist.mjs could
// do the same. Left outside, loaded from node_modules when used: node-cron (the agent's fallback scheduler)
// and the optional transports dbus-next requires but berth never uses (x11, usocket, abstract-socket,
// event-stream: src/systemd/connection.ts replaces that code).
import { build } from 'esbuild';
import { chmodSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const entry = `${root}dist/src/cli/main.js`;
const outfile = `${root}dist/berth.mjs`;

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['node-cron', 'x11', 'usocket', 'abstract-socket', 'event-stream'],
  // dbus-next and commander are CommonJS: their require() calls need a require in an ES module.
  // (The entry's #! line is kept by esbuild.)
  banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
  legalComments: 'none',
  // Less to parse at every start; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
});
chmodSync(outfile, 0o755);
if (process.argv.includes('--metafile')) writeFileSync(`${root}dist/berth.meta.json`, JSON.stringify(result.metafile));
