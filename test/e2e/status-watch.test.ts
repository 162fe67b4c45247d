/**
 * `berth status --watch --json` as a process, on a real systemd manager and system bus (the test
 * harness's): rows as units change, a definition added before a daemon-reload, and the bus daemon
 * restarted and killed under it.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import type { ContainerStatus } from '../../src/containers/status.js';
import { bootSystemdHost, requireSystemdHarness } from '../helpers/systemd-host.js';
import { busDaemonPid, DEFS, INSTALL, REPO, RUNS, until } from './agent-host.js';

test.before(() => requireSystemdHarness());

test('berth status --watch shows each change systemd signals, new definitions after a daemon-reload, and goes on after the bus restarts or dies', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: { [`${DEFS}/web.container`]: RUNS + INSTALL },
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs` },
  });
  const watch = spawn(process.execPath, [`${REPO}dist/src/cli/main.js`, 'status', '--watch', '--json', '--address', host.busAddress], {
    env: { ...process.env, BERTH_UNIT_DIRS: host.hostPath(DEFS), PODMAN: '/bin/false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  watch.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  watch.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => watch.on('exit', (code) => r(code)));
  t.teardown(() => watch.kill('SIGKILL'));
  const rows = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ContainerStatus).map((r) => `${r.name} ${r.active}`);
  // Rows come in order; between two awaited ones may come transitions (activating, deactivating).
  let seen = 0;
  const shows = async (row: string, what: string): Promise<void> => {
    await until(() => rows().indexOf(row, seen) >= 0, 15_000, `${what} (${rows().join(', ')}; ${err})`);
    seen = rows().indexOf(row, seen) + 1;
  };

  await shows('web active', 'the first row');
  t.is((await host.systemctl('stop', 'web.service')).exitCode, 0);
  await shows('web inactive', 'the stop');

  await host.writeFile(`${DEFS}/cache.container`, RUNS);
  await host.daemonReload();
  await shows('cache inactive', 'the new definition');

  // From here systemctl reaches systemd through the bus it restarts: its own answer may be lost.
  await host.systemctl('restart', 'dbus.service');
  await until(() => /reconnected after \d+ attempt/.test(err), 15_000, `the watch to reconnect (${err})`);
  t.is((await host.systemctl('start', 'web.service')).exitCode, 0);
  await shows('web active', 'the start after the restart');

  await new Promise((r) => setTimeout(r, 2500)); // dbus.service's start rate limit
  process.kill(busDaemonPid(host), 'SIGKILL');
  // The socket is systemd's: the watch's reconnection starts the bus again (socket activation).
  await until(() => (err.match(/reconnected after \d+ attempt/g) ?? []).length === 2, 15_000, `the watch to reconnect again (${err})`);
  t.is((await host.systemctl('stop', 'web.service')).exitCode, 0);
  await shows('web inactive', 'the stop after the crash');

  watch.kill('SIGINT');
  t.is(await exited, 0);
  t.deepEqual(rows().filter((r) => !/ing$/.test(r)), ['web active', 'web inactive', 'cache inactive', 'web active', 'web inactive']);
  const said = err.trimEnd().split('\n');
  t.is(said.filter((l) => /^berth: reconnected after \d+ attempt\(s\)$/.test(l)).length, 2, err);
  for (const line of said) {
    t.regex(line, /^berth: (systemd left the bus|lost the bus( \(.+\))?; reconnecting|reconnecting \(attempt \d+\): .+|org\.freedesktop\.systemd1 is not on the bus yet; waiting for it|reconnected after \d+ attempt\(s\))$/);
  }
});
