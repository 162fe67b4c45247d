import test from 'ava';
import { setWorkingDirectory } from '../../src/compile/working-directory.js';
import { UnitFile } from '../../src/unit/unit-file.js';
import { splitWords } from '../../src/unit/quote.js';
import { compileOne, definition, type CompileOptions } from '../helpers/definitions.js';

const DIR = '/etc/berth/definitions';

function compile(text: string, opts: CompileOptions & { file?: string } = {}) {
  const c = compileOne(opts.file ?? 'app.build', text, opts);
  const errors = c.result.errors.filter((e) => e.location.file.endsWith('.build')).map((e) => e.message);
  return { ...c, errors, parse: (name: string) => c.units.get(name) };
}


test('a build runs podman build with its flags, the context last, as a oneshot that does not remain active', (t) => {
  const { argv, service, errors } = compile(`[Build]
ImageTag=localhost/app:1
ImageTag=localhost/app:latest
SetWorkingDirectory=unit
File=Containerfile
Pull=always
Arch=arm64
TLSVerify=no
ForceRM=yes
DNS=9.9.9.9
BuildArg=VERSION=1.2 "NAME=my app"
Label=org.example=x
Secret=id=token,src=/run/token
Volume=./cache:/cache:Z
PodmanArgs=--squash
GlobalArgs=--log-level=debug
`);
  t.deepEqual(errors, []);
  t.deepEqual(argv.slice(0, 4), ['/usr/bin/podman', '--log-level=debug', 'build', '--pull=always']);
  const has = (...run: string[]) => t.true(argv.join('\0').includes(run.join('\0')), run.join(' '));
  has('--arch', 'arm64');
  has('--tls-verify=false');
  has('--force-rm');
  has('--dns', '9.9.9.9');
  has('--tag', 'localhost/app:1', '--tag', 'localhost/app:latest');
  has('--build-arg', 'NAME=my app', '--build-arg', 'VERSION=1.2');
  has('--label', 'org.example=x');
  has('--secret', 'id=token,src=/run/token');
  has('-v', `${DIR}/cache:/cache:Z`);
  t.deepEqual(argv.slice(-4), ['--file', 'Containerfile', '--squash', DIR]);
  t.is(service!.get('Service', 'WorkingDirectory'), DIR);
  t.is(service!.get('Service', 'Type'), 'oneshot');
  t.false(service!.has('Service', 'RemainAfterExit'));
  t.true(service!.hasSection('X-Build'));
  t.true(service!.list('Unit', 'RequiresMountsFor').some((e) => e.value === `${DIR}/cache`));
});

test('SetWorkingDirectory is the folder of the definition or of its File, or else the build context itself', (t) => {
  const file = compile('[Build]\nImageTag=app\nSetWorkingDirectory=file\nFile=/srv/app/Containerfile\n');
  t.is(file.service!.get('Service', 'WorkingDirectory'), '/srv/app');
  t.deepEqual(file.argv.slice(-2), ['--file', '/srv/app/Containerfile']);

  const git = compile('[Build]\nImageTag=app\nSetWorkingDirectory=https://example.com/app.git\n');
  t.false(git.service!.has('Service', 'WorkingDirectory'));
  t.is(git.argv.at(-1), 'https://example.com/app.git');

  const rel = compile('[Build]\nImageTag=app\nSetWorkingDirectory=src\n');
  t.is(rel.service!.get('Service', 'WorkingDirectory'), DIR);
  t.is(rel.argv.at(-1), 'src');

  // The definition's own WorkingDirectory wins, and becomes the context.
  const own = compile('[Build]\nImageTag=app\nSetWorkingDirectory=unit\n[Service]\nWorkingDirectory=/work\n');
  t.deepEqual(own.service!.list('Service', 'WorkingDirectory').map((e) => e.value), ['/work']);
  t.is(own.argv.at(-1), '/work');

  // An absolute or specifier File needs no context.
  t.deepEqual(compile('[Build]\nImageTag=app\nFile=%h/app/Containerfile\n').argv.slice(-2), ['--file', '%h/app/Containerfile']);
});

test('a container using a build gets its first tag and starts after the build service', (t) => {
  const { parse, service, argv } = compile('[Build]\nImageTag=localhost/app:1\nImageTag=localhost/app:latest\nSetWorkingDirectory=unit\nNetwork=db.container\n', {
    others: { 'web.container': '[Container]\nImage=app.build\n', 'db.container': '[Container]\nImage=postgres\n' },
  });
  const web = parse('web.service')!;
  t.is(splitWords(web.get('Service', 'ExecStart')!, { cunescape: true }).at(-1), 'localhost/app:1');
  t.true(web.list('Unit', 'Requires').some((e) => e.value === 'app-build.service'));
  t.true(web.list('Unit', 'After').some((e) => e.value === 'app-build.service'));
  // The build's own reference: a container's network, after that container's service.
  t.true(argv.join(' ').includes('--network container:systemd-db'));
  t.true(service!.list('Unit', 'Requires').some((e) => e.value === 'db.service'));
});

test('every problem in a build is reported with file, line and key, in Quadlet\'s words', (t) => {
  t.deepEqual(compile('[Build]\nImageTag=app\nFile=Containerfile\nBogus=1\n').errors, [
    `${DIR}/app.build:4:1: Bogus: unknown key in [Build]`,
    `${DIR}/app.build:3:1: File: relative path in File key requires SetWorkingDirectory key to be set`,
  ]);
  t.deepEqual(compile('[Unit]\nDescription=x\n[Build]\nSetWorkingDirectory=unit\n').errors, [`${DIR}/app.build:3: no ImageTag key specified`]);
  t.deepEqual(compile('[Build]\nImageTag=app\nSetWorkingDirectory=yaml\n').errors, [
    `${DIR}/app.build:3:1: SetWorkingDirectory: SetWorkingDirectory=yaml is only supported in .kube files`,
  ]);
  t.deepEqual(compile('[Build]\nImageTag=app\n').errors, [`${DIR}/app.build:1: neither SetWorkingDirectory, nor File key specified`]);
  t.is(compile('[Build]\nImageTag=app\nFile=Containerfile\n').result.units.length, 0);
});

test('a build key the target podman lacks is rejected with the version it needs, or left out when it only refines', (t) => {
  const old = compile('[Build]\nImageTag=app\nSetWorkingDirectory=unit\nRetry=3\n', { target: '4.2' });
  t.deepEqual(old.errors, []);
  t.false(old.argv.includes('--retry'));
  t.true(compile('[Build]\nImageTag=app\nSetWorkingDirectory=unit\nRetry=3\n', { target: '4.3' }).argv.includes('--retry'));
  t.regex(compile('[Build]\nImageTag=app\nSetWorkingDirectory=unit\nGroupAdd=x\n', { target: '4.3' }).errors[0] ?? '', /GroupAdd: needs podman 4\.4/);
  // A value-level gate: podman before 5.8 would take --pull=newer silently as "missing".
  t.regex(compile('[Build]\nImageTag=app\nSetWorkingDirectory=unit\nPull=newer\n', { target: '5.7' }).errors[0]!, /Pull: needs podman 5\.8 or newer/);
  t.true(compile('[Build]\nImageTag=app\nSetWorkingDirectory=unit\nPull=newer\n', { target: '5.8' }).argv.includes('--pull=newer'));
});

test('SetWorkingDirectory=yaml of a .kube is the folder of its single Yaml', (t) => {
  const run = (text: string) => {
    const unit = definition('app.kube', text).unit;
    const service = UnitFile.empty();
    return { context: setWorkingDirectory({ unit, service }, 'Kube'), dir: service.get('Service', 'WorkingDirectory') };
  };
  t.deepEqual(run('[Kube]\nYaml=k8s/app.yaml\nSetWorkingDirectory=yaml\n'), { context: '', dir: `${DIR}/k8s` });
  t.deepEqual(run('[Kube]\nYaml=app.yaml\nSetWorkingDirectory=unit\n'), { context: '', dir: DIR });
  t.throws(() => run('[Kube]\nYaml=a.yaml b.yaml\nSetWorkingDirectory=yaml\n'), { message: /only supported when a single Yaml key is provided/ });
  t.throws(() => run('[Kube]\nYaml=a.yaml\nSetWorkingDirectory=/srv\n'), { message: /unsupported value for WorkingDirectory: \/srv$/ });
});
