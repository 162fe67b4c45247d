import test from 'ava';
import { InstallError, UsageError } from '../../src/errors.js';
import { checkRemovable, isRunning, refusal, resolveName, type DefinedUnit } from '../../src/install/remove.js';

const defs: DefinedUnit[] = [
  { fileName: 'web.container', path: '/etc/berth/definitions/web.container', units: ['web.service', 'web-checkpoint.timer'] },
  { fileName: 'db.network', path: '/etc/berth/definitions/db.network', units: ['db-network.service'] },
  { fileName: 'app.container', path: '/etc/berth/definitions/app.container', units: ['custom.service'] },
  { fileName: 'x.volume', path: '/etc/berth/definitions/x.volume', units: ['x-volume.service'] },
  { fileName: 'x.pod', path: '/etc/berth/definitions/x.pod', units: ['x-pod.service'] },
];

test('NAME is a file name, a unit, or a bare name', (t) => {
  t.is(resolveName('web.container', defs).fileName, 'web.container');
  t.is(resolveName('web.service', defs).fileName, 'web.container');
  t.is(resolveName('web', defs).fileName, 'web.container');
  t.is(resolveName('web-checkpoint.timer', defs).fileName, 'web.container');
  t.is(resolveName('db-network.service', defs).fileName, 'db.network');
  t.is(resolveName('db', defs).fileName, 'db.network');
  t.is(resolveName('custom', defs).fileName, 'app.container');
  t.is(resolveName('app', defs).fileName, 'app.container');
});

test('an unknown or ambiguous NAME is a usage error saying what to give', (t) => {
  t.throws(() => resolveName('nope.container', defs), { instanceOf: UsageError, message: /no definition nope\.container/ });
  t.throws(() => resolveName('nope', defs), { instanceOf: UsageError, message: /no definition makes nope\.service/ });
  t.throws(() => resolveName('x', defs), { instanceOf: UsageError, message: /x could be x\.volume, x\.pod: name the file/ });
  t.throws(() => resolveName('../web.container', defs), { instanceOf: UsageError });
});

test("only the administrator's definitions are removed, and never one whose removal lets another take its place", (t) => {
  const web = defs[0]!;
  t.is(refusal(web, '/etc/berth/definitions', []), undefined);
  t.is(refusal({ ...web, path: '/etc/berth/definitions/apps/web.container' }, '/etc/berth/definitions', []), undefined);
  const pkg = { ...web, path: '/usr/share/berth/definitions/web.container' };
  t.regex(refusal(pkg, '/etc/berth/definitions', [])!, /^web\.container lives in \/usr\/share\/berth\/definitions, not in \/etc\/berth\/definitions: berth rm removes only .*systemctl mask web\.service/);
  t.regex(refusal({ ...web, path: '/etc/berth/definitions-old/web.container' }, '/etc/berth/definitions', [])!, /lives in \/etc\/berth\/definitions-old/);
  t.throws(() => checkRemovable(web, '/etc/berth/definitions', ['/usr/share/berth/definitions/web.container']), {
    instanceOf: InstallError,
    message: /removing \/etc\/berth\/definitions\/web\.container would let \/usr\/share\/berth\/definitions\/web\.container take its place/,
  });
});

test('running states', (t) => {
  for (const s of ['active', 'activating', 'deactivating', 'reloading']) t.true(isRunning(s), s);
  for (const s of ['inactive', 'failed']) t.false(isRunning(s), s);
});
