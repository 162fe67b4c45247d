import test from 'ava';
import { DefinitionError } from '../../../src/errors.js';
import { importCompose } from '../../../src/import/compose/project.js';
import { compileOne } from '../../helpers/definitions.js';
import { execWords } from '../../helpers/systemd-reader.js';

const KITCHEN = `name: k
services:
  app:
    image: busybox
    entrypoint: /bin/sh -c
    command: ["echo $$HOME", "100%"]
    container_name: kitchen-app
    hostname: app.local
    user: "1000:1000"
    working_dir: /work
    read_only: true
    init: true
    tty: true
    stop_signal: SIGINT
    ports:
      - 80
      - "8000-8002:9000-9002"
      - "[::1]:5353:53/udp"
      - target: 443
        host_ip: 0.0.0.0
    expose: ["3000", 4000-4001/udp]
    volumes:
      - /var/log
      - ~/conf:/conf:ro,z
      - type: volume
        source: ext
        target: /ext
        read_only: true
        volume:
          nocopy: true
      - type: bind
        source: ./src
        target: /src
        bind:
          propagation: rshared
    tmpfs: /run
    extra_hosts:
      - "db.local:10.0.0.2"
      - "v6=::1"
    ulimits:
      nproc: 65535
      nofile:
        soft: 20000
        hard: 40000
    sysctls:
      net.core.somaxconn: 1024
    labels: [a=b, "c=d e"]
    devices: ["/dev/fuse"]
    dns: 1.1.1.1
    security_opt: [no-new-privileges, "label=type:svirt_apache_t"]
    cap_add: [NET_ADMIN]
    logging:
      driver: journald
      options:
        tag: kitchen
    pull_policy: always
    healthcheck:
      disable: true
      test: ["CMD", "never"]
    networks:
      outside:
  sidecar:
    image: busybox
    network_mode: "service:app"
    healthcheck:
      test: ["NONE"]
volumes:
  ext:
    external: true
    name: shared-data
networks:
  outside:
    external: true
`;

const imported = () => importCompose({ file: 'compose.yaml', dir: '/srv/k', text: KITCHEN, env: {}, home: '/home/u' });

function argvOf(fileName: string): readonly string[] {
  const { files } = imported();
  const file = files.find((f) => f.fileName === fileName)!;
  const others = Object.fromEntries(files.filter((f) => f !== file).map((f) => [f.fileName, f.text]));
  const { service, errors } = compileOne(fileName, file.text, { target: '5.4', others });
  if (errors.length > 0) throw new Error(`${errors.join('\n')}\n${file.text}`);
  // As systemd runs it: $$ and %% read back as $ and %.
  return execWords(service!.last('Service', 'ExecStart')!.value).commands[0]!.argv;
}

test('external networks and volumes get no definition and are named as they are', (t) => {
  t.deepEqual(imported().files.map((f) => f.fileName), ['k-app.container', 'k-sidecar.container']);
});

test("a service's settings reach podman run as compose means them", (t) => {
  const argv = argvOf('k-app.container');
  const line = argv.join(' ');
  for (const part of [
    '--name kitchen-app', '--entrypoint=["/bin/sh","-c"]', '--hostname app.local', '--user 1000:1000', '--workdir /work',
    '--read-only', '--init', '--stop-signal SIGINT', '--publish 80', '--publish 8000-8002:9000-9002', '--publish [::1]:5353:53/udp',
    '--publish 0.0.0.0::443', '--expose 3000', '--expose 4000-4001/udp', '-v /var/log', '-v /home/u/conf:/conf:ro,z',
    '-v shared-data:/ext:ro,nocopy', '-v /srv/k/src:/src:rshared', '--tmpfs /run', '--add-host db.local:10.0.0.2', '--add-host v6:::1',
    '--ulimit nproc=65535', '--ulimit nofile=20000:40000', '--sysctl net.core.somaxconn=1024', '--label a=b', '--label c=d e',
    '--device /dev/fuse', '--dns 1.1.1.1', '--security-opt=no-new-privileges', '--security-opt label=type:svirt_apache_t',
    '--cap-add net_admin', '--log-driver journald', '--log-opt tag=kitchen', '--pull always', '--health-cmd none', '--network outside:alias=app',
  ]) t.true(line.includes(part), `${part}\n${line}`);
  t.false(line.includes('never'));
  t.false(line.includes('--tty'));
  t.deepEqual(argv.slice(-3), ['busybox', 'echo $HOME', '100%']);
});

test("network_mode service:NAME joins that service's container through its definition", (t) => {
  const argv = argvOf('k-sidecar.container');
  t.is(argv[argv.indexOf('--network') + 1], 'container:kitchen-app');
  t.is(argv[argv.indexOf('--health-cmd') + 1], 'none');
});

test('a value of the wrong shape refuses the file at its line, as compose does', (t) => {
  const bad = (text: string) => t.throws(() => importCompose({ file: 'c.yaml', dir: '/srv/x', text, env: {} }), { instanceOf: DefinitionError });
  t.is(bad('services:\n  a:\n    image: busybox\n    ports: "80"\n')?.message, 'c.yaml:4:12: services.a.ports: a list is expected here');
  t.is(bad('services:\n  a:\n    image: busybox\n    ports: ["eighty"]\n')?.message, 'c.yaml:4:13: services.a.ports[0]: "eighty" is no port mapping ([IP:][HOST:]CONTAINER[/PROTOCOL])');
  t.is(bad('services:\n  a:\n    image: busybox\n    volumes: ["data:/d"]\n')?.message, 'c.yaml:4:15: services.a.volumes[0]: the volume "data" is not declared in the top-level volumes:');
  t.is(bad('services:\n  a:\n    image: busybox\n    depends_on: [b]\n')?.message, 'c.yaml:4:18: services.a.depends_on[0]: no service "b" in this file');
  t.is(bad('services:\n  a:\n    image: busybox\n    restart: sometimes\n')?.message, 'c.yaml:4:14: services.a.restart: restart: no, always, on-failure[:N] or unless-stopped');
  t.regex(bad('services:\n  a: [\n')!.message, /^c\.yaml:\d+:\d+: not a YAML file compose can read/);
});

test('depends_on required: false is Wants=, and the list form Requires=', (t) => {
  const { files } = importCompose({ file: 'c.yaml', dir: '/srv/x', env: {}, text: 'services:\n  a:\n    image: busybox\n    depends_on:\n      b:\n        condition: service_started\n        required: false\n  b:\n    image: busybox\n  c:\n    image: busybox\n    depends_on: [a, b]\n' });
  t.true(files.find((f) => f.fileName === 'x-a.container')!.text.includes('[Unit]\nDescription=a of compose project x\nWants=x-b.service\nAfter=x-b.service\n'));
  t.true(files.find((f) => f.fileName === 'x-c.container')!.text.includes('Requires=x-a.service\nAfter=x-a.service\nRequires=x-b.service\nAfter=x-b.service\n'));
});
