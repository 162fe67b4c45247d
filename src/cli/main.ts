#!/usr/bin/env node
/** The berth command (package.json's bin). The command line itself is in program.ts. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './program.js';

export { main, program } from './program.js';

// Run when executed directly (not when imported).
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
