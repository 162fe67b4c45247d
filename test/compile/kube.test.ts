import test from 'ava';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';

const DIR = '/etc/berth/definitions';

function compile(text: string, opts: CompileOptions = {}) {
  const c = compileOne('app.kube', text, opts);
  return { ...c, start: c.argv, stop: c.argvOf('ExecStopPost') };
}


const includesRun = (argv: readonly string[], ...run: string[]): boolean => argv.join('\0').includes(run.join('\0'));

test('a minimal kube plays its YAML with a service container and takes it down after', (t) => {
  const { start, stop, service, errors } = compile('[Kube]\nYaml=app.yml\n');
  t.deepEqual(errors, []);
  t.deepEqual(start, ['/usr/bin/podman', 'kube', 'play', '--replace', '--service-container=true', `${DIR}/app.yml`]);
  t.deepEqual(stop, ['/usr/bin/podman', 'kube', 'down', `${DIR}/app.yml`]);
  t.is(service!.get('Service', 'Type'), 'notify');
  t.is(service!.get('Service', 'NotifyAccess'), 'all');
  t.is(service!.get('Service', 'KillMode'), 'mixed');
  t.is(service!.get('Service', 'SyslogIdentifier'), '%N');
  t.is(service!.get('Service', 'Environment'), 'PODMAN_SYSTEMD_UNIT=%n');
  t.false(service!.has('Service', 'ExecStop'));
  t.true(service!.hasSection('X-Kube'));
});

test('kube keys become their kube play flags, the YAML files last', (t) => {
  const { start, stop, service, errors } = compile(`[Kube]
Yaml=app.yml
Yaml=/srv/extra.yml
ExitCodePropagation=any
LogDriver=journald
LogOpt=tag=app
RemapUsers=auto
Network=host
AutoUpdate=registry web/local
ConfigMap=cm.yml
PublishPort=8080:80
PodmanArgs=--no-hosts
KubeDownForce=yes
SetWorkingDirectory=unit
GlobalArgs=--log-level=debug
`);
  t.deepEqual(errors, []);
  t.deepEqual(start, [
    '/usr/bin/podman', '--log-level=debug', 'kube', 'play', '--replace', '--service-container=true',
    '--service-exit-code-propagation=any', '--log-driver', 'journald', '--log-opt', 'tag=app', '--userns', 'auto',
    '--network', 'host', '--annotation=io.containers.autoupdate=registry', '--annotation=io.containers.autoupdate/web=local',
    '--configmap', `${DIR}/cm.yml`, '--publish', '8080:80', '--no-hosts', `${DIR}/app.yml`, '/srv/extra.yml',
  ]);
  t.deepEqual(stop, ['/usr/bin/podman', '--log-level=debug', 'kube', 'down', '--force', `${DIR}/app.yml`, '/srv/extra.yml']);
  t.is(service!.get('Service', 'WorkingDirectory'), DIR);
});

test('a referenced network becomes its podman name and a dependency on its service', (t) => {
  const { start, service, errors } = compile('[Kube]\nYaml=app.yml\nNetwork=front.network\n', { others: { 'front.network': '[Network]\n' } });
  t.deepEqual(errors, []);
  t.true(includesRun(start, '--network', 'systemd-front'));
  t.true(service!.list('Unit', 'Requires').some((e) => e.value === 'front-network.service'));
});

test('SetWorkingDirectory=yaml uses the YAML\'s folder, and Type=oneshot is kept', (t) => {
  const { service, errors } = compile('[Kube]\nYaml=/srv/k8s/app.yml\nSetWorkingDirectory=yaml\n[Service]\nType=oneshot\n');
  t.deepEqual(errors, []);
  t.is(service!.get('Service', 'WorkingDirectory'), '/srv/k8s');
  t.is(service!.get('Service', 'Type'), 'oneshot');
  t.false(service!.has('Service', 'NotifyAccess'));
});

test('kube problems are reported with file, line and key, in Quadlet\'s words where it has them', (t) => {
  const manual = compile('[Kube]\nYaml=app.yml\nRemapUsers=manual\n');
  t.deepEqual(manual.errors, [`${DIR}/app.kube:3:1: RemapUsers: RemapUsers=manual is not supported`]);
  const twoYaml = compile('[Kube]\nYaml=a.yml\nYaml=b.yml\nSetWorkingDirectory=yaml\n');
  t.deepEqual(twoYaml.errors, [`${DIR}/app.kube:4:1: SetWorkingDirectory: SetWorkingDirectory=yaml is only supported when a single Yaml key is provided`]);
  t.deepEqual(compile('[Unit]\nDescription=x\n\n[Kube]\nLogDriver=journald\n').errors, [`${DIR}/app.kube:4: no Yaml key specified`]);
  const bad = compile('[Kube]\nYaml=app.yml\nUIDMap=0:1:1\nExitCodePropagation=some\n[Service]\nType=simple\n');
  t.is(bad.result.units.length, 0);
  t.deepEqual(bad.errors, [
    `${DIR}/app.kube:3:1: UIDMap: unknown key in [Kube]`,
    `${DIR}/app.kube:6:1: Type: must be notify or oneshot for a kube`,
    `${DIR}/app.kube:4:1: ExitCodePropagation: "some" is not an exit code propagation policy (all, any, none)`,
  ]);
});

test('podman before 4.3 plays the YAML with `play kube` and takes it down with `play kube --down`', (t) => {
  const { start, stop, errors } = compile('[Kube]\nYaml=app.yml\nNetwork=host\nUserNS=auto\n', { target: '4.2' });
  t.deepEqual(errors, []);
  t.deepEqual(start, ['/usr/bin/podman', 'play', 'kube', '--replace', '--service-container=true', '--userns', 'auto', '--network', 'host', `${DIR}/app.yml`]);
  t.deepEqual(stop, ['/usr/bin/podman', 'play', 'kube', '--down', `${DIR}/app.yml`]);
});

test('kube features are refused on podman without them, naming the version and the play kube flag', (t) => {
  // play kube has a service container only from 4.2 on, so no .kube works before.
  t.deepEqual(compile('[Kube]\nYaml=app.yml\n', { target: '4.1' }).errors, [
    `${DIR}/app.kube:2:1: Yaml: needs podman 4.2 or newer (play kube --service-container); the target podman is 4.1.0`,
  ]);
  t.regex(compile('[Kube]\nYaml=app.yml\nPublishPort=80\n', { target: '4.3' }).errors[0] ?? '', /app\.kube:3:1: PublishPort: needs podman 4\.4 or newer \(kube play --publish\)/);
  t.regex(compile('[Kube]\nYaml=app.yml\nPublishPort=80\n', { target: '4.2' }).errors[0] ?? '', /PublishPort: needs podman 4\.4 or newer/);
  t.regex(compile('[Kube]\nYaml=app.yml\nKubeDownForce=yes\n', { target: '4.3' }).errors[0] ?? '', /KubeDownForce: needs podman 4\.4 or newer \(kube down --force\)/);
  t.regex(compile('[Kube]\nYaml=app.yml\nExitCodePropagation=all\n', { target: '4.5' }).errors[0] ?? '', /ExitCodePropagation: needs podman 4\.6 or newer/);
  t.regex(compile('[Kube]\nYaml=a.yml\nYaml=b.yml\n', { target: '5.6' }).errors[0] ?? '', /app\.kube:3:1: Yaml: needs podman 5\.7 or newer \(kube play KUBEFILE\.\.\.\)/);
  t.deepEqual(compile('[Kube]\nYaml=a.yml\nYaml=b.yml\n', { target: '5.7' }).errors, []);
});
