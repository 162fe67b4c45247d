import test from 'ava';
import type { InspectedContainer } from '../../src/engine/inspected.js';
import { UsageError } from '../../src/errors.js';
import { baselineArgs, importInspected, runLineOf } from '../../src/import/inspect.js';

/** A container as podman 4.3 shows one made with no options from an image whose command is /bin/sh. */
function container(over: { Config?: object; HostConfig?: object } & Partial<Omit<InspectedContainer, 'Config' | 'HostConfig'>> = {}): InspectedContainer {
  const { Config, HostConfig, ...rest } = over;
  return {
    Id: 'a71c5f367ca79fe193c3b25dabf386f9de6db503f2d778af97ac0a717a8a5d83',
    Name: 'web',
    ImageName: 'localhost/busybox:latest',
    Image: '0ff55b60cf7c',
    Path: '/bin/sh',
    Args: ['/bin/sh'],
    Config: { Hostname: 'a71c5f367ca7', Env: ['PATH=/bin', 'container=podman', 'HOSTNAME=a71c5f367ca7'], Cmd: ['/bin/sh'], Entrypoint: '', Labels: null, StopSignal: 15, ...Config },
    HostConfig: { NetworkMode: 'bridge', CapDrop: ['CAP_MKNOD', 'CAP_NET_RAW'], CapAdd: [], Tmpfs: {}, ...HostConfig },
    Mounts: [],
    NetworkSettings: { Networks: { podman: { Aliases: ['a71c5f367ca7'] } } },
    ...rest,
  };
}
const BASE = container({ Id: 'd79dffaa1297d79dffaa1297d79dffaa1297d79dffaa1297d79dffaa12970000', Name: 'baseline', Config: { Hostname: 'd79dffaa1297', Env: ['PATH=/bin', 'container=podman', 'HOSTNAME=d79dffaa1297'] } });

test('a container with no options of its own is its image and its name', (t) => {
  t.deepEqual(runLineOf(container(), BASE), { argv: ['--name', 'web', 'localhost/busybox:latest'], notes: [], warnings: [] });
});

test("what podman fills in itself is left out, and what differs from a new container of the image is written", (t) => {
  const c = container({
    Config: { Env: ['PATH=/usr/bin', 'container=podman', 'A=1', 'HOSTNAME=a71c5f367ca7'], Labels: { app: 'web' }, StopSignal: 2, User: '1000' },
    HostConfig: { CapDrop: ['CAP_MKNOD', 'CAP_NET_RAW', 'CAP_CHOWN'], CapAdd: ['CAP_NET_ADMIN'], PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '::1', HostPort: '53' }] }, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } },
  });
  const { argv, warnings } = runLineOf(c, BASE);
  t.deepEqual(argv, [
    '--name', 'web', '--env', 'PATH=/usr/bin', '--env', 'A=1', '--label', 'app=web', '--user', '1000', '--stop-signal', 'SIGINT',
    '--publish', '8080:80', '--publish', '[::1]:53:53/udp', '--restart', 'always', '--cap-add', 'NET_ADMIN', '--cap-drop', 'CHOWN',
    'localhost/busybox:latest',
  ]);
  t.deepEqual(warnings, []);
});

test("podman 4's entrypoint, joined by spaces, is split again from the container's process and its command", (t) => {
  const c = container({ Path: '/run/podman-init', Args: ['--', '/bin/sh', '-c', 'echo hi'], Config: { Entrypoint: '/bin/sh -c', Cmd: ['echo hi'] }, HostConfig: { Init: true } });
  t.deepEqual(runLineOf(c, BASE).argv, ['--name', 'web', '--init', '--entrypoint', '["/bin/sh","-c"]', 'localhost/busybox:latest', 'echo hi']);
});

test('a setting podman does not show, or a field this reader does not know, is reported rather than lost', (t) => {
  const c = container({
    Config: { CreateCommand: ['podman', 'run', '-d', '--sysctl', 'net.ipv4.ip_forward=1', '--expose=80', '--env-file', '/x.env', 'img'], Marvel: 'x' },
  });
  const { warnings } = runLineOf(c, BASE);
  t.deepEqual(warnings, [
    'Config.Marvel is "x" (a new container has null): berth import cannot read it back; add it by hand',
    "the container was created with --sysctl net.ipv4.ip_forward=1, which podman's inspect does not show: add it by hand if it matters",
    "the container was created with --expose 80, which podman's inspect does not show: add it by hand if it matters",
  ]);
});

test('the tmpfs of --read-only are the baseline\'s, and a tmpfs of its own keeps only the options asked for', (t) => {
  const ro = { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,rprivate,nosuid,nodev,tmpcopyup' } };
  const c = container({ HostConfig: { ...ro, Tmpfs: { ...ro.Tmpfs, '/run': 'rw,size=16m,rprivate,nosuid,nodev,tmpcopyup' } } });
  const base = container({ ...BASE, HostConfig: ro });
  t.deepEqual(baselineArgs(c), ['--read-only', '0ff55b60cf7c']);
  t.deepEqual(runLineOf(c, base).argv, ['--name', 'web', '--tmpfs', '/run:size=16m', '--read-only', 'localhost/busybox:latest']);
});

test('the definition names where it was read from; a container in a pod is refused', (t) => {
  const { text, fileName } = importInspected(container({ Config: { Tty: true } }), BASE);
  t.is(fileName, 'web.container');
  t.regex(text, /^# Read from podman container inspect of web \(a71c5f367ca7\)\.$/m);
  t.regex(text, /^# --tty dropped: no terminal under systemd$/m);
  t.throws(() => runLineOf(container({ Pod: 'abc' }), BASE), { instanceOf: UsageError, message: /is in a pod/ });
});
