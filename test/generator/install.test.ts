import test from 'ava';
import { installSymlinks } from '../../src/generator/install.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const unit = (text: string): UnitFile => UnitFile.parse(text, 'x').unit;

test('WantedBy, RequiredBy, UpheldBy and Alias become symlinks in the output folder', (t) => {
  const links = installSymlinks(
    unit('[Install]\nWantedBy=multi-user.target default.target\nRequiredBy=a.target\nUpheldBy=b.target\nAlias=web-alias.service\n'),
    'web.service',
  );
  t.deepEqual(links.warnings, []);
  t.deepEqual(links.links, [
    { path: 'web-alias.service', target: 'web.service' },
    { path: 'multi-user.target.wants/web.service', target: '../web.service' },
    { path: 'default.target.wants/web.service', target: '../web.service' },
    { path: 'a.target.requires/web.service', target: '../web.service' },
    { path: 'b.target.upholds/web.service', target: '../web.service' },
  ]);
});

test('a template installs its DefaultInstance, and nothing without one', (t) => {
  t.deepEqual(installSymlinks(unit('[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n'), 'web@.service').links, [
    { path: 'multi-user.target.wants/web@one.service', target: '../web@.service' },
  ]);
  t.deepEqual(installSymlinks(unit('[Install]\nWantedBy=multi-user.target\n'), 'web@.service').links, []);
});

test('install names that are not valid unit names are skipped with a warning at their line, never linked', (t) => {
  const { links, warnings } = installSymlinks(
    unit('[Install]\nWantedBy=../../x.target good.target\nRequiredBy=sub/dir.target\nAlias=../../y.service web.timer\nUpheldBy=..\nWantedBy=a b.target\n'),
    'web.service',
  );
  t.deepEqual(links, [
    { path: 'good.target.wants/web.service', target: '../web.service' },
    { path: 'b.target.wants/web.service', target: '../web.service' },
  ]);
  t.deepEqual(warnings.map((w) => [w.location.line, w.location.key]), [[4, 'Alias'], [4, 'Alias'], [2, 'WantedBy'], [6, 'WantedBy'], [3, 'RequiredBy'], [5, 'UpheldBy']]);
  t.regex(warnings[0]!.message, /^x:4:1: Alias: "\.\.\/\.\.\/y\.service" holds characters a unit name cannot/);
  t.regex(warnings[1]!.message, /the alias "web\.timer" is not a \.service like the unit/);
});

test('specifiers that name the unit are resolved in install names, as systemctl enable resolves them', (t) => {
  const { links, warnings } = installSymlinks(unit('[Install]\nAlias=alias-%p.service\nWantedBy=%N-extra.target %h.target\n'), 'web.service');
  t.deepEqual(links, [
    { path: 'alias-web.service', target: 'web.service' },
    { path: 'web-extra.target.wants/web.service', target: '../web.service' },
  ]);
  t.regex(warnings[0]!.message, /"%h\.target" holds characters a unit name cannot/);
  t.deepEqual(installSymlinks(unit('[Install]\nWantedBy=for-%i.target\nDefaultInstance=one\n'), 'web@.service').links, [
    { path: 'for-one.target.wants/web@one.service', target: '../web@.service' },
  ]);
});

test('enable adds a WantedBy= of the default target only when [Install] names no unit that wants, requires or upholds it; disable makes no link', (t) => {
  const enabled = { state: 'enabled', defaultTarget: 'multi-user.target' } as const;
  t.deepEqual(installSymlinks(unit('[Container]\nImage=img\n'), 'web.service', enabled).links, [{ path: 'multi-user.target.wants/web.service', target: '../web.service' }]);
  t.deepEqual(installSymlinks(unit('[Install]\nAlias=w.service\n'), 'web.service', { state: 'enabled', defaultTarget: 'default.target' }).links, [
    { path: 'w.service', target: 'web.service' },
    { path: 'default.target.wants/web.service', target: '../web.service' },
  ]);
  t.deepEqual(installSymlinks(unit('[Install]\nRequiredBy=a.target\n'), 'web.service', enabled).links, [{ path: 'a.target.requires/web.service', target: '../web.service' }]);
  t.deepEqual(installSymlinks(unit('[Install]\nWantedBy=x.target\nDefaultInstance=one\n'), 'web@.service', enabled).links, [{ path: 'x.target.wants/web@one.service', target: '../web@.service' }]);
  t.deepEqual(installSymlinks(unit('[Install]\nDefaultInstance=one\n'), 'web@.service', enabled).links, [{ path: 'multi-user.target.wants/web@one.service', target: '../web@.service' }]);
  t.deepEqual(installSymlinks(unit('[Container]\n'), 'web@.service', enabled).links, [], 'a template without DefaultInstance= has nothing to install');
  const disabled = installSymlinks(unit('[Install]\nWantedBy=multi-user.target\nAlias=w.service\nWantedBy=../bad\n'), 'web.service', { state: 'disabled', defaultTarget: 'multi-user.target' });
  t.deepEqual(disabled.links, []);
  t.is(disabled.warnings.length, 1, 'the definition is still checked');
});
