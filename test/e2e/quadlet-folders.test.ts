/**
 * Quadlet's folders on a real systemd system manager (systemd-nspawn) with the test host's podman 4.3, which
 * has no Quadlet: a file written for Quadlet in /etc/containers/systemd becomes a running unit through
 * berth; with a podman-system-generator link present (a stand-in that writes nothing), berth leaves that
 * folder to it, and `berth doctor` names a definition both would compile.
 */
import test from 'ava';
import { bootSystemdHost, requireSystemdHarness } from '../helpers/systemd-host.js';
import type { CheckResult } from '../../src/doctor/checks.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const GENERATOR = `${REPO}dist/berth-generator.cjs`;
const BERTH_LINK = '/usr/local/lib/systemd/system-generators/berth';
const PODMAN_LINK = '/usr/local/lib/systemd/system-generators/podman-system-generator';
const QUADLET_FILE = '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n\n[Install]\nWantedBy=multi-user.target\n';

test.serial.before(() => requireSystemdHarness());

test.serial('without podman\'s Quadlet, a Quadlet file in /etc/containers/systemd runs through berth', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: {
      '/etc/containers/systemd/quadlet-web.container': QUADLET_FILE,
      // [Checkpoint] is berth's: refused in Quadlet's folders, which podman's own Quadlet takes over at an upgrade.
      '/etc/containers/systemd/clock.container': `${QUADLET_FILE}\n[Checkpoint]\nKeep=2\n`,
    },
    symlinks: { [BERTH_LINK]: GENERATOR, '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
  // The host's podman 4.3 brings no generator of its own.
  t.not((await host.run(['/usr/bin/test', '-e', '/usr/lib/systemd/system-generators/podman-system-generator'])).exitCode, 0);
  t.is((await host.systemctl('is-active', 'quadlet-web.service')).stdout.trim(), 'active', await host.journal('quadlet-web.service'));
  t.regex(await host.runOk(['/usr/bin/cat', '/run/systemd/generator/quadlet-web.service']), /\/etc\/containers\/systemd\/quadlet-web\.container/);

  t.not((await host.run(['/usr/bin/test', '-e', '/run/systemd/generator/clock.service'])).exitCode, 0);
  t.regex(host.kmsg(), /"clock\.container": a \[Checkpoint\] section is read only in berth's own folders .*: move this file to \/etc\/berth\/definitions \(at \/etc\/containers\/systemd\/clock\.container:8\)/);

  const json = await host.run(['/usr/bin/env', '/usr/bin/berth', 'doctor', '--json'], { timeoutMs: 120_000 });
  const quadlet = (JSON.parse(json.stdout) as { checks: CheckResult[] }).checks.find((c) => c.id === 'quadlet')!;
  t.is(quadlet.status, 'ok');
  t.regex(quadlet.summary, /^podman has no Quadlet generator here: berth also reads \/run\/containers\/systemd, \/etc\/containers\/systemd/);
});

test.serial('with a podman-system-generator link, berth leaves Quadlet\'s folders alone, and doctor and list name the overlap', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: {
      '/etc/containers/systemd/quadlet-web.container': QUADLET_FILE,
      '/etc/containers/systemd/both.container': QUADLET_FILE,
      '/etc/berth/definitions/both.container': QUADLET_FILE,
      '/usr/local/libexec/fake-quadlet': '#!/bin/sh\nexit 0\n',
    },
    symlinks: { [BERTH_LINK]: GENERATOR, [PODMAN_LINK]: '/usr/local/libexec/fake-quadlet', '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
  t.not((await host.run(['/usr/bin/test', '-e', '/run/systemd/generator/quadlet-web.service'])).exitCode, 0);
  t.not((await host.systemctl('is-active', 'quadlet-web.service')).stdout.trim(), 'active');
  // berth's own folder still works.
  t.is((await host.systemctl('is-active', 'both.service')).stdout.trim(), 'active', await host.journal('both.service'));

  const json = await host.run(['/usr/bin/env', '/usr/bin/berth', 'doctor', '--json'], { timeoutMs: 120_000 });
  const quadlet = (JSON.parse(json.stdout) as { checks: CheckResult[] }).checks.find((c) => c.id === 'quadlet')!;
  t.is(quadlet.status, 'warn', quadlet.summary);
  t.regex(quadlet.summary, /both write this unit: both\.service \(\/etc\/berth\/definitions\/both\.container and \/etc\/containers\/systemd\/both\.container\)/);
  t.log(quadlet.summary);

  // berth list says it too, in its table and its JSON.
  const list = await host.run(['/usr/bin/env', '/usr/bin/berth', 'list'], { timeoutMs: 60_000 });
  t.regex(list.stdout, /^  podman's Quadlet also makes both\.service from \/etc\/containers\/systemd\/both\.container: keep one of the two$/m, list.stdout + list.stderr);
  const rows = JSON.parse((await host.run(['/usr/bin/env', '/usr/bin/berth', 'list', '--json'], { timeoutMs: 60_000 })).stdout) as Array<{ name: string; quadlet: string | null }>;
  t.is(rows.find((r) => r.name === 'both.container')?.quadlet, '/etc/containers/systemd/both.container');
});
