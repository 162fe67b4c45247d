/**
 * units/user/berth-user-wait-network-online.service's script, run as systemd would run it (its escapes
 * undone, BERTH_NETWORK_WAIT_SEC substituted) against a stand-in `systemctl`, for each of its three endings.
 * test/e2e/user-scope.test.ts runs the unit itself under root's user manager.
 */
import test from 'ava';
import { execa } from 'execa';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitWords } from '../../src/unit/quote.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const { unit } = UnitFile.parse(readFileSync(`${REPO}units/user/berth-user-wait-network-online.service`, 'utf8'), 'berth-user-wait-network-online.service');

/** The argv systemd runs: words split and C-unescaped, ${VAR} substituted, then $$ → $ and %% → % (specifiers). */
function argv(seconds: number): string[] {
  const words = splitWords(unit.get('Service', 'ExecStart')!, { cunescape: true });
  return words.map((w) => w.replace(/\$\{BERTH_NETWORK_WAIT_SEC\}/g, String(seconds)).replace(/\$\$/g, '$').replace(/%%/g, '%'));
}

/** A `systemctl` that answers as a system manager would: network-online.target's state, its jobs, the system's state. */
function stub(active: boolean, jobs: string, system: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-wait-'));
  writeFileSync(join(dir, 'systemctl'), `#!/bin/sh
case "$1" in
  is-active) ${active ? 'exit 0' : 'exit 3'};;
  list-jobs) printf '%s' '${jobs}';;
  is-system-running) echo ${system};;
esac
`);
  chmodSync(join(dir, 'systemctl'), 0o755);
  return dir;
}

const run = async (seconds: number, dir: string) => {
  const [file, ...args] = argv(seconds);
  const t0 = Date.now();
  const r = await execa(file!, args, { env: { PATH: `${dir}:/usr/bin:/bin` }, reject: false, timeout: 20_000 });
  return { ...r, ms: Date.now() - t0 };
};

test('the unit waits at most BERTH_NETWORK_WAIT_SEC (90 s unless a drop-in says otherwise) and never fails', (t) => {
  t.is(unit.get('Service', 'Type'), 'oneshot');
  t.is(unit.get('Service', 'RemainAfterExit'), 'yes');
  t.is(unit.get('Service', 'Environment'), 'BERTH_NETWORK_WAIT_SEC=90');
  t.is(unit.get('Install', 'WantedBy'), undefined, 'only the containers pull it in');
  t.is(argv(90)[0], '/bin/sh');
});

test('with network-online.target active it ends at once, saying nothing', async (t) => {
  const r = await run(5, stub(true, '', 'starting'));
  t.deepEqual([r.exitCode, r.stdout], [0, '']);
  t.true(r.ms < 2000);
});

test('on a system that finished starting with no job for network-online.target, it ends at once with one line', async (t) => {
  const r = await run(5, stub(false, '', 'running'));
  t.is(r.exitCode, 0);
  t.is(r.stdout, 'berth: the system finished starting and nothing is starting network-online.target; the containers start without waiting for it');
  t.true(r.ms < 2000);
});

test('while network-online.target is still being started, it waits the bound, then exits 0 with one line', async (t) => {
  for (const [jobs, system] of [['7 network-online.target start waiting\n', 'running'], ['', 'starting']] as const) {
    const r = await run(2, stub(false, jobs, system));
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stdout, 'berth: network-online.target is still not active after 2 s; the containers start without it');
    // The deadline is in whole seconds (date +%s): a wait of N s ends between N - 1 and N s (and a last 0.5 s sleep).
    t.true(r.ms >= 1000 && r.ms < 6000, `${r.ms} ms`);
  }
});
