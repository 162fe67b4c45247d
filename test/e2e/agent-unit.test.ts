/**
 * The agent's units as systemd reads them, and the agent as D-Bus activation starts it, on a real systemd
 * manager and system bus (the test harness's).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { requireSystemdHarness } from '../helpers/systemd-host.js';
import { AGENT, agentUnit, bootWithAgent, INSTALL, REPO, RUNS } from './agent-host.js';

const NODE_OPTIONS = '--max-semi-space-size=1 --jitless --max-old-space-size=256';

test.before(() => requireSystemdHarness());

test.serial('systemd-analyze verify finds nothing to say about either agent unit, and NODE_OPTIONS reaches the agent whole', async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL });
  await host.writeFile('/etc/systemd/user/berth-agent.service', readFileSync(`${REPO}units/user/berth-agent.service`, 'utf8'));
  for (const argv of [
    ['systemd-analyze', 'verify', '/etc/systemd/system/berth-agent.service'],
    // A user manager needs a runtime folder, even one that only verifies.
    ['/bin/sh', '-c', 'mkdir -p -m 0700 /tmp/xdg && XDG_RUNTIME_DIR=/tmp/xdg exec systemd-analyze --user verify /etc/systemd/user/berth-agent.service'],
  ]) {
    const r = await host.run(argv);
    t.deepEqual([r.exitCode, r.stdout, r.stderr], [0, '', ''], argv.join(' '));
  }

  const { pid } = await agentUnit(host);
  const environ = (await host.runOk(['cat', `/proc/${pid}/environ`])).split('\0');
  t.deepEqual(environ.filter((v) => v.startsWith('NODE_OPTIONS=')), [`NODE_OPTIONS=${NODE_OPTIONS}`]);
  // Each option took effect: the heap limit (256 MiB old space, 3 × 1 MiB young) and --jitless's warning.
  const journal = await host.journal('berth-agent.service');
  t.regex(journal, /berth agent: starting \(systemd mode, the system bus, heap limit 259 MiB\)/);
  t.regex(journal, /Warning: disabling flag --expose_wasm due to conflicting flags/);
  t.notRegex(journal, /Invalid environment assignment/);
});

const TRIES = 3;

test.serial(`the first answer of an agent the bus starts is right: GetContainer, ListContainers and Checkpoint, ${TRIES} tries each`, async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + '[Checkpoint]\nKeep=10\n' + INSTALL, 'db.container': RUNS }, { enabled: false });
  t.is((await host.systemctl('is-active', 'web.service')).stdout.trim(), 'active', await host.journal('web.service'));
  const firstCalls: Array<[string, string[], (stdout: string) => void]> = [
    ['GetContainer', ['GetContainer', 's', 'web'], (out) => {
      t.regex(out, /^a\{sv\} \d+ /);
      t.regex(out, /"Name" s "web"/);
      t.regex(out, /"ActiveState" s "active"/);
      t.regex(out, /"HasCheckpoints" b true/);
    }],
    ['ListContainers', ['ListContainers'], (out) => {
      t.regex(out, /^a\(ssssssutus\) 2 "db" "db\.service" "loaded" "inactive" "dead" "success" 0 0 0 "" "web" "web\.service" "loaded" "active" "running" "success" \d+ \d+ 0 ""\n$/);
    }],
    ['Checkpoint', ['Checkpoint', 's', 'web'], (out) => {
      t.regex(out, /^s "\/var\/lib\/berth\/checkpoints\/web\/web-\d{8}T\d{9}Z\.tar\.zst"\n$/);
    }],
  ];
  for (const [what, args, check] of firstCalls) {
    for (let i = 1; i <= TRIES; i++) {
      t.is((await agentUnit(host)).state, 'inactive/dead', `before ${what} #${i}: the agent is not running`);
      const r = await host.run(['busctl', '--timeout=300', 'call', ...AGENT, ...args], { timeoutMs: 310_000 });
      t.is(r.exitCode, 0, `${what} #${i}: ${r.stderr}\n${await host.journal('berth-agent.service')}`);
      check(r.stdout);
      t.is((await agentUnit(host)).state, 'active/running', `${what} #${i} started the agent`);
      t.is((await host.systemctl('stop', 'berth-agent.service')).exitCode, 0);
    }
  }
});
