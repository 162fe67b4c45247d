/**
 * An agent against a private bus and a fake systemd (test/systemd/): definitions in a temporary folder
 * (BERTH_UNIT_DIRS), a client connection, and small helpers to read the agent's properties and wait for its
 * signals.
 */
import type { ExecutionContext } from 'ava';
import { AGENT_IFACE, AGENT_NAME, AGENT_PATH } from '../../src/agent/interface.js';
import { Agent, type AgentOptions } from '../../src/agent/agent.js';
import { Bus, matchRule, PROPERTIES_IFACE, type SignalMessage } from '../../src/systemd/bus.js';
import { CONTAINER, definitionsDir } from '../containers/fixtures.js';
import { FakeSystemd } from '../systemd/fake-systemd.js';
import { startPrivateBus, type PrivateBus } from '../systemd/private-bus.js';

export interface AgentSetup {
  bus: PrivateBus;
  fake: FakeSystemd;
  agent: Agent;
  client: Bus;
  dir: string;
  logs: string[];
  env: NodeJS.ProcessEnv;
}

export { CONTAINER, definitionsDir };

export async function startAgent(t: ExecutionContext, defs: Record<string, string>, opts: Partial<AgentOptions> = {}, scene?: (fake: FakeSystemd) => void): Promise<AgentSetup> {
  const bus = await startPrivateBus(t);
  const fake = await FakeSystemd.start(bus.address);
  scene?.(fake);
  const dir = definitionsDir(t, defs);
  const logs: string[] = [];
  const env = { ...process.env, BERTH_UNIT_DIRS: dir, PODMAN: '/bin/false', ...opts.env };
  const agent = new Agent({ version: '9.9.9', address: bus.address, scheduler: 'systemd', log: (l) => logs.push(l), ...opts, env });
  await agent.start();
  const client = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await client.close();
    await agent.stop();
    await fake.close().catch(() => undefined);
  });
  return { bus, fake, agent, client, dir, logs, env };
}

export async function property(client: Bus, name: string): Promise<unknown> {
  const [v] = await client.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: PROPERTIES_IFACE, member: 'Get', signature: 'ss', body: [AGENT_IFACE, name] });
  return (v as { value: unknown }).value;
}

export function call(client: Bus, member: string, signature = '', body: unknown[] = [], timeoutMs?: number): Promise<unknown[]> {
  return client.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: AGENT_IFACE, member, signature, body }, timeoutMs ? { timeoutMs } : {});
}

/** Collects the agent's signals (its interface's and its PropertiesChanged). */
export async function agentSignals(client: Bus): Promise<SignalMessage[]> {
  const got: SignalMessage[] = [];
  await client.addMatch(matchRule({ type: 'signal', path: AGENT_PATH }));
  client.onSignal((s) => {
    if (s.path === AGENT_PATH) got.push(s);
  });
  return got;
}

export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 3000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const unwrapAll = (dict: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries(dict as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
