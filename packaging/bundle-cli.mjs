// Bundles the compiled command line (dist/src/cli/main.js) into one ESM file, dist/berth.mjs, for the places
// where start-up time counts: `berth status` (a command people and scripts run often; its budget is 150 ms
// for 100 containers, and Node resolving and loading ~80 modules one by one costs more than the D-Bus work)
// and the agent. Point /usr/bin/berth (and package.json's bin) at it; dist/src/cli/main.js keeps working.
// Run after tsc (npm run build). Usage: node packaging/bundle-cli.mjs [--metafile]
//
// Left outside, loaded from node_modules when used: node-cron (the agent's fallback scheduler; it forks a
// helper relative to its own files), and the optional transports dbus-next requires but berth never uses
// (x11, usocket, abstract-socket, event-stream: src/systemd/connection.ts replaces that code).
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
