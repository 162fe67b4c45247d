import test from 'ava';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';


function compile(text: string, opts: CompileOptions = {}) {
  const c = compileOne('app.pod', text, opts);
  return { ...c, pre: c.argvOf('ExecStartPre'), argv: c.argvOf };
}


const includesRun = (argv: readonly string[], ...run: string[]): boolean => argv.join('\0').includes(run.join('\0'));

test('a minimal pod is created, started, stopped and removed as Quadlet does it', (t) => {
  const { pre, argv, service, errors } = compile('[Pod]\n');
  t.deepEqual(errors, []);
  t.deepEqual(pre, [
    '/usr/bin/podman', 'pod', 'create', '--infra-conmon-pidfile=%t/%N.pid', '--replace', '--exit-policy', 'stop',
    '--infra-name', 'systemd-app-infra', '--name', 'systemd-app',
  ]);
  t.deepEqual(argv('ExecStart'), ['/usr/bin/podman', 'pod', 'start', 'systemd-app']);
  t.deepEqual(argv('ExecStop'), ['/usr/bin/podman', 'pod', 'stop', '--ignore', '--time=10', 'systemd-app']);
  t.deepEqual(argv('ExecStopPost'), ['/usr/bin/podman', 'pod', 'rm', '--ignore', '--force', 'systemd-app']);
  t.is(service!.get('Service', 'Type'), 'forking');
  t.is(service!.get('Service', 'PIDFile'), '%t/%N.pid');
  t.is(service!.get('Service', 'Restart'), 'on-failure');
  t.is(service!.get('Service', 'Environment'), 'PODMAN_SYSTEMD_UNIT=%n');
  t.true(service!.hasSection('X-Pod'));
  t.false(service!.hasSection('Pod'));
});

test('pod keys become their pod create flags, the name and raw args last', (t) => {
  const { pre, argv, errors, service } = compile(`[Pod]
PodName=web
StopTimeout=30
ExitPolicy=continue
UserNS=keep-id
PublishPort=8080:80
Label=tier=front app=web
Network=host
IP=10.88.0.5
ShmSize=64m
DNS=9.9.9.9
DNSOption=ndots:2
HostName=one
HostName=two
Volume=./data:/data:Z
PodmanArgs=--cpus 2
GlobalArgs=--log-level=debug
[Service]
Restart=always
`);
  t.deepEqual(errors, []);
  t.deepEqual(pre.slice(0, 4), ['/usr/bin/podman', '--log-level=debug', 'pod', 'create']);
  t.true(includesRun(pre, '--exit-policy', 'continue', '--userns', 'keep-id', '--publish', '8080:80', '--label', 'app=web', '--label', 'tier=front', '--network', 'host'));
  t.true(includesRun(pre, '--dns', '9.9.9.9', '--dns-option', 'ndots:2'));
  t.true(includesRun(pre, '--ip', '10.88.0.5'));
  t.true(includesRun(pre, '--shm-size', '64m'));
  t.true(includesRun(pre, '--hostname', 'one', '--hostname', 'two'));
  t.true(includesRun(pre, '-v', '/etc/berth/definitions/data:/data:Z', '--infra-name', 'web-infra', '--name', 'web', '--cpus', '2'));
  t.deepEqual(argv('ExecStop').slice(-3), ['--ignore', '--time=30', 'web']);
  t.is(service!.get('Service', 'Restart'), 'always');
});

test('a referenced network or volume becomes its podman name and a dependency on its service', (t) => {
  const { pre, service, errors } = compile('[Pod]\nNetwork=front.network\nVolume=data.volume:/data\n', {
    others: { 'front.network': '[Network]\n', 'data.volume': '[Volume]\n' },
  });
  t.deepEqual(errors, []);
  t.true(includesRun(pre, '--network', 'systemd-front'));
  t.true(includesRun(pre, '-v', 'systemd-data:/data'));
  const requires = service!.list('Unit', 'Requires').map((e) => e.value);
  t.true(requires.includes('front-network.service') && requires.includes('data-volume.service'), requires.join(' '));
});

test('the pod wants and starts before its containers, but not templates or StartWithPod=no', (t) => {
  const { service, errors } = compile('[Pod]\n', {
    others: {
      'web.container': '[Container]\nImage=img\nPod=app.pod\n',
      'cron.container': '[Container]\nImage=img\nPod=app.pod\nStartWithPod=no\n',
      'worker@.container': '[Container]\nImage=img\nPod=app.pod\n',
    },
  });
  t.deepEqual(errors, []);
  t.deepEqual(service!.list('Unit', 'Wants').map((e) => e.value), ['network-online.target', 'web.service']);
  t.deepEqual(service!.list('Unit', 'Before').map((e) => e.value), ['web.service']);
});

test('every problem in a pod is reported with file, line and key', (t) => {
  const { errors, result } = compile('[Pod]\nBogus=1\nExitPolicy=sometimes\nStopTimeout=soon\nRemapUsers=sideways\n');
  t.is(result.units.length, 0);
  t.deepEqual(errors, [
    '/etc/berth/definitions/app.pod:2:1: Bogus: unknown key in [Pod]',
    '/etc/berth/definitions/app.pod:4:1: StopTimeout: "soon" is not a number of seconds',
    '/etc/berth/definitions/app.pod:3:1: ExitPolicy: "sometimes" is not an exit policy (continue, stop)',
    '/etc/berth/definitions/app.pod:5:1: RemapUsers: "sideways" is not a RemapUsers mode (manual, auto, keep-id)',
  ]);
});

test('RemapUsers=manual maps ids one by one in a pod', (t) => {
  const { pre, errors } = compile('[Pod]\nRemapUsers=manual\nRemapUid=0:10000:10\nRemapGid=0:10000:10\n');
  t.deepEqual(errors, []);
  t.true(includesRun(pre, '--uidmap', '0:10000:10', '--gidmap', '0:10000:10'));
});

test('on podman before 4.2 a pod has no exit policy: left out by default, refused when asked for', (t) => {
  const old = compile('[Pod]\n', { target: '4.1' });
  t.deepEqual(old.errors, []);
  t.false(old.pre.includes('--exit-policy'));
  t.regex(compile('[Pod]\nExitPolicy=stop\n', { target: '4.1' }).errors[0]!, /app\.pod:2:1: ExitPolicy: needs podman 4\.2 or newer \(pod create --exit-policy\)/);
  t.regex(compile('[Pod]\nShmSize=64m\n', { target: '4.1' }).errors[0]!, /ShmSize: needs podman 4\.2 or newer/);
});

test('DNSOption is spelled --dns-opt for podman before 4.3', (t) => {
  t.true(includesRun(compile('[Pod]\nDNSOption=ndots:2\n', { target: '4.2' }).pre, '--dns-opt', 'ndots:2'));
  t.true(includesRun(compile('[Pod]\nDNSOption=ndots:2\n', { target: '4.3' }).pre, '--dns-option', 'ndots:2'));
});

test('user namespace, network and stop timeout values are gated by the version that brought them', (t) => {
  // keep-id for rootful podman arrived in 4.5; user units could use it before.
  t.regex(compile('[Pod]\nRemapUsers=keep-id\n', { target: '4.4' }).errors[0] ?? '', /app\.pod:2:1: RemapUsers: needs podman 4\.5 or newer/);
  t.deepEqual(compile('[Pod]\nRemapUsers=keep-id\n', { target: '4.4', user: true }).errors, []);
  t.regex(compile('[Pod]\nUserNS=keep-id:uid=1000\n', { target: '4.2', user: true }).errors[0] ?? '', /UserNS: needs podman 4\.3 or newer/);
  t.regex(compile('[Pod]\nNetwork=pasta\n', { target: '4.3' }).errors[0] ?? '', /Network: needs podman 4\.4 or newer/);
  t.deepEqual(compile('[Pod]\nNetwork=pasta\n', { target: '4.4' }).errors, []);
  // pod stop --time takes a negative number (wait forever) from 4.7 on.
  t.regex(compile('[Pod]\nStopTimeout=-1\n', { target: '4.6' }).errors[0] ?? '', /app\.pod:2:1: StopTimeout: needs podman 4\.7 or newer/);
  t.deepEqual(compile('[Pod]\nStopTimeout=-1\n', { target: '4.7' }).errors, []);
});
