/**
 * `berth doctor` on a real systemd system manager (systemd-nspawn, test/helpers/systemd-host.ts) with berth
 * installed as test/e2e/hello-nginx.test.ts installs it, plus the agent's unit, its D-Bus policy and
 * activation file, and the tmpfiles entry, as the RPM installs them.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';
import type { CheckResult } from '../../src/doctor/checks.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(`${REPO}${path}`, 'utf8');
/** The example with a [Checkpoint] section, without [Install]: defined, but nothing starts at boot. */
/** systemd-run looks its argv[0] up on the host, which has no /usr/bin/berth: run it through env. */
const BERTH = ['/usr/bin/env', '/usr/bin/berth'];
const CLOCK = read('examples/scheduled-checkpoints/clock.container').replace(/\[Install\][\s\S]*$/, '');

test.serial.before(() => requireSystemdHarness());

async function bootWithBerth(t: { teardown(fn: () => unknown): void }): Promise<SystemdHost> {
  return bootSystemdHost({
    t,
    files: {
      '/etc/berth/definitions/clock.container': CLOCK,
      '/etc/systemd/system/berth-agent.service': read('units/berth-agent.service'),
      '/usr/share/dbus-1/system.d/io.berth.Manager1.conf': read('packaging/dbus/io.berth.Manager1.conf'),
      '/usr/share/dbus-1/system-services/io.berth.Manager1.service': read('packaging/dbus/system-services/io.berth.Manager1.service'),
      '/usr/lib/tmpfiles.d/berth.conf': read('packaging/berth.tmpfiles'),
    },
    symlinks: {
      '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/local/lib/systemd/user-generators/berth': `${REPO}dist/berth-generator.cjs`,
      '/usr/bin/berth': `${REPO}dist/src/cli/main.js`,
    },
  });
}

test.serial('berth doctor reports every check and passes on the test host under systemd', async (t) => {
  const host = await bootWithBerth(t);
  const text = await host.run([...BERTH, 'doctor'], { timeoutMs: 120_000 });
  t.log(`\n${text.stdout}${text.stderr}`);
  t.is(text.exitCode, 0, text.stdout + text.stderr);

  const json = await host.run([...BERTH, 'doctor', '--json'], { timeoutMs: 120_000 });
  t.is(json.exitCode, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; checks: CheckResult[] };
  t.true(report.ok);
  t.deepEqual(report.checks.map((c) => c.id), ['podman', 'runtime', 'criu', 'cgroups', 'systemd', 'system-generator', 'user-generator', 'agent', 'definitions', 'quadlet', 'checkpoint-dir']);
  for (const c of report.checks) t.is(c.status, 'ok', `${c.id}: ${c.summary} ${c.fix ?? ''}`);
  const check = (id: string) => report.checks.find((c) => c.id === id)!;
  t.regex(check('criu').summary, /criu check says it looks good/);
  t.regex(check('systemd').summary, /^systemd \d+.* is PID 1$/);
  t.regex(check('agent').summary, /io\.berth\.Manager1 is (activatable|on the system bus)/);
  t.regex(check('checkpoint-dir').summary, /^\/var\/lib\/berth\/checkpoints: mode 0700, owned by root, .* free of .* \(used by clock\.container\)$/);
});

test.serial('with CRIU removed from PATH, berth doctor says checkpoints are unavailable, how to fix it, and exits non-zero', async (t) => {
  const host = await bootWithBerth(t);
  // /usr/local/sbin, where the test host's criu lives, is left out.
  const r = await host.run(['/usr/bin/env', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', '/usr/bin/berth', 'doctor'], { timeoutMs: 120_000 });
  t.log(`\n${r.stdout}${r.stderr}`);
  t.is(r.exitCode, 1);
  t.regex(r.stdout, /^FAIL +criu +criu is not on PATH: checkpoints are unavailable/m);
  t.regex(r.stdout, /^ +fix: install CRIU \(dnf install criu\), or add the folder that holds criu to PATH \(PATH is \/usr\/sbin:\/usr\/bin:\/sbin:\/bin\)$/m);
  t.regex(r.stdout, /^\d+ checks: \d+ ok, 0 warning\(s\), 1 failed$/m);
});
