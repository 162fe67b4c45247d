#!/usr/bin/env node
/** The berth command. Only this layer turns errors into messages and exit codes. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { DefinitionError, EngineError, UsageError } from '../errors.js';
import { runGenerate } from './generate-command.js';
import { runValidate } from './validate-command.js';

const VERSION = '0.1.0';

export function program(): Command {
  const cli = new Command('berth')
    .description('Compile Quadlet container definitions into systemd units, with scheduled CRIU checkpoints')
    .version(VERSION)
    .exitOverride();

  cli
    .command('generate')
    .description('run as a systemd generator: compile definitions into units in NORMAL_DIR')
    .argument('[dirs...]', 'NORMAL_DIR [EARLY_DIR LATE_DIR], as systemd passes them')
    .option('--user', 'generate for the user manager (default: $SYSTEMD_SCOPE)')
    .option('--no-kmsg-log', 'log to stderr, not /dev/kmsg')
    .option('--dryrun', 'print the units to stdout instead of writing them')
    .option('--podman-version <x.y>', 'the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .action(async (dirs: string[], opts) => {
      process.exitCode = await runGenerate(dirs, opts);
    });

  cli
    .command('validate')
    .description('check definitions without writing anything; exit 0 when all is well')
    .argument('<paths...>', 'definition files or folders')
    .option('--user', 'check as for the user manager')
    .option('--podman-version <x.y>', 'the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .action(async (paths: string[], opts) => {
      process.exitCode = await runValidate(paths, opts);
    });

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode ?? 2;
    if (err instanceof UsageError) {
      process.stderr.write(`berth: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DefinitionError || err instanceof EngineError) {
      process.stderr.write(`berth: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

// Run when executed directly (not when imported by the generator entry or tests).
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
