#!/usr/bin/env node
/**
 * The berth command (package.json's bin, and what the installed launcher imports). `berth status` goes
 * straight to its own code (status-args.ts): it has a start-up budget, and loading the command line
 * (commander, every other command) would spend a third of it. Everything else goes through the command
 * line in program.ts, loaded only then.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitStatusFor } from './exit.js';
import { parseStatusArgs } from './status-args.js';

export async function main(argv: string[]): Promise<number> {
  const status = parseStatusArgs(argv);
  if (!status) return (await import('./program.js')).main(argv);
  try {
    const { runStatus } = await import('./status-command.js');
    return await runStatus(status.names, status.flags);
  } catch (err) {
    return exitStatusFor(err);
  }
}

// Run when executed directly (not when imported).
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
