#!/usr/bin/env node
/**
 * The entry systemd runs from its generator folders (system-generators/berth, user-generators/berth):
 * `berth generate` with systemd's NORMAL_DIR EARLY_DIR LATE_DIR arguments. It runs at every boot and
 * daemon-reload, so it loads only what generating needs: the full command line (commander) only for
 * arguments systemd never passes. `npm run build` bundles it into dist/berth-generator.mjs, which the
 * installed generator symlinks point at.
 */
import { exitStatusFor } from './exit.js';
import { runGenerate } from './generate-command.js';
import { parseGeneratorArgs } from './generator-args.js';

const argv = process.argv.slice(2);
const args = parseGeneratorArgs(argv);
if (args) {
  try {
    process.exitCode = await runGenerate(args.dirs, args.flags);
  } catch (err) {
    process.exitCode = exitStatusFor(err);
  }
} else {
  const { main } = await import('./program.js');
  process.exitCode = await main(['generate', ...argv]);
}
