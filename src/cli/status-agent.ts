/**
 * `berth status` asks the agent first. The agent follows systemd already, so one call answers for every
 * container, where asking systemd costs a load of each unit it does not hold in memory and reads of each
 * running one. The call never starts an agent (no D-Bus activation: status must not wait for one to boot),
 * and its answer is taken only when it is about the same definitions as this command reads (the same files,
 * names, container names, health checks and [Checkpoint] folders): an agent that reads other folders, or has
 * not read a definition added since, leaves the question to systemd.
 */
import { AGENT_IFACE, AGENT_NAME, AGENT_PATH } from '../agent/names.js';
import type { ContainerEntry } from '../containers/inventory.js';
import type { ContainerStatus } from '../containers/status.js';
import { BusError } from '../errors.js';
import type { Bus } from '../systemd/bus.js';

/** The agent answers from memory within milliseconds; one that does not is hung, and systemd is asked instead. */
const AGENT_TIMEOUT_MS = 1000;

/** The rows, from the agent; undefined when no agent runs, it may not be asked, or it has other definitions. */
export async function rowsFromAgent(bus: Bus, entries: readonly ContainerEntry[]): Promise<ContainerStatus[] | undefined> {
  if (entries.length === 0) return undefined;
  let answer: unknown;
  try {
    [answer] = await bus.call(
      { destination: AGENT_NAME, path: AGENT_PATH, interface: AGENT_IFACE, member: 'GetStatus', signature: 'as', body: [entries.map((e) => e.name)], noAutoStart: true },
      { timeoutMs: AGENT_TIMEOUT_MS },
    );
  } catch (err) {
    // No agent, a bus policy that does not let this user ask, an agent older than GetStatus, a container it
    // has not read, or a hung agent: systemd answers.
    if (err instanceof BusError && (err.code === 'remote' || err.code === 'timeout')) return undefined;
    throw err;
  }
  let rows: ContainerStatus[];
  try {
    rows = JSON.parse(String(answer)) as ContainerStatus[];
  } catch {
    return undefined;
  }
  return Array.isArray(rows) && rows.length === entries.length && rows.every((r, i) => describes(r, entries[i]!)) ? rows : undefined;
}

/** Whether a row is about this definition: every column the definition decides is the same. */
function describes(row: ContainerStatus, e: ContainerEntry): boolean {
  const checkpoint = row.checkpoint === null ? !e.checkpoint : row.checkpoint.directory === e.checkpoint?.directory && row.checkpoint.timer === (e.timer ?? null);
  return row.name === e.name && row.unit === e.unit && row.definition === e.definition && row.container === e.container && (row.health === null) === !e.healthCheck && checkpoint;
}
