/**
 * The generator entry's own reading of its arguments. systemd passes only NORMAL_DIR EARLY_DIR LATE_DIR,
 * and tests add a few `berth generate` flags; reading those here spares every boot and daemon-reload the
 * cost of loading the full command line (commander). Anything else (help, an unknown or malformed flag)
 * returns undefined, and the entry hands the arguments to `berth generate` to get its exact behaviour.
 */
import type { GenerateFlags } from './generate-command.js';

export interface GeneratorArgs {
  readonly dirs: string[];
  readonly flags: GenerateFlags;
}

export function parseGeneratorArgs(argv: readonly string[]): GeneratorArgs | undefined {
  const dirs: string[] = [];
  // As commander gives them to runGenerate: --no-kmsg-log's option defaults to true.
  const flags: GenerateFlags = { kmsgLog: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') dirs.push(arg);
    else if (arg === '--user') flags.user = true;
    else if (arg === '--dryrun') flags.dryrun = true;
    else if (arg === '--no-kmsg-log') flags.kmsgLog = false;
    else if (arg.startsWith('--podman-version=')) flags.podmanVersion = arg.slice('--podman-version='.length);
    else if (arg === '--podman-version') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) return undefined;
      flags.podmanVersion = value;
      i++;
    } else return undefined;
  }
  return { dirs, flags };
}
