import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';

const compile = (text: string, opts: CompileOptions = {}) => compileOne('data.volume', text, opts);


test('a volume definition becomes a oneshot service running podman volume create --ignore', (t) => {
  const { argv, service, errors } = compile('[Volume]\n');
  t.deepEqual(errors, []);
  t.deepEqual(argv, ['/usr/bin/podman', 'volume', 'create', '--ignore', 'systemd-data']);
  t.is(service!.get('Service', 'Type'), 'oneshot');
  t.is(service!.get('Service', 'RemainAfterExit'), 'yes');
  t.is(service!.get('Service', 'SyslogIdentifier'), '%N');
  t.true(service!.hasSection('X-Volume'));
});

test('mount keys become --opt flags, with User, Group and Options joined into o=', (t) => {
  const { argv, service, errors } = compile(`[Volume]
VolumeName=pgdata
User=999
Group=root
Device=/srv/pg
Type=bind
Options=noexec
Copy=no
Label=app=db tier=data
UID=70
PodmanArgs=--log-level=debug
GlobalArgs=--root=/var/lib/other
`);
  t.deepEqual(errors, []);
  t.deepEqual(argv, [
    '/usr/bin/podman', '--root=/var/lib/other', 'volume', 'create', '--ignore', '--uid', '70',
    '--opt', 'nocopy', '--opt', 'device=/srv/pg', '--opt', 'type=bind', '--opt', 'o=uid=999,gid=0,noexec',
    '--label', 'app=db', '--label', 'tier=data', '--log-level=debug', 'pgdata',
  ]);
  t.true(service!.list('Unit', 'RequiresMountsFor').some((e) => e.value === '/srv/pg'));
});

test('the image driver takes its image from a .image definition and starts after it', (t) => {
  const { argv, service, errors } = compile('[Volume]\nDriver=image\nImage=tools.image\n', {
    others: { 'tools.image': '[Image]\nImage=quay.io/acme/tools:1\nImageTag=localhost/tools\n' },
  });
  t.deepEqual(errors, []);
  t.true(argv.join(' ').includes('--driver image --opt image=localhost/tools systemd-data'));
  t.deepEqual(service!.list('Unit', 'Requires').map((e) => e.value), ['tools-image.service']);
});

test('problems are reported with file, line and key, in Quadlet\'s words where it has them', (t) => {
  t.deepEqual(compile('[Volume]\nDriver=image\n').errors, [
    '/etc/berth/definitions/data.volume:2:1: Driver: the key Image is mandatory when using the image driver',
  ]);
  t.deepEqual(compile('[Volume]\nDriver=image\nImage=gone.image\n').errors, [
    '/etc/berth/definitions/data.volume:3:1: Image: requested Quadlet image gone.image was not found',
  ]);
  t.deepEqual(compile('[Volume]\nUser=postgres\nType=btrfs\nSize=1G\n').errors, [
    '/etc/berth/definitions/data.volume:4:1: Size: unknown key in [Volume]',
    '/etc/berth/definitions/data.volume:2:1: User: "postgres" is not a numeric UID (the volume\'s uid= option takes numbers only)',
    "/etc/berth/definitions/data.volume:3:1: Type: key Type can't be used without Device",
  ]);
});

test('keys and values newer than the target podman are refused with the version they need', (t) => {
  t.regex(compile('[Volume]\nUID=1\n', { target: '5.5' }).errors[0]!, /data\.volume:2:1: UID: needs podman 5\.6 or newer/);
  t.deepEqual(compile('[Volume]\nUID=1\n', { target: '5.6' }).errors, []);
  t.regex(compile('[Volume]\nDriver=image\nImage=x\n', { target: '4.2' }).errors[0]!, /Driver: needs podman 4\.3 or newer \(volume create --driver=image\)/);
  t.regex(compile('[Volume]\nCopy=no\n', { target: '4.1' }).errors[0]!, /Copy: needs podman 4\.2 or newer/);
  // Copy=yes is what podman before 4.2 always did: the option is simply left out.
  const old = compile('[Volume]\nCopy=yes\n', { target: '4.1' });
  t.deepEqual(old.errors, []);
  t.false(old.argv.join(' ').includes('copy'));
});

test('before podman 4.4 (no --ignore) the volume is created only when volume exists says it is missing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-volume-'));
  const podman = join(dir, 'podman');
  const log = join(dir, 'log');
  // A stand-in podman: `volume exists` answers from $EXISTS, every call is logged.
  writeFileSync(podman, `#!/bin/sh\necho "$*" >> ${log}\n[ "$2" = exists ] && exit "$EXISTS"\nexit 0\n`);
  chmodSync(podman, 0o755);
  const { argv, errors } = compile("[Volume]\nVolumeName=it's data\nLabel=a=b\n", { target: '4.3', podman });
  t.deepEqual(errors, []);
  t.deepEqual(argv.slice(0, 2), ['/bin/sh', '-c']);
  t.false(argv.includes('--ignore'));
  const run = (exists: string): string[] => {
    writeFileSync(log, '');
    execFileSync(argv[0]!, argv.slice(1), { env: { ...process.env, EXISTS: exists } });
    return readFileSync(log, 'utf8').trim().split('\n');
  };
  t.deepEqual(run('1'), ["volume exists it's data", "volume create --label a=b it's data"]);
  t.deepEqual(run('0'), ["volume exists it's data"]);
});
