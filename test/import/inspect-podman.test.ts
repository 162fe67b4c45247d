/**
 * `berth import --container` against this host's podman: containers made by `podman create` with the
 * options the issue names are imported, the definitions compiled for this podman, and a container made from
 * the compiled command line must be the same as the original in everything podman's inspect shows.
 */
import test from 'ava';
import { execa } from 'execa';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importContainer } from '../../src/cli/import-command.js';
import { Podman } from '../../src/engine/podman.js';
import type { InspectedContainer } from '../../src/engine/inspected.js';
import { parseArgv } from '../../src/import/argv.js';
import { RUN_FLAGS } from '../../src/import/run-flags.js';
import { compileOne } from '../helpers/definitions.js';

const podman = new Podman('/usr/bin/podman');
const IMAGE = 'localhost/busybox:latest';

/** What `podman create` is given (after `create --name NAME`), and the Restart= the unit must have. */
const CASES: ReadonlyArray<{ title: string; argv: readonly string[]; restart?: string }> = [
  {
    title: "the issue's seed line",
    argv: ['-t', '-p', '8081:80/tcp', '-v', '/tmp:/usr/share/nginx/html:ro', IMAGE, 'httpd', '-f', '-p', '80'],
  },
  {
    title: 'ports, mounts, tmpfs, environment, labels, restart policy, health check, user and capabilities',
    argv: [
      '-p', '127.0.0.1:9000:9000/udp', '-p', '8089:80', '-v', '/srv:/data:ro,z', '--tmpfs', '/run:rw,size=16m,mode=1777',
      '-e', 'FOO=bar', '-e', 'X=a b', '-e', 'PATH=/bin', '--label', 'app=web', '--restart', 'on-failure:3',
      '--health-cmd', 'wget -q -O- localhost || exit 1', '--health-interval', '45s', '--health-retries', '4',
      '--health-start-period', '5s', '--user', '1000:1000', '--cap-add', 'NET_ADMIN', '--cap-drop', 'CHOWN', '-w', '/tmp',
      '--hostname', 'hh', '--stop-signal', 'SIGINT', '--init', '--read-only', '--memory', '64m', '--pids-limit', '50',
      IMAGE, '-c', 'httpd -f -p 80',
    ],
    restart: 'on-failure',
  },
  {
    title: 'named volumes, devices, DNS, hosts, ulimits, security options, groups, limits and annotations',
    argv: [
      '-v', 'berth-import-test:/v', '-v', '/srv:/srv:Z,shared', '--device', '/dev/fuse', '--dns', '9.9.9.9', '--dns-search', 'example.com',
      '--add-host', 'db:10.0.0.2', '--ulimit', 'nofile=2048:4096', '--security-opt', 'label=disable', '--security-opt', 'no-new-privileges',
      '--group-add', '10', '--shm-size', '128m', '--cpus', '1.5', '--annotation', 'a=b', '--tz', 'UTC', '--stop-timeout', '20',
      '--restart', 'always', '--entrypoint', '["/bin/sh","-c"]', IMAGE, 'sleep 1000',
    ],
    restart: 'always',
  },
  {
    title: "the host's network and namespaces, privileged",
    argv: ['--network', 'host', '--privileged', '--pid', 'host', '--ipc', 'host', '--restart', 'unless-stopped', IMAGE, 'sleep', '1000'],
    restart: 'always',
  },
];

/** Flags berth's unit adds to every podman run: not the container's own. */
const UNIT_FLAGS = new Set(['--cidfile', '--replace', '--rm', '--detach', '--sdnotify', '--cgroups', '--name']);

/** The compiled ExecStart's options and arguments, without the unit's own flags, as a `podman create` argv. */
function createArgv(execStart: readonly string[]): string[] {
  const { options, positionals } = parseArgv(RUN_FLAGS, execStart.slice(execStart.indexOf('run') + 1));
  const kept = options.filter((o) => !UNIT_FLAGS.has(o.flag) && !(o.flag === '--label' && o.value.startsWith('PODMAN_SYSTEMD_UNIT=')));
  return [...kept.map((o) => `${o.flag}=${o.value}`), ...positionals];
}

/** What inspect shows of a container that its options decide (no IDs, names, paths, or what the unit sets). */
function meaning(c: InspectedContainer): Record<string, unknown> {
  const id = c.Id.slice(0, 12);
  const config = { ...c.Config } as Record<string, unknown>;
  const host = { ...c.HostConfig } as Record<string, unknown>;
  // A terminal is dropped on purpose (no terminal under systemd), with a note.
  for (const k of ['CreateCommand', 'sdNotifyMode', 'sdNotifySocket', 'Tty', 'OpenStdin']) delete config[k];
  for (const k of ['ContainerIDFile', 'AutoRemove', 'Cgroups', 'RestartPolicy']) delete host[k];
  if (config.Hostname === id) delete config.Hostname;
  config.Env = (config.Env as string[]).filter((e) => !e.startsWith('HOSTNAME=')).sort();
  config.Labels = Object.fromEntries(Object.entries((config.Labels ?? {}) as Record<string, string>).filter(([k]) => k !== 'PODMAN_SYSTEMD_UNIT'));
  config.Annotations = Object.fromEntries(Object.entries((config.Annotations ?? {}) as Record<string, string>).filter(([k]) => k !== 'io.podman.annotations.autoremove' && k !== 'io.kubernetes.cri-o.TTY'));
  host.LogConfig = { ...(host.LogConfig as object), Path: undefined };
  // Options in another order mean the same.
  host.Tmpfs = Object.fromEntries(Object.entries((host.Tmpfs ?? {}) as Record<string, string>).map(([k, v]) => [k, v.split(',').sort().join(',')]));
  const mounts = (c.Mounts ?? []).map((m) => ({ ...m, Source: m.Type === 'volume' ? undefined : m.Source })).sort((a, b) => a.Destination.localeCompare(b.Destination));
  return { config, host, mounts, networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort(), image: c.ImageName };
}

test.before(async () => {
  // podman 4.3's volume create has no --ignore.
  if ((await podman.probe(['volume', 'exists', 'berth-import-test'], 10_000)).exitCode !== 0) await podman.run(['volume', 'create', 'berth-import-test']);
});

CASES.forEach(({ title, argv, restart }, i) => {
  test.serial(`a container made with ${title} is imported into a definition that makes the same container`, async (t) => {
    const [original, copy] = [`berth-import-${i}-${process.pid}`, `berth-import-${i}-${process.pid}-again`];
    t.teardown(async () => {
      await podman.remove(original);
      await podman.remove(copy);
    });
    await podman.run(['create', '--name', original, ...argv]);
    const imported = await importContainer(podman, original);
    t.log(imported.text, imported.warnings);
    t.deepEqual(imported.warnings.filter((w) => !/PodmanArgs=|without its count/.test(w)), []);
    if (argv.includes('-t')) t.regex(imported.text, /^# --tty dropped: no terminal under systemd$/m);

    const { service, errors } = compileOne(imported.fileName, imported.text, { target: (await podman.version()).replace(/-.*/, '') });
    t.deepEqual(errors, []);
    t.is(service?.last('Service', 'Restart')?.value, restart);
    const exec = compileOne(imported.fileName, imported.text, { target: (await podman.version()).replace(/-.*/, '') }).argv;
    await podman.run(['create', '--name', copy, ...createArgv(exec)]);
    const [a, b] = [await podman.inspectJson(original), await podman.inspectJson(copy)];
    t.deepEqual(meaning(b!), meaning(a!));
  });
});

/** POSTs JSON to podman's REST API on a unix socket; returns the status code and body. */
function post(socket: string, path: string, body: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request({ socketPath: socket, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test.serial('a container made through the API, which has no CreateCommand, is imported from what inspect shows', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-api-'));
  const socket = join(dir, 'podman.sock');
  const service = execa('/usr/bin/podman', ['system', 'service', '--time=0', `unix://${socket}`], { reject: false });
  const [original, copy] = [`berth-import-api-${process.pid}`, `berth-import-api-${process.pid}-again`];
  t.teardown(async () => {
    service.kill();
    await podman.remove(original);
    await podman.remove(copy);
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100 && !(await stat(socket).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  const made = await post(socket, '/v4.0.0/libpod/containers/create', {
    name: original, image: IMAGE, command: ['httpd', '-f', '-p', '80'], env: { GREETING: 'from the API' },
    portmappings: [{ container_port: 80, host_port: 8095 }], labels: { app: 'api' }, work_dir: '/tmp',
  });
  t.is(made.status, 201, made.body);
  const inspected = await podman.inspectJson(original);
  t.falsy(inspected?.Config.CreateCommand);

  const imported = await importContainer(podman, original);
  t.deepEqual(imported.warnings, []);
  for (const line of ['PublishPort=8095:80', 'Environment="GREETING=from the API"', 'Label=app=api', 'WorkingDir=/tmp', 'Exec=httpd -f -p 80']) {
    t.true(imported.text.split('\n').includes(line), `${line} in\n${imported.text}`);
  }
  const exec = compileOne(imported.fileName, imported.text, { target: (await podman.version()).replace(/-.*/, '') }).argv;
  await podman.run(['create', '--name', copy, ...createArgv(exec)]);
  t.deepEqual(meaning((await podman.inspectJson(copy))!), meaning(inspected!));
});

test.serial('a container that does not exist is a usage error naming it', async (t) => {
  await t.throwsAsync(importContainer(podman, 'berth-no-such-container'), { message: /no container berth-no-such-container/ });
});
