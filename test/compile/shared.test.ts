import test from 'ava';
import { absolutePath, addNetworks, addVolumes, storageSource, unlessExists, userMappings } from '../../src/compile/shared.js';
import { jobFor } from '../helpers/definitions.js';

const OTHERS = { 'db.volume': '[Volume]\nVolumeName=data\n', 'lan.network': '[Network]\n', 'web.container': '[Container]\nImage=x\nContainerName=front\n' };

test('relative paths are relative to the definition\'s folder; absolute ones and specifiers stay', (t) => {
  const { unit } = jobFor('app.container', '[Container]\nImage=x\n');
  t.is(absolutePath(unit, 'www'), '/etc/berth/definitions/www');
  t.is(absolutePath(unit, '/srv'), '/srv');
  t.is(absolutePath(unit, '%h/x'), '%h/x');
  t.is(absolutePath(unit, '%%x'), '/etc/berth/definitions/%%x');
});

test('volumes resolve a .volume to its name with a dependency, and want an absolute source mounted first', (t) => {
  const job = jobFor('app.container', '[Container]\nImage=x\nVolume=db.volume:/d:Z\nVolume=/srv/a b:/e\nVolume=/anon\nVolume=./www:/w\n', { others: OTHERS });
  addVolumes(job);
  t.deepEqual(job.cmd.args, ['-v', 'data:/d:Z', '-v', '/srv/a b:/e', '-v', '/anon', '-v', '/etc/berth/definitions/www:/w']);
  t.deepEqual(job.service.list('Unit', 'Requires').map((e) => e.value), ['db-volume.service']);
  t.deepEqual(job.service.list('Unit', 'RequiresMountsFor').map((e) => e.value), ['"/srv/a b"', '/etc/berth/definitions/www']);
});

test('networks resolve a .network and a .container, refuse options on a container, and say what pasta needs', (t) => {
  const job = jobFor('app.container', '[Container]\nImage=x\nNetwork=lan.network:ip=10.0.0.2\nNetwork=web.container\nNetwork=pasta\n', { others: OTHERS });
  const needs = addNetworks(job);
  t.deepEqual(job.cmd.args, ['--network', 'systemd-lan:ip=10.0.0.2', '--network', 'container:front', '--network', 'pasta']);
  t.deepEqual(needs.map((n) => [n.entry.line, n.gate?.name]), [[5, 'run --network=pasta']]);
  const bad = jobFor('app.container', '[Container]\nImage=x\nNetwork=web.container:x\n', { others: OTHERS });
  t.throws(() => addNetworks(bad), { message: /app\.container:3:1: Network: extra options are not supported/ });
});

test('a storage source that names a missing definition is an error at its line', (t) => {
  const job = jobFor('app.container', '[Container]\nImage=x\nVolume=nope.volume:/d\n');
  t.throws(() => storageSource(job, job.unit.last('Container', 'Volume')!, 'nope.volume', false), { message: /app\.container:3:1: Volume: requested Quadlet source nope\.volume was not found/ });
});

test('user mappings become --userns and --uidmap, and say what their values need', (t) => {
  const job = jobFor('app.container', '[Container]\nImage=x\nUserNS=keep-id:uid=1000\nUIDMap=0:@1000:1\n');
  const needs = userMappings(job, true);
  t.deepEqual(job.cmd.args, ['--userns', 'keep-id:uid=1000', '--uidmap', '0:@1000:1']);
  t.deepEqual(needs.map((n) => n.gate?.name), ['run --userns=keep-id', 'run --userns=keep-id (root)', 'run --userns=keep-id:uid', 'run --uidmap @']);
  const remap = jobFor('app.container', '[Container]\nImage=x\nRemapUsers=auto\nRemapUid=0:1:10\nRemapUidSize=99\n');
  userMappings(remap, true);
  t.deepEqual(remap.cmd.args, ['--userns', 'auto:uidmapping=0:1:10,size=99']);
  const mixed = jobFor('app.container', '[Container]\nImage=x\nUserNS=host\nRemapUsers=auto\n');
  t.throws(() => userMappings(mixed, true), { message: /RemapUsers: deprecated Remap keys are set along with explicit mapping keys/ });
});

test('the create-unless-exists script quotes for /bin/sh and runs the create with exec', (t) => {
  t.is(unlessExists(['podman', 'volume', 'exists', 'a b'], ['podman', 'volume', 'create', "it's"]), "podman volume exists 'a b' || exec podman volume create 'it'\\''s'");
});
