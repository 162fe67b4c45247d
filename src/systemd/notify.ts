/**
 * sd_notify(3) READY=1 for a Type=notify unit. Node has no unix datagram sockets, so systemd-notify sends
 * it: run as root it sends with its parent's credentials (this process, the unit's main PID); otherwise it
 * waits until the manager has taken the message, which is then never dropped for coming from a process that
 * is gone. Then NOTIFY_SOCKET leaves the environment, so that nothing the process runs later (podman) can
 * speak for the unit.
 */
import { mustRun } from '../engine/command.js';

/** Tells systemd the service is ready, when systemd asked to be told (NOTIFY_SOCKET); returns whether it did. */
export async function notifyReady(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env['NOTIFY_SOCKET']) return false;
  try {
    await mustRun(['systemd-notify', '--ready'], { timeoutMs: 30_000, env });
  } finally {
    delete env['NOTIFY_SOCKET'];
  }
  return true;
}
