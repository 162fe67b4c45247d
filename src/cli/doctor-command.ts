/** `berth doctor`: checks the host and prints each verdict with its fix; exit 1 when any check failed. */
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
