/**
 * Runs a program as systemd runs a generator, with /dev/kmsg writable, without touching the host's kernel
 * log: in new user and mount namespaces (unshare; no root needed) an empty file is bound over /dev/kmsg,
 * and what the program wrote there is returned with its exit code and output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessResult } from './processes.js';

/** The exit status of the wrapper when it could not bind the file. */
const NO_BIND = 125;

export async function runWithPrivateKmsg(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult & { kmsg: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-kmsg-'));
  try {
    const kmsg = join(dir, 'kmsg');
    writeFileSync(kmsg, '');
    const script = `mount --bind "$0" /dev/kmsg || exit ${NO_BIND}; exec "$@"`;
    const r = await runProcess('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, kmsg, cmd, ...args], { env, timeoutMs: 60_000 });
    if (r.exitCode === NO_BIND) throw new Error(`cannot bind a file over /dev/kmsg in a user namespace: ${r.stderr}`);
    return { ...r, kmsg: readFileSync(kmsg, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
