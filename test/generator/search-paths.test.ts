import test from 'ava';
import { definitionFolders, definitionsDir, isPrivateSubfolder, searchPaths } from '../../src/generator/search-paths.js';

test('the system scope never walks into the users folder, and a user sees only its own numbered folder', (t) => {
  t.true(isPrivateSubfolder('/etc/berth/definitions', 'users'));
  t.true(isPrivateSubfolder('/etc/berth/definitions/users', '1000'));
  t.false(isPrivateSubfolder('/etc/berth/definitions', 'web'));
  t.false(isPrivateSubfolder('/etc/berth/definitions/users', 'shared'));
  t.true(isPrivateSubfolder('/etc/containers/systemd', 'users'));
  t.true(isPrivateSubfolder('/etc/containers/systemd/users', '1000'));
  t.false(isPrivateSubfolder('/etc/containers/systemd', 'web'));
  const user = definitionFolders(true, { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000, true);
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

const BERTH_SYSTEM = ['/run/berth/definitions', '/etc/berth/definitions', '/usr/local/share/berth/definitions', '/usr/share/berth/definitions'];

test("where podman's own Quadlet generator runs, berth reads only its own folders", (t) => {
  t.deepEqual(definitionFolders(false, {}, 0, true), BERTH_SYSTEM);
});

test("without podman's Quadlet generator, Quadlet's folders follow berth's, for the system and for a user", (t) => {
  t.deepEqual(definitionFolders(false, {}, 0, false), [...BERTH_SYSTEM, '/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd']);
  t.deepEqual(definitionFolders(true, { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000, false), [
    '/run/user/1000/berth/definitions', '/home/u/.config/berth/definitions', '/etc/berth/definitions/users/1000', '/etc/berth/definitions/users',
    '/run/user/1000/containers/systemd', '/home/u/.config/containers/systemd', '/etc/containers/systemd/users/1000', '/etc/containers/systemd/users',
  ]);
  t.deepEqual(definitionFolders(true, { HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }, 1000, false).slice(2), ['/etc/berth/definitions/users', '/cfg/containers/systemd', '/etc/containers/systemd/users/1000', '/etc/containers/systemd/users']);
});

test('BERTH_UNIT_DIRS replaces Quadlet\'s folders too', (t) => {
  t.deepEqual(definitionFolders(false, { BERTH_UNIT_DIRS: '/a' }, 0, false), ['/a']);
});
