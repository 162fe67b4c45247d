/** `berth doctor`: checks the host and prints each verdict with its fix; exit 1 when any check failed. */
import { runChecks } from '../doctor/checks.js';
import { systemHost, type DoctorHost } from '../doctor/host.js';
import { formatJson, formatText, tally } from '../doctor/report.js';

export interface DoctorFlags {
  json?: boolean;
  /** The calling user's checks (berth doctor --user): subordinate ids, linger, newuidmap, the user generator … */
  user?: boolean;
}

export async function runDoctor(flags: DoctorFlags, version: string, host: DoctorHost = systemHost()): Promise<number> {
  const results = flags.user ? await (await import('../doctor/user-checks.js')).runUserChecks(host) : await runChecks(host);
  const about = { berth: version, node: process.versions.node, scope: flags.user ? 'user' : 'system', uid: host.uid };
  const who = `uid ${host.uid}${host.account ? ` (${host.account.name})` : ''}`;
  process.stdout.write(flags.json ? formatJson(results, about) : formatText(results, `berth doctor${flags.user ? ' --user' : ''}: berth ${version}, Node.js ${process.versions.node}, ${who}`));
  return tally(results).fail > 0 ? 1 : 0;
}
