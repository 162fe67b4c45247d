import test from 'ava';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';


const compile = (text: string, opts: CompileOptions = {}) => compileOne('web.container', text, opts);


test('a minimal container runs podman with Quadlet\'s defaults', (t) => {
  const { argv, service } = compile('[Container]\nImage=localhost/busybox\n');
  t.deepEqual(argv.slice(0, 8), ['/usr/bin/podman', 'run', '--name', 'systemd-%N', '--replace', '--rm', '--cgroups=split', '--sdnotify=conmon']);
  t.is(argv.at(-1), 'localhost/busybox');
  t.is(service!.get('Service', 'Type'), 'notify');
  t.is(service!.get('Service', 'KillMode'), 'mixed');
  t.is(service!.get('Unit', 'SourcePath'), '/etc/berth/definitions/web.container');
  t.true(service!.hasSection('X-Container'));
  t.false(service!.hasSection('Container'));
});

test('day-to-day keys become their podman flags', (t) => {
  const { argv, errors } = compile(`[Container]
Image=img
Exec=/bin/sh -c "echo hi"
Environment=A=1 "B=two words"
EnvironmentFile=env/web.env
PublishPort=8080:80
Volume=./pages:/www:ro
Tmpfs=/tmp
Label=app=web
User=1000
Group=1000
AddCapability=NET_ADMIN sys_time
DropCapability=all
NoNewPrivileges=yes
ReadOnly=yes
HealthCmd=/bin/check --quick
HealthInterval=30s
Timezone=UTC
PodmanArgs=--log-level=debug
GlobalArgs=--events-backend=file
`);
  t.deepEqual(errors, []);
  const has = (...run: string[]) => t.true(argv.join('\0').includes(run.join('\0')), run.join(' '));
  has('--env', 'A=1', '--env', 'B=two words');
  has('--env-file', '/etc/berth/definitions/env/web.env');
  has('--publish', '8080:80');
  has('-v', '/etc/berth/definitions/pages:/www:ro');
  has('--tmpfs', '/tmp');
  has('--label', 'app=web');
  has('--user', '1000:1000');
  has('--cap-add', 'net_admin', '--cap-add', 'sys_time');
  has('--cap-drop', 'all');
  has('--security-opt=no-new-privileges');
  has('--read-only');
  has('--health-cmd', '/bin/check --quick');
  has('--tz', 'UTC');
  has('--log-level=debug', 'img', '/bin/sh', '-c', 'echo hi');
  t.deepEqual(argv.slice(0, 3), ['/usr/bin/podman', '--events-backend=file', 'run']);
});

test('a reference to another definition becomes its podman name and a dependency on its service', (t) => {
  const { service, argv } = compile('[Container]\nImage=img\nNetwork=app.network\n', {
    others: { 'app.network': '[Network]\n' },
  });
  t.true(argv.join(' ').includes('--network systemd-app'));
  t.true(service!.list('Unit', 'Requires').some((e) => e.value === 'app-network.service'));
});

test('every problem in a definition is reported, each with file, line and key', (t) => {
  const { errors, result } = compile('[Container]\nImage=img\nBogus=1\nExposeHostPort=http\nGroup=wheel\nCPUQuota=50%\n');
  t.is(result.units.length, 0);
  t.deepEqual(errors, [
    '/etc/berth/definitions/web.container:3:1: Bogus: unknown key in [Container]',
    '/etc/berth/definitions/web.container:6:1: CPUQuota: unknown key in [Container]: CPUQuota= is a systemd setting, it belongs in [Service]',
    '/etc/berth/definitions/web.container:5:1: Group: Group= needs User= as well',
    '/etc/berth/definitions/web.container:4:1: ExposeHostPort: "http" is not a port or port range (N, N-M, with /tcp or /udp)',
  ]);
});

test('a value Quadlet reads leniently is read the same way, with a warning: a non-boolean is false, an unsplittable line is left out', (t) => {
  const { errors, argv, result } = compile('[Container]\nImage=localhost/img\nReadOnly=perhaps\nExec=\'test\\.com\'\nLabel=regex=^foo(\\?.*)?$\nLabel=keep=1\n');
  t.deepEqual(errors, []);
  t.false(argv.includes('--read-only'));
  t.true(argv.includes('--read-only=false'));
  t.is(argv[argv.length - 1], 'localhost/img');
  t.true(argv.includes('keep=1'));
  t.false(argv.some((a) => a.startsWith('regex=')));
  t.deepEqual(result.warnings.map((w) => w.message), [
    '/etc/berth/definitions/web.container:3:1: ReadOnly: "perhaps" is not a boolean (yes, no, true, false, on, off, 1, 0); it is read as false, as Quadlet reads it',
    '/etc/berth/definitions/web.container:4:1: Exec: unsupported escape char: the line is ignored, as Quadlet ignores it',
    '/etc/berth/definitions/web.container:5:1: Label: unsupported escape char: the line is ignored, as Quadlet ignores it',
  ]);
});

test('a key the target podman lacks is rejected with the version it needs', (t) => {
  const { errors } = compile('[Container]\nImage=img\nHealthOnFailure=kill\n', { target: '4.2' });
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^\/etc\/berth\/definitions\/web\.container:3:1: HealthOnFailure: needs podman 4\.3 or newer .*target podman is 4\.2\.0/);
  t.deepEqual(compile('[Container]\nImage=img\nHealthOnFailure=kill\n', { target: '4.3' }).errors, []);
});

test("a user unit waits for the system's network through berth's own bounded unit, on every podman", (t) => {
  for (const target of ['4.3', '5.0', '6.0']) {
    const service = compile('[Container]\nImage=img\n', { user: true, target }).service!;
    t.deepEqual(service.list('Unit', 'Wants').map((e) => e.value), ['berth-user-wait-network-online.service'], target);
    t.deepEqual(service.list('Unit', 'After').map((e) => e.value), ['berth-user-wait-network-online.service'], target);
  }
  const system = compile('[Container]\nImage=img\n').service!;
  t.is(system.get('Unit', 'Wants'), 'network-online.target');
  const none = compile('[Quadlet]\nDefaultDependencies=no\n[Container]\nImage=img\n', { user: true }).service!;
  t.deepEqual(none.list('Unit', 'Wants'), [], 'DefaultDependencies=no: no wait');
});

test('a container without Image or Rootfs is an error at its section', (t) => {
  const { errors } = compile('[Unit]\nDescription=x\n[Container]\nLabel=a=b\n');
  t.deepEqual(errors, ['/etc/berth/definitions/web.container:3: no Image or Rootfs key specified']);
});

test('a key whose flag was renamed uses the old spelling on an older podman', (t) => {
  t.true(compile('[Container]\nImage=img\nDNSOption=ndots:2\n', { target: '4.2' }).argv.join(' ').includes('--dns-opt ndots:2'));
  t.true(compile('[Container]\nImage=img\nDNSOption=ndots:2\n', { target: '4.3' }).argv.join(' ').includes('--dns-option ndots:2'));
});

test('Notify=healthy falls back to readiness at conmon\'s start, with a warning, before podman 4.7', (t) => {
  const old = compile('[Container]\nImage=img\nNotify=healthy\n', { target: '4.6' });
  t.deepEqual(old.errors, []);
  t.true(old.argv.includes('--sdnotify=conmon'));
  t.false(old.argv.includes('--sdnotify=healthy'));
  t.true(old.result.warnings.some((w) => /web\.container:3:1: Notify: Warning: needs podman 4\.7 or newer \(run --sdnotify=healthy\).*--sdnotify=conmon/.test(w.message)));
  t.true(compile('[Container]\nImage=img\nNotify=healthy\n', { target: '4.7' }).argv.includes('--sdnotify=healthy'));
});

test('refinements the target podman lacks (pull retries, startup health checks) are left out with a warning', (t) => {
  const old = compile('[Container]\nImage=img\nRetry=3\nHealthStartupCmd=/bin/true\nDNS=1.1.1.1\n', { target: '4.3' });
  t.deepEqual(old.errors, []);
  t.false(old.argv.some((a) => a === '--retry' || a === '--health-startup-cmd'));
  t.true(old.argv.includes('--dns'));
  t.deepEqual(old.result.warnings.filter((w) => w.message.includes('needs podman')).map((w) => w.location.key), ['Retry', 'HealthStartupCmd']);
});

test('values reach podman with every $ pattern as written: no value goes through a replacement string', (t) => {
  const { argv, service } = compile('[Container]\nImage=img\nMask=/m$$x\nSecurityLabelType=t$&\nLabel="a=$\'b $`"\n', {});
  t.true(argv.includes('mask=/m$$x'));
  t.true(argv.includes('label=type:t$&'));
  t.true(argv.includes("a=$'b $`"));
  t.regex(service!.get('Service', 'ExecStart')!, / --security-opt label=type:t\$& /);
});

test('OnStop=yes puts a bounded last checkpoint before podman stop, and systemd waits for both with the archive folder mounted', (t) => {
  const { service, errors } = compile('[Container]\nImage=img\nContainerName=web\n[Checkpoint]\nOnStop=yes\nOnStopTimeoutSec=2min\nDirectory=/srv/ckpt\n');
  t.deepEqual(errors, []);
  t.deepEqual(service!.list('Service', 'ExecStop').map((e) => e.value), [
    '-/usr/bin/berth checkpoint --on-stop --timeout 120 web',
    '/usr/bin/podman stop --ignore -t 10 web',
  ]);
  t.is(service!.get('Service', 'TimeoutStopSec'), '190');
  t.is(service!.get('Service', 'SuccessExitStatus'), '143 137');
  t.deepEqual(service!.list('Unit', 'RequiresMountsFor').map((e) => e.value), ['%t/containers', '/srv/ckpt']);
  const user = compile('[Container]\nImage=img\nContainerName=web\n[Checkpoint]\nOnStop=yes\n', { user: true, uid: 0 });
  t.is(user.service!.list('Service', 'ExecStop')[0]!.value, '-/usr/bin/berth checkpoint --user --on-stop --timeout 90 web');
});

test("a [Checkpoint] section in a user's definition is refused at its line, naming the system-scope alternative; root's own user manager keeps it", (t) => {
  const text = '[Container]\nImage=img\nContainerName=web\n\n[Checkpoint]\nKeep=2\n';
  const { errors, units } = compile(text, { user: true, uid: 1000 });
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^\/etc\/berth\/definitions\/web\.container:5: a \[Checkpoint\] section needs root: CRIU checkpoints only rootful podman, and uid 1000's user manager runs podman rootless; define the container in system scope instead \(\/etc\/berth\/definitions, with User=1000 in \[Container\]/);
  t.is(units.size, 0);
  t.regex(compile(text, { user: true }).errors[0] ?? '', /this user manager runs podman rootless/, 'an unknown uid is not taken for root');
  t.deepEqual(compile(text, { user: true, uid: 0 }).errors, []);
  t.deepEqual(compile(text, { uid: 1000 }).errors, [], 'system scope: the uid does not matter');
  t.deepEqual(compile('[Container]\nImage=img\n', { user: true, uid: 1000 }).errors, [], 'without [Checkpoint] a user definition compiles');
});

test('without OnStop= the unit stops as before, and only a checkpoint that ends the container makes exit 137 clean', (t) => {
  const plain = compile('[Container]\nImage=img\nContainerName=web\n[Checkpoint]\n').service!;
  t.deepEqual(plain.list('Service', 'ExecStop').map((e) => e.value), ['/usr/bin/podman stop --ignore -t 10 web']);
  t.is(plain.get('Service', 'TimeoutStopSec'), '70');
  t.is(plain.get('Service', 'SuccessExitStatus'), '143');
  t.deepEqual(plain.list('Unit', 'RequiresMountsFor').map((e) => e.value), ['%t/containers']);
  const ending = compile('[Container]\nImage=img\nContainerName=web\n[Checkpoint]\nLeaveRunning=no\nRestoreOnStart=latest\n').service!;
  t.is(ending.get('Service', 'SuccessExitStatus'), '143 137');
  t.deepEqual(ending.list('Unit', 'RequiresMountsFor').map((e) => e.value), ['%t/containers', '/var/lib/berth/checkpoints']);
});

test('a user unit on a host where podman sees cgroups v1 runs with --cgroups=no-conmon, and its header says why', (t) => {
  const v1 = { version: 'v1' } as const;
  const { argv, result } = compile('[Container]\nImage=localhost/busybox\n', { user: true, cgroups: v1 });
  t.true(argv.includes('--cgroups=no-conmon'));
  t.false(argv.includes('--cgroups=split'));
  const text = result.units[0]!.text;
  t.regex(text, /^# --cgroups=no-conmon, not split: podman sees cgroups v1 here, where a rootless --cgroups=split fails/m);
  t.true(text.indexOf('# --cgroups=no-conmon') < text.indexOf('[Unit]'), 'the note is in the header comment');
});

test('Quadlet\'s --cgroups=split stays for the system, on cgroups v2, where the host is unknown, and where the definition chooses', (t) => {
  const def = '[Container]\nImage=localhost/busybox\n';
  const v1 = { version: 'v1' } as const;
  t.true(compile(def, { user: false, cgroups: v1 }).argv.includes('--cgroups=split'));
  t.true(compile(def, { user: true, cgroups: { version: 'v2' } }).argv.includes('--cgroups=split'));
  t.true(compile(def, { user: true }).argv.includes('--cgroups=split'));
  const chosen = compile(`${def}CgroupsMode=enabled\n`, { user: true, cgroups: v1 });
  t.deepEqual(chosen.argv.filter((a) => a.startsWith('--cgroups') || a === 'enabled'), ['--cgroups', 'enabled']);
  t.notRegex(chosen.result.units[0]!.text, /not split/);
  t.notRegex(compile(def, { user: true }).result.units[0]!.text, /not split/);
});
