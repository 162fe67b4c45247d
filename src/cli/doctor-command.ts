/** `berth doctor`: checks the host and prints each verdict with its fix; exit 1 when any check failed. */
import type { Command } from 'commander';
import { runChecks } from '../doctor/checks.js';
import { systemHost, type DoctorHost } from '../doctor/host.js';
import { formatJson, formatText, tally } from '../doctor/report.js';

export interface DoctorFlags {
  json?: boolean;
}

export async function runDoctor(flags: DoctorFlags, version: string, host: DoctorHost = systemHost()): Promise<number> {
  const results = await runChecks(host);
  const about = { berth: version, node: process.versions.node };
  process.stdout.write(flags.json ? formatJson(results, about) : formatText(results, `berth doctor: berth ${version}, Node.js ${process.versions.node}, uid ${host.uid}`));
  return tally(results).fail > 0 ? 1 : 0;
}

/** Adds the doctor command to the berth command line. */
export function registerDoctor(cli: Command, version: string): void {
  cli
    .command('doctor')
    .description('check the host: podman, its runtime and CRIU, cgroups, systemd, the generator links, the agent, the checkpoint folders')
    .option('--json', 'machine-readable output: {ok, summary, checks: [{id, title, status, summary, fix, details}]}')
    .addHelpText('after', '\nEach check prints ok, WARN or FAIL, and a fix for anything not ok. Exit status: 0 when no check failed, 1 otherwise.')
    .action(async (opts: DoctorFlags) => {
      process.exitCode = await runDoctor(opts, version);
    });
}
