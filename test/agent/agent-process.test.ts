/**
 * The agent as a process of its own (`berth agent`, with the NODE_OPTIONS of its unit) against a private bus
 * and a fake systemd: its resident size through floods of signals and thousands of calls.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AGENT_IFACE, AGENT_NAME, AGENT_PATH } from '../../src/agent/interface.js';
import { Bus } from '../../src/systemd/bus.js';
import { FakeSystemd } from '../systemd/fake-systemd.js';
import { startPrivateBus } from '../systemd/private-bus.js';
import { agentSignals, CONTAINER, definitionsDir, until } from './harness.js';

const REPO = new URL('../../../', import.meta.url).pathname;

function rss(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

/** The lowest of several readings over two seconds: what the process holds, not a passing peak. */
async function settledRss(pid: number): Promise<number> {
  let low = Infinity;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    low = Math.min(low, rss(pid));
  }
  return low;
}

test('through floods of signals and thousands of calls the agent keeps its memory flat and its state right', async (t) => {
  const bus = await startPrivateBus(t);
  const fake = await FakeSystemd.start(bus.address);
  t.teardown(() => fake.close());
  const defs: Record<string, string> = {};
  for (let i = 0; i < 20; i++) {
    defs[`c${i}.container`] = CONTAINER;
    fake.define(`c${i}.service`, i < 5 ? { active: 'active', sub: 'running', service: { MainPID: 100 + i } } : {});
  }
  const dir = definitionsDir(t, defs);
  const nodeOptions = /^Environment="NODE_OPTIONS=([^"]*)"$/m.exec(readFileSync(`${REPO}units/berth-agent.service`, 'utf8'))?.[1];
  if (!nodeOptions) throw new Error('units/berth-agent.service sets no NODE_OPTIONS');
  const agent = spawn(process.execPath, [`${REPO}dist/src/cli/main.js`, 'agent', '--address', bus.address, '--scheduler', 'systemd'], {
    env: { ...process.env, BERTH_UNIT_DIRS: dir, PODMAN: '/bin/false', NODE_OPTIONS: nodeOptions },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  agent.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  t.teardown(() => agent.kill('SIGKILL'));
  const client = await Bus.connect({ address: bus.address });
  t.teardown(() => client.close());
  await until(async () => (await client.nameOwner(AGENT_NAME)) !== undefined && fake.subscribers.size === 1, 15_000, `the agent to start:\n${log}`);

  const getContainer = (name: string) => client.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: AGENT_IFACE, member: 'GetContainer', signature: 's', body: [name] });
  const calls = async (n: number): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < n) await getContainer(`c${next++ % 20}`);
    }));
  };
  const flood = async (n: number): Promise<void> => {
    for (let sent = 0; sent < n; sent += 2000) {
      fake.flood(2000);
      await client.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: 'org.freedesktop.DBus.Peer', member: 'Ping' }, { timeoutMs: 60_000 }); // it keeps up
    }
  };

  // Rounds of 20,000 signals about other units and 5,000 calls. Memory may grow while the process warms up
  // and V8 sizes its heap; after that a leak would keep growing round after round, flat memory would not.
  const readings: number[] = [];
  for (let round = 0; round < 5; round++) {
    await flood(20_000);
    await calls(5_000);
    readings.push(await settledRss(agent.pid!));
  }
  const mib = readings.map((r) => (r / 2 ** 20).toFixed(1));
  t.log(`RSS after each round (MiB): ${mib.join(', ')}`);
  // A leak of anything per signal or per call would add megabytes each round, and in every round; GC timing
  // moves one reading by a few megabytes now and then.
  const warm = Math.max(readings[0]!, readings[1]!);
  const last = Math.min(readings[readings.length - 2]!, readings[readings.length - 1]!);
  t.true(last <= warm * 1.1, `RSS went from ${(warm / 2 ** 20).toFixed(1)} MiB (warm) to ${(last / 2 ** 20).toFixed(1)} MiB`);

  // Still right: a change behind the flood is relayed.
  const signals = await agentSignals(client);
  fake.set('c3.service', 'inactive', 'dead', { MainPID: 0 });
  await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[0] === 'c3'), 5000, 'the relayed stop');
  t.is(agent.exitCode, null, log);
});
