import test from 'ava';
import { installSymlinks } from '../../src/generator/install.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const unit = (text: string): UnitFile => UnitFile.parse(text, 'x').unit;

test('WantedBy, RequiredBy, UpheldBy and Alias become symlinks in the output folder', (t) => {
  const links = installSymlinks(
    unit('[Install]\nWantedBy=multi-user.target default.target\nRequiredBy=a.target\nUpheldBy=b.target\nAlias=web-alias.service\n'),
    'web.service',
  );
  t.deepEqual(links, [
    { path: 'web-alias.service', target: 'web.service' },
    { path: 'multi-user.target.wants/web.service', target: '../web.service' },
    { path: 'default.target.wants/web.service', target: '../web.service' },
    { path: 'a.target.requires/web.service', target: '../web.service' },
    { path: 'b.target.upholds/web.service', target: '../web.service' },
  ]);
});

test('a template installs its DefaultInstance, and nothing without one', (t) => {
  t.deepEqual(installSymlinks(unit('[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n'), 'web@.service'), [
    { path: 'multi-user.target.wants/web@one.service', target: '../web@.service' },
  ]);
  t.deepEqual(installSymlinks(unit('[Install]\nWantedBy=multi-user.target\n'), 'web@.service'), []);
});
