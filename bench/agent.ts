/**
 * The berth agent's memory: resident size idle, after 100 GetContainer calls and after 10,000, on a real
 * systemd system manager and system bus (the test harness's), with a bare Node process as the baseline
 * measured in the same run.
 *
 *   node dist/bench/agent.js [--defs N] [--running N] [--calls N] [--entry PATH]
 *
 * The agent runs here (its PID is ours to read /proc from) against the host's bus, with berth's bus policy
 * installed there and the NODE_OPTIONS of units/berth-agent.service. Calls go 32 at a time, round-robin over
 * the containers.
 *
 * Each reading is the lowest of ten over two seconds after the calls stopped; a last one 15 s later shows
 * what V8's memory reducer gives back once the process is idle.
 *
 * Targets: RSS after 10,000 calls within 10% of RSS after 100; idle RSS at most 60 MiB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bootSystemdHost } from '../test/helpers/systemd-host.js';
import { Bus } from '../src/systemd/bus.js';
import { AGENT_IFACE, AGENT_NAME, AGENT_PATH } from '../src/agent/interface.js';
import { parseFlags, REPO, sleep, unitNodeOptions } from './common.js';

const MIB = 1024 * 1024;

function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

async function settle(pid: number): Promise<number> {
  // Let timers and the GC catch up, then take the lowest of a few readings.
  let low = Infinity;
  for (let i = 0; i < 10; i++) {
    await sleep(200);
    low = Math.min(low, rss(pid));
  }
  return low;
}

async function main(): Promise<void> {
  const opts = parseFlags(process.argv.slice(2), { defs: 100, running: 10, calls: 10_000, entry: `${REPO}dist/berth.mjs` });
  const RUNS = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"\n`;
  const files: Record<string, string> = {
    '/etc/dbus-1/system.d/io.berth.Manager1.conf': readFileSync(`${REPO}packaging/dbus/io.berth.Manager1.conf`, 'utf8'),
  };
  for (let i = 0; i < opts.defs; i++) {
    files[`/etc/berth/definitions/c${String(i).padStart(3, '0')}.container`] = RUNS + (i % 2 ? '[Checkpoint]\nOnCalendar=hourly\n' : '') + (i < opts.running ? '[Install]\nWantedBy=multi-user.target\n' : '');
  }
  process.stdout.write(`booting a systemd host with ${opts.defs} definitions (${opts.running} running)…\n`);
  const host = await bootSystemdHost({ files, symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs` } });
  let agent: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    const nodeOptions = unitNodeOptions();
    const env = { ...process.env, BERTH_UNIT_DIRS: host.hostPath('/etc/berth/definitions'), PODMAN: '/bin/false', NODE_OPTIONS: nodeOptions };
    bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env, stdio: 'ignore' });
    agent = spawn(process.execPath, [opts.entry, 'agent', '--address', host.busAddress, '--scheduler', 'systemd'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    agent.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const client = await Bus.connect({ address: host.busAddress });
    try {
      for (let i = 0; !(await client.nameOwner(AGENT_NAME)); i++) {
        if (i > 300 || agent.exitCode !== null) throw new Error(`the agent did not come up:\n${log}`);
        await sleep(50);
      }
      await sleep(1000); // its first full read
      const idle = await settle(agent.pid!);
      const baseline = await settle(bare.pid!);
      const names = Array.from({ length: opts.defs }, (_, i) => `c${String(i).padStart(3, '0')}`);
      let done = 0;
      const calls = async (n: number): Promise<number> => {
        const t0 = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next < n) {
              const name = names[(done + next++) % names.length]!;
              await client.call({ destination: AGENT_NAME, path: AGENT_PATH, interface: AGENT_IFACE, member: 'GetContainer', signature: 's', body: [name] });
            }
          }),
        );
        done += n;
        return performance.now() - t0;
      };
      await calls(100);
      const after100 = await settle(agent.pid!);
      const ms = await calls(opts.calls - 100);
      const afterAll = await settle(agent.pid!);
      const ratio = afterAll / after100;
      await sleep(13_000); // V8's memory reducer runs once the process has been idle for a while
      const later = await settle(agent.pid!);
      process.stdout.write(
        [
          `bare node (same NODE_OPTIONS "${nodeOptions}"): ${mib(baseline)}`,
          `agent idle:                ${mib(idle)} (${mib(idle - baseline)} over bare node)`,
          `agent after 100 calls:     ${mib(after100)}`,
          `agent after ${opts.calls} calls:  ${mib(afterAll)}  (${(opts.calls - 100) / (ms / 1000) | 0} GetContainer/s)`,
          `agent 15 s later, idle:    ${mib(later)}`,
          `ratio after ${opts.calls} / after 100: ${ratio.toFixed(3)} (target <= 1.10: ${ratio <= 1.1 ? 'met' : 'NOT met'})`,
          `idle target <= 60 MiB: ${idle <= 60 * MIB ? 'met' : 'NOT met'}`,
          '',
        ].join('\n'),
      );
    } finally {
      await client.close();
    }
  } finally {
    agent?.kill('SIGTERM');
    bare?.kill('SIGKILL');
    await sleep(300);
    await host.stop();
  }
}

await main();
