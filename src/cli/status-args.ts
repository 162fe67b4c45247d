/**
 * `berth status`'s own reading of its arguments, so that the command people run to look (and scripts run
 * in loops) starts without loading the full command line (commander and every other command's code).
 * Only the plain forms are read here; anything else (help, an unknown or malformed flag, `--`) returns
 * undefined, and the command line handles the arguments with its exact behaviour and messages.
 */
import type { StatusFlags } from './status-command.js';

export interface StatusArgs {
  readonly names: string[];
  readonly flags: StatusFlags;
}

/** `status [NAME…] [--json] [--watch] [--user] [--address ADDRESS]`, as commander would give them to runStatus. */
export function parseStatusArgs(argv: readonly string[]): StatusArgs | undefined {
  if (argv[0] !== 'status') return undefined;
  const names: string[] = [];
  const flags: StatusFlags = {};
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) names.push(arg);
    else if (arg === '--json') flags.json = true;
    else if (arg === '--watch') flags.watch = true;
    else if (arg === '--user') flags.user = true;
    else if (arg.startsWith('--address=')) flags.address = arg.slice('--address='.length);
    else if (arg === '--address') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) return undefined;
      flags.address = value;
      i++;
    } else return undefined;
  }
  return { names, flags };
}
