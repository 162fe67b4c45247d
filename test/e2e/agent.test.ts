/**
 * The berth agent as installed: its unit (units/berth-agent.service, Type=notify), D-Bus activation file and
 * bus policy (packaging/dbus/) on a real systemd system manager and its system bus (the test harness's).
 */
import test from 'ava';
import { requireSystemdHarness } from '../helpers/systemd-host.js';
import { AGENT, agentUnit, bootWithAgent, busDaemonPid, INSTALL, NOBODY, RUNS, until, watchAgent } from './agent-host.js';
import { VERSION } from '../../src/version.js';

test.before(() => requireSystemdHarness());

test.serial("on the system bus with berth's policy, nobody reads the agent's state but gets AccessDenied for Checkpoint, Restore and the name; root may do all three", async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + '[Checkpoint]\nKeep=3\n' + INSTALL });
  t.is((await host.systemctl('is-active', 'web.service')).stdout.trim(), 'active', await host.journal('web.service'));
  const { signals } = await watchAgent(host, t);

  // Any local user may read.
  const version = await host.run([...NOBODY, 'busctl', 'get-property', ...AGENT, 'Version']);
  t.is(version.exitCode, 0, version.stderr);
  t.is(version.stdout.trim(), `s "${VERSION}"`);
  const containers = await host.run([...NOBODY, 'busctl', 'get-property', ...AGENT, 'Containers']);
  t.regex(containers.stdout, /^a\(ssssssutus\) 1 "web" "web.service" "loaded" "active" "running" "success" \d+ \d+ 0 ""/);
  const get = await host.run([...NOBODY, 'busctl', 'call', ...AGENT, 'GetContainer', 's', 'web']);
  t.is(get.exitCode, 0, get.stderr);
  t.regex(get.stdout, /"ActiveState" s "active"/);
  t.is((await host.run([...NOBODY, 'busctl', 'call', ...AGENT, 'ListCheckpoints', 's', 'web'])).exitCode, 0);

  // Nothing that changes anything, and not the name.
  for (const argv of [
    ['busctl', 'call', ...AGENT, 'Checkpoint', 's', 'web'],
    ['busctl', 'call', ...AGENT, 'Restore', 'ss', 'web', ''],
    ['busctl', 'call', 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'RequestName', 'su', 'io.berth.Manager1', '4'],
  ]) {
    const r = await host.run([...NOBODY, ...argv]);
    t.not(r.exitCode, 0, argv.join(' '));
    t.regex(r.stderr, /Access denied|AccessDenied|not allowed to own/, argv.join(' '));
  }

  // Root: the name is taken (3 = exists), not refused; a checkpoint, then a restore from it.
  t.is((await host.runOk(['busctl', 'call', 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'RequestName', 'su', 'io.berth.Manager1', '4'])).trim(), 'u 3');
  const taken = await host.run(['busctl', '--timeout=300', 'call', ...AGENT, 'Checkpoint', 's', 'web'], { timeoutMs: 310_000 });
  t.is(taken.exitCode, 0, `${taken.stderr}\n${await host.journal('berth-agent.service')}`);
  const archive = /^s "(.+)"$/.exec(taken.stdout.trim())?.[1];
  t.regex(archive ?? '', /^\/var\/lib\/berth\/checkpoints\/web\/web-\d{8}T\d{9}Z\.tar\.zst$/);
  await until(() => signals.find((s) => s.member === 'CheckpointFinished'), 2000, 'CheckpointFinished');
  t.deepEqual(signals.find((s) => s.member === 'CheckpointFinished')!.body, ['web', true, archive, '']);
  t.is((await host.run(['test', '-s', archive!])).exitCode, 0);

  const restored = await host.run(['busctl', '--timeout=300', 'call', ...AGENT, 'Restore', 'ss', 'web', ''], { timeoutMs: 310_000 });
  t.is(restored.exitCode, 0, `${restored.stderr}\n${await host.journal('web.service')}`);
  t.is(restored.stdout.trim(), `s "${archive}"`);
  t.is((await host.systemctl('is-active', 'web.service')).stdout.trim(), 'active');
  t.regex(await host.journal('web.service'), /berth start: restored systemd-web from /);

  // `berth restore` stops and starts the unit over D-Bus too (no systemctl).
  const cli = await host.run(['/bin/sh', '-c', '/usr/bin/berth restore web'], { timeoutMs: 310_000 });
  t.is(cli.exitCode, 0, cli.stderr);
  t.regex(cli.stdout, new RegExp(`^web\\.service is active, restored from ${archive!.replaceAll('.', '\\.')} `));
});

test.serial("the agent signals a container's state change within one second of systemctl stop", async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL });
  const { signals } = await watchAgent(host, t);
  const started = Date.now();
  const stop = host.systemctl('stop', 'web.service');
  const first = await until(() => signals.find((s) => s.member === 'ContainerStateChanged'), 1000, 'the first state change');
  t.log(`first signal after ${Date.now() - started} ms: ${JSON.stringify(first.body)}`);
  t.is(first.body[0], 'web');
  t.is((await stop).exitCode, 0);
  const stopped = Date.now();
  const dead = await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[1] === 'inactive'), 1000, 'the inactive state');
  t.log(`inactive signal ${Date.now() - stopped} ms after systemctl stop returned`);
  t.deepEqual(dead.body, ['web', 'inactive', 'dead', 'success', 0]);
  t.true(signals.some((s) => s.member === 'PropertiesChanged' && (s.body[2] as string[]).includes('Containers')));
});

const BUS_ROUNDS = 3;

test.serial(`kill -9 the bus daemon, restart it, restart it with the agent frozen meanwhile, ${BUS_ROUNDS} times each: the same agent process serves again and still relays systemd`, async (t) => {
  const host = await bootWithAgent(t, { 'web.container': RUNS + INSTALL });
  const before = await agentUnit(host);
  t.is(before.state, 'active/running');

  const ways = Array.from({ length: BUS_ROUNDS }, () => ['kill -9 dbus-daemon', 'systemctl restart dbus', 'systemctl restart dbus, the agent frozen until systemd is back']).flat();
  let survived = 0;
  for (const [round, how] of ways.entries()) {
    if (how.startsWith('kill')) {
      process.kill(busDaemonPid(host), 'SIGKILL');
      // The socket is systemd's: the agent's reconnection starts the bus again (socket activation).
    } else if (how.endsWith('frozen until systemd is back')) {
      // The agent loses the race for its name on purpose: systemd is back on the new bus, and has asked
      // who owns io.berth.Manager1, long before the agent can even reconnect.
      t.is((await host.systemctl('kill', '--kill-who=main', '--signal=SIGSTOP', 'berth-agent.service')).exitCode, 0);
      await host.systemctl('restart', 'dbus.service');
      await until(async () => (await host.systemctl('is-active', 'dbus.service')).stdout.trim() === 'active', 10_000, 'systemd back on the bus');
      await new Promise((r) => setTimeout(r, 1000));
      t.is((await host.systemctl('kill', '--kill-who=main', '--signal=SIGCONT', 'berth-agent.service')).exitCode, 0);
    } else {
      // From here systemctl reaches systemd through the very bus it restarts: its own answer may be lost.
      await host.systemctl('restart', 'dbus.service');
    }
    const started = Date.now();
    await until(async () => (await host.run(['busctl', 'get-property', ...AGENT, 'Version'])).exitCode === 0, 10_000, `the agent to serve after ${how}`);
    const back = Date.now() - started;
    t.deepEqual(await agentUnit(host), before, `after ${how}: same process, no restart`);

    // It follows systemd again: a stop (or start) is relayed.
    const { signals } = await watchAgent(host, t);
    const wanted = round % 2 === 0 ? 'inactive' : 'active';
    await host.systemctl(wanted === 'inactive' ? 'stop' : 'start', 'web.service');
    await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[1] === wanted), 5000, `the ${wanted} state relayed after ${how}`);
    survived++;
    t.log(`round ${round + 1}, ${how}: serving again within ${back} ms, relaying`);
    await new Promise((r) => setTimeout(r, 2500)); // dbus.service's start rate limit
  }
  t.is(survived, ways.length);
  const journal = await host.journal('berth-agent.service');
  t.is((journal.match(/reconnected after \d+ attempt/g) ?? []).length, ways.length, journal);
  t.notRegex(journal, /Stopping berth agent|Stopped berth agent|Failed with result/);
});
