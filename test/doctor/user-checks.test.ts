import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult, DoctorHost, FileFacts } from '../../src/doctor/host.js';
import { checkIdMap, checkLinger, checkSubids, checkUserCgroups, hasEffective, runUserChecks, subidRanges } from '../../src/doctor/user-checks.js';

const alice = { uid: 1000, name: 'alice' };
const root = { uid: 0, name: 'root' };
const file = (f: Partial<FileFacts> = {}): FileFacts => ({ kind: 'file', mode: 0o755, uid: 0, gid: 0, ...f });

test('the subordinate id ranges are read by name or uid, skipping comments and malformed lines', (t) => {
  const text = '# ranges\nbob:100000:65536\nalice:165536:65536\n1000:300000:1000\nalice:x:5\nalice:1:0\n';
  t.deepEqual(subidRanges(text, alice), [{ start: 165536, count: 65536 }, { start: 300000, count: 1000 }]);
  t.deepEqual(subidRanges(text, { uid: 1001 }), []);
});

test('subuid passes with 65,536 ids, warns with fewer and fails with none or no file; root needs none', (t) => {
  const good = checkSubids('subuid', 'alice:100000:65536\n', alice);
  t.is(good.status, 'ok');
  t.is(good.summary, '65536 ids for alice (uid 1000) in /etc/subuid (100000-165535)');
  const few = checkSubids('subgid', 'alice:100000:1000\n', alice);
  t.is(few.status, 'warn');
  t.regex(few.summary, /gives alice \(uid 1000\) 1000 ids \(100000-100999\), fewer than the 65536/);
  t.regex(few.fix!, /^usermod --add-subgids 100000-165535 alice/);
  const none = checkSubids('subuid', 'bob:100000:65536\n', alice);
  t.is(none.status, 'fail');
  t.regex(none.summary, /\/etc\/subuid has no range for alice \(uid 1000\)/);
  t.is(checkSubids('subuid', undefined, alice).status, 'fail');
  t.regex(checkSubids('subuid', undefined, root).summary, /^not needed: root's user manager runs rootful podman/);
});

test('newuidmap passes setuid root or with its file capability, fails without either, and warns when getcap cannot tell', (t) => {
  const path = '/usr/bin/newuidmap';
  t.regex(checkIdMap({ program: 'newuidmap', path, file: file({ mode: 0o4755 }) }, alice).summary, /is setuid root$/);
  t.is(checkIdMap({ program: 'newuidmap', path, file: file(), caps: `${path} cap_setuid=ep` }, alice).status, 'ok');
  t.is(checkIdMap({ program: 'newgidmap', path: '/usr/bin/newgidmap', file: file(), caps: '/usr/bin/newgidmap = cap_setgid+ep' }, alice).status, 'ok');
  const lacking = checkIdMap({ program: 'newgidmap', path: '/usr/bin/newgidmap', file: file(), caps: '/usr/bin/newgidmap cap_setuid=ep' }, alice);
  t.is(lacking.status, 'fail');
  t.regex(lacking.fix!, /setcap cap_setgid=ep \/usr\/bin\/newgidmap/);
  t.is(checkIdMap({ program: 'newuidmap', path, file: file({ mode: 0o4755, uid: 1000 }) }, alice).status, 'warn', 'setuid to someone else is not root: getcap unknown');
  const missing = checkIdMap({ program: 'newuidmap' }, alice);
  t.is(missing.status, 'fail');
  t.regex(missing.fix!, /apt-get install uidmap/);
  t.is(checkIdMap({ program: 'newuidmap' }, root).status, 'ok');
});

test("getcap's two spellings of an effective capability are understood", (t) => {
  t.true(hasEffective(' cap_setuid=ep', 'cap_setuid'));
  t.true(hasEffective(' = cap_setuid+ep', 'cap_setuid'));
  t.true(hasEffective(' cap_setgid,cap_setuid=ep', 'cap_setgid'));
  t.false(hasEffective(' cap_setuid=p', 'cap_setuid'));
  t.false(hasEffective(' cap_setuid=ep', 'cap_setgid'));
});

test('lingering: a warning with the loginctl line when off', (t) => {
  t.is(checkLinger(alice, true).status, 'ok');
  const off = checkLinger(alice, false);
  t.is(off.status, 'warn');
  t.regex(off.summary, /start only at your first login and stop at your last logout/);
  t.regex(off.fix!, /^loginctl enable-linger alice/);
});

test('cgroups v1 warns a user that rootless containers get no cgroups of their own and says what berth writes; v2 and root pass', (t) => {
  t.is(checkUserCgroups({ mode: 'v2' }, alice).status, 'ok');
  const v1 = checkUserCgroups({ mode: 'v1' }, alice);
  t.is(v1.status, 'warn');
  t.regex(v1.summary, /^cgroup v1: rootless podman cannot create cgroups here.*--cgroups=no-conmon/);
  t.regex(v1.fix!, /systemd\.unified_cgroup_hierarchy=1/);
  t.is(checkUserCgroups({ mode: 'hybrid' }, root).status, 'ok');
});

test('berth doctor --user runs its checks in report order, for the calling user, against their bus', async (t) => {
  const out = (stdout: string): CommandResult => ({ started: true, exitCode: 0, stdout, stderr: '' });
  const files: Record<string, FileFacts & { content?: string; executable?: boolean }> = {
    '/proc/self/mountinfo': { ...file(), content: '25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n' },
    '/run/systemd/system': file({ kind: 'dir' }),
    '/usr/bin/podman': { ...file(), executable: true },
    '/usr/bin/systemctl': { ...file(), executable: true },
    '/usr/bin/newuidmap': { ...file({ mode: 0o4755 }), executable: true },
    '/usr/bin/newgidmap': { ...file({ mode: 0o4755 }), executable: true },
    '/usr/lib/systemd/user-generators/berth': { ...file(), executable: true, content: '#!/bin/sh\n' },
    '/etc/subuid': { ...file(), content: 'alice:100000:65536\n' },
    '/etc/subgid': { ...file(), content: 'alice:100000:65536\n' },
    '/var/lib/systemd/linger/alice': file(),
    '/bin/sh': { ...file(), executable: true },
  };
  const commands: Record<string, CommandResult> = {
    '/usr/bin/podman --version': out('podman version 4.9.4\n'),
    '/usr/bin/systemctl --version': out('systemd 252 (252)\n'),
  };
  const asked: Array<[string, boolean | undefined]> = [];
  const env = { PATH: '/usr/bin', BERTH_UNIT_DIRS: mkdtempSync(join(tmpdir(), 'berth-doctor-user-')) };
  const host: DoctorHost = {
    env, uid: 1000, account: { name: 'alice', home: '/home/alice' },
    run: async (f, args) => commands[[f, ...args].join(' ')] ?? { started: false, exitCode: -1, stdout: '', stderr: '' },
    podman: (args) => host.run('/usr/bin/podman', args),
    which: (cmd, path = env.PATH) => path.split(':').map((d) => `${d}/${cmd}`).find((p) => files[p]?.executable),
    stat: (p) => files[p] && { kind: files[p]!.kind, mode: files[p]!.mode, uid: files[p]!.uid, gid: files[p]!.gid },
    readlink: () => undefined,
    realpath: (p) => (files[p] ? p : undefined),
    isExecutable: (p) => files[p]?.executable === true,
    readFile: (p) => files[p]?.content,
    space: () => undefined,
    busName: async (name, _ms, user) => {
      asked.push([name, user]);
      return { owner: ':1.7', activatable: true };
    },
  };
  const results = await runUserChecks(host);
  t.deepEqual(results.map((r) => r.id), ['podman', 'cgroups', 'systemd', 'user-generator', 'subuid', 'subgid', 'newuidmap', 'newgidmap', 'linger', 'definitions', 'quadlet', 'agent']);
  for (const r of results) t.is(r.status, 'ok', `${r.id}: ${r.summary}`);
  t.deepEqual(asked, [['io.berth.Manager1', true]]);
  t.regex(results.at(-1)!.summary, /on your bus \(owned by :1\.7\): it serves your containers only/);
});
