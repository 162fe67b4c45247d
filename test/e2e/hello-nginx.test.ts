/**
 * End to end, on a real systemd system manager (systemd-nspawn) with real podman: berth installed as a
 * system generator, definitions in /etc/berth/definitions, units generated at boot and at daemon-reload.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const GENERATOR = `${REPO}dist/berth-generator.cjs`;
const EXAMPLE = `${REPO}examples/hello-nginx`;
const DEFS = '/etc/berth/definitions';
const GENERATOR_LINK = '/usr/local/lib/systemd/system-generators/berth';

// Each test boots its own manager; they run one after the other (one nspawn host per calling cgroup).
test.serial.before(() => requireSystemdHarness());

async function httpGet(host: SystemdHost, url: string): Promise<string> {
  // Retry briefly: the unit is active as soon as conmon reports, httpd may take a moment to listen.
  let last = '';
  for (let i = 0; i < 20; i++) {
    const r = await host.run(['/bin/busybox', 'wget', '-q', '-O', '-', url]);
    if (r.exitCode === 0) return r.stdout;
    last = r.stderr;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`GET ${url} failed: ${last}`);
}

async function containerNames(host: SystemdHost): Promise<string[]> {
  const out = await host.runOk(['/usr/bin/podman', 'ps', '-a', '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean);
}

test.serial('hello-nginx starts at boot, serves its bind-mounted page, and stops and starts under systemctl', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: {
      [`${DEFS}/hello-nginx.container`]: readFileSync(`${EXAMPLE}/hello-nginx.container`, 'utf8'),
      [`${DEFS}/www/index.html`]: readFileSync(`${EXAMPLE}/www/index.html`, 'utf8'),
    },
    symlinks: { [GENERATOR_LINK]: GENERATOR },
  });
  t.log(`booted in ${host.bootMs} ms (${host.bootState})`);

  // Started at boot because the generator turned WantedBy=multi-user.target into a .wants symlink.
  const wants = await host.run(['/usr/bin/readlink', '/run/systemd/generator/multi-user.target.wants/hello-nginx.service']);
  t.is(wants.stdout.trim(), '../hello-nginx.service');
  const active = await host.systemctl('is-active', 'hello-nginx.service');
  t.is(active.stdout.trim(), 'active', await host.journal('hello-nginx.service'));

  t.regex(await httpGet(host, 'http://127.0.0.1:8081/'), /hello from berth/);
  t.deepEqual(await containerNames(host), ['hello-nginx']);

  // The page folder is mounted read-only, and /tmp is a tmpfs.
  const write = await host.run(['/usr/bin/podman', 'exec', 'hello-nginx', 'touch', '/www/x']);
  t.not(write.exitCode, 0);
  t.regex(await host.runOk(['/usr/bin/podman', 'exec', 'hello-nginx', 'grep', ' /tmp ', '/proc/mounts']), /^tmpfs \/tmp tmpfs/);

  t.is((await host.systemctl('stop', 'hello-nginx.service')).exitCode, 0);
  t.is((await host.systemctl('is-active', 'hello-nginx.service')).stdout.trim(), 'inactive');
  t.deepEqual(await containerNames(host), []);

  t.is((await host.systemctl('start', 'hello-nginx.service')).exitCode, 0);
  t.is((await host.systemctl('is-active', 'hello-nginx.service')).stdout.trim(), 'active');
  t.regex(await httpGet(host, 'http://127.0.0.1:8081/'), /hello from berth/);
});

test.serial('a broken definition is logged with file and line while the good one beside it still starts', async (t) => {
  const good = '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n[Install]\nWantedBy=multi-user.target\n';
  const host = await bootSystemdHost({
    t,
    files: {
      [`${DEFS}/good.container`]: good,
      [`${DEFS}/broken.container`]: '[Container]\nImage=localhost/busybox:latest\nPublishPort 8080:80\n[Install]\nWantedBy=multi-user.target\n',
      [`${DEFS}/unknown-key.container`]: '[Container]\nImage=localhost/busybox:latest\nPublishPorts=8080:80\n',
    },
    symlinks: { [GENERATOR_LINK]: GENERATOR },
  });
  t.is((await host.systemctl('is-active', 'good.service')).stdout.trim(), 'active', await host.journal('good.service'));
  const log = host.kmsg();
  t.regex(log, /berth-generator\[\d+\]: converting "broken\.container": "PublishPort 8080:80" is not a key=value assignment, section header or comment \(at \/etc\/berth\/definitions\/broken\.container:3:1\)/);
  t.regex(log, /converting "unknown-key\.container": unknown key in \[Container\] \(at \/etc\/berth\/definitions\/unknown-key\.container:3:1, key PublishPorts\)/);
  // berth wrote no unit for either: systemd finds none (a unit it found but could not load would say so).
  for (const refused of ['broken.service', 'unknown-key.service']) {
    t.is((await host.systemctl('show', '--property=LoadState', '--value', refused)).stdout.trim(), 'not-found', refused);
  }

  // A definition added later appears at the next daemon-reload.
  await host.writeFile(`${DEFS}/later.container`, '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n');
  await host.daemonReload();
  t.is((await host.systemctl('start', 'later.service')).exitCode, 0);
  t.is((await host.systemctl('is-active', 'later.service')).stdout.trim(), 'active');
  t.deepEqual((await containerNames(host)).sort(), ['systemd-good', 'systemd-later']);
});
