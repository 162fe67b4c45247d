/**
 * `berth agent [--user] [--scheduler auto|systemd|cron] [--address ADDR]`: the long-running service behind
 * io.berth.Manager1 (src/agent/agent.ts). It runs until SIGTERM or SIGINT; SIGHUP reads the definitions
 * again. Its unit is units/berth-agent.service (Type=notify).
 */
import { Agent, type SchedulerMode } from '../agent/agent.js';
import { UsageError } from '../errors.js';

export interface AgentFlags {
  user?: boolean;
  address?: string;
  scheduler?: string;
}

const MODES: readonly SchedulerMode[] = ['auto', 'systemd', 'cron'];

export async function runAgent(flags: AgentFlags, version: string): Promise<number> {
  const scheduler = (flags.scheduler ?? 'auto') as SchedulerMode;
  if (!MODES.includes(scheduler)) throw new UsageError(`--scheduler must be one of ${MODES.join(', ')}, not "${flags.scheduler}"`);
  const agent = new Agent({
    version,
    scheduler,
    ...(flags.user ? { user: true } : {}),
    ...(flags.address ? { address: flags.address } : {}),
  });
  const stop = (): void => void agent.stop();
  const reload = (): void => void agent.reload();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', reload);
  try {
    await agent.start();
    await agent.done;
    return 0;
  } catch (err) {
    await agent.stop();
    throw err;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', reload);
  }
}
