import test from 'ava';
import { statfsSync } from 'node:fs';
import { cgroupsOfFsType, hostCgroups } from '../../src/engine/cgroup-version.js';

test('a cgroup2 file system on /sys/fs/cgroup is v2, the tmpfs of v1 controllers v1, anything else unknown', (t) => {
  t.deepEqual(cgroupsOfFsType(0x63677270), { version: 'v2' });
  t.deepEqual(cgroupsOfFsType(0x01021994), { version: 'v1' });
  t.is(cgroupsOfFsType(0xef53), undefined);
  t.is(cgroupsOfFsType(undefined), undefined);
});

test('the host\'s cgroups are read from the file system mounted on the folder, and a missing folder is unknown', (t) => {
  const type = statfsSync('/sys/fs/cgroup').type;
  t.deepEqual(hostCgroups(), cgroupsOfFsType(type));
  t.is(hostCgroups('/nonexistent/cgroup'), undefined);
});
