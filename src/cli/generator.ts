#!/usr/bin/env node
/**
 * The entry systemd runs from its generator folders (system-generators/berth, user-generators/berth):
 * `berth generate` with systemd's NORMAL_DIR EARLY_DIR LATE_DIR arguments. It runs at every boot and
 * daemon-reload, so it loads only what generating needs: the full command line (commander) only for
 * arguments systemd never passes. `npm run build` bundles it into dist/berth-generator.cjs, which the
 * installed generator symlinks point at.
 */
import { exitStatusFor } from './exit.js';
import { runGenerate } from './generate-command.js';
import { parseGeneratorArgs } from './generator-args.js';

const argv = process.argv.slice(2);
const args = parseGeneratorArgs(argv);
// No top-level await: the bundle is CommonJS (packaging/bundle.mjs says why).
const done: Promise<number> = args
  ? runGenerate(args.dirs, args.flags).catch(exitStatusFor)
  : import('./program.js').then(({ main }) => main(['generate', ...argv]));
void done.then((code) => {
  process.exitCode = code;
});
