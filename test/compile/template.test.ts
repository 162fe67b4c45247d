import test from 'ava';
import { applyTemplate, templateNames } from '../../src/compile/template.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const unit = (text: string) => UnitFile.parse(text, '/d/web.container').unit;

test('templates/ holds the twelve shapes of unit and drop-in berth writes, embedded at build time', (t) => {
  t.deepEqual(templateNames().sort(), [
    'artifact.service', 'build.service', 'checkpoint.service', 'checkpoint.timer', 'container-restorable.service',
    'container-scope-order.conf', 'container.service', 'image.service', 'kube.service', 'network.service', 'pod.service', 'volume.service',
  ]);
});

test('template lines go before, after, instead of or beside the definition\'s as their section says, with values quoted', (t) => {
  const service = unit('[Unit]\nAfter=user.target\n[Service]\nKillMode=control-group\nType=simple\nEnvironment=A=1\n');
  applyTemplate(service, 'container.service', {
    'network-online': 'network-online.target', source: '/d/web.container', podman: ['/usr/bin/podman', '--module=/a b'],
    name: 'systemd-%N', arguments: ['--label', 'x=$y z'], image: ['img'], exec: [], 'reload-command': undefined, 'reload-signal': 'SIGHUP',
    type: 'notify', 'notify-access': 'all',
  });
  t.deepEqual(service.entries('Unit').map((e) => `${e.key}=${e.value}`), [
    'Wants=network-online.target', 'After=network-online.target', 'After=user.target', 'SourcePath=/d/web.container', 'RequiresMountsFor=%t/containers',
  ]);
  const s = service.entries('Service').map((e) => `${e.key}=${e.value}`);
  t.true(s.includes('KillMode=control-group'));
  t.false(s.includes('KillMode=mixed'));
  t.true(s.includes('Type=notify'));
  t.false(s.includes('Type=simple'));
  t.true(s.includes('ExecReload=/usr/bin/podman "--module=/a b" kill --signal SIGHUP systemd-%N'));
  t.is(s.filter((l) => l.startsWith('ExecReload=')).length, 1);
  t.true(s.includes('ExecStopPost=-/usr/bin/podman "--module=/a b" rm -v -f -i systemd-%N'));
  t.true(s.includes('ExecStart=/usr/bin/podman "--module=/a b" run --name systemd-%N --replace --rm --label "x=$y z" img'));
});

test('a value not given to a template is a mistake in berth, not a line left out', (t) => {
  t.throws(() => applyTemplate(UnitFile.empty(), 'image.service', { podman: ['p'] }), { message: /no value given for \{\{network-online\}\}/ });
});

test('a list fills one line per item outside Exec lines, and an undefined value removes its line', (t) => {
  const timer = UnitFile.empty('x.timer');
  applyTemplate(timer, 'checkpoint.timer', {
    service: 'web', source: undefined, schedules: ['daily', 'hourly'], persistent: 'yes', 'accuracy-sec': '1m', 'randomized-delay-sec': undefined,
  });
  t.deepEqual(timer.entries('Timer').map((e) => `${e.key}=${e.value}`), ['OnCalendar=daily', 'OnCalendar=hourly', 'Persistent=yes', 'AccuracySec=1m', 'Unit=web-checkpoint.service']);
  t.false(timer.has('Unit', 'SourcePath'));
});
