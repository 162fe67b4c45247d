import test from 'ava';
import { definitionsDir, isPrivateSubfolder, searchPaths } from '../../src/generator/search-paths.js';

test('the system scope never walks into the users folder, and a user sees only its own numbered folder', (t) => {
  t.true(isPrivateSubfolder('/etc/berth/definitions', 'users'));
  t.true(isPrivateSubfolder('/etc/berth/definitions/users', '1000'));
  t.false(isPrivateSubfolder('/etc/berth/definitions', 'web'));
  t.false(isPrivateSubfolder('/etc/berth/definitions/users', 'shared'));
  const user = searchPaths(true, { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000);
  t.deepEqual(user, ['/run/user/1000/berth/definitions', '/home/u/.config/berth/definitions', '/etc/berth/definitions/users/1000', '/etc/berth/definitions/users']);
});

test('BERTH_UNIT_DIRS replaces the search path', (t) => {
  t.deepEqual(searchPaths(false, { BERTH_UNIT_DIRS: '/a:/b' }), ['/a', '/b']);
});

test('definitions are installed into /etc/berth/definitions, the user\'s config folder, or the first BERTH_UNIT_DIRS folder', (t) => {
  t.is(definitionsDir(false, {}), '/etc/berth/definitions');
  t.is(definitionsDir(true, { HOME: '/home/u' }), '/home/u/.config/berth/definitions');
  t.is(definitionsDir(true, { HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }), '/cfg/berth/definitions');
  t.is(definitionsDir(true, { BERTH_UNIT_DIRS: ':/a:/b' }), '/a');
});
