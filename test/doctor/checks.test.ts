import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cgroupFacts,
  checkAgent,
  checkCgroups,
  checkCheckpointDir,
  checkCriu,
  checkGenerator,
  checkQuadlet,
  checkRuntime,
  checkSystemd,
  FAIL_FREE,
  quadletFacts,
  runChecks,
  type CheckResult,
} from '../../src/doctor/checks.js';
import type { BusAnswer, CommandResult, DoctorHost, FileFacts } from '../../src/doctor/host.js';
import { formatJson, formatText, tally } from '../../src/doctor/report.js';
import { podmanPath } from '../../src/engine/podman-version.js';

type FakeFile = FileFacts & { content?: string; target?: string; executable?: boolean };

interface FakeSpec {
  env?: NodeJS.ProcessEnv;
  uid?: number;
  commands?: Record<string, CommandResult>;
  files?: Record<string, Partial<FakeFile>>;
  space?: { free: number; total: number };
  bus?: BusAnswer;
}

const GiB = 1024 ** 3;
const out = (stdout: string, exitCode = 0, stderr = ''): CommandResult => ({ started: true, exitCode, stdout, stderr });

const MOUNTINFO_V2 = '25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n';
const MOUNTINFO_HYBRID =
  '25 1 0:22 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n26 25 0:23 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n27 25 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
const MOUNTINFO_V1 = '25 1 0:22 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n27 25 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';

const RUNC_INFO = JSON.stringify({
  host: { ociRuntime: { name: 'runc', path: '/usr/bin/runc', version: 'runc version 1.1.12\nspec: 1.0.2-dev' }, cgroupVersion: 'v2', security: { rootless: false } },
});

/** A host where everything is as it should be; `spec` changes parts of it. */
function fakeHost(spec: FakeSpec = {}): DoctorHost {
  const file = (f: Partial<FakeFile>): FakeFile => ({ kind: 'file', mode: 0o644, uid: 0, gid: 0, ...f });
  const files: Record<string, FakeFile> = {
    '/proc/self/mountinfo': file({ content: MOUNTINFO_V2 }),
    '/proc/1/comm': file({ content: 'systemd\n' }),
    '/run/systemd/system': file({ kind: 'dir', mode: 0o755 }),
    '/usr/bin/podman': file({ mode: 0o755, executable: true }),
    '/usr/sbin/criu': file({ mode: 0o755, executable: true }),
    '/usr/bin/systemctl': file({ mode: 0o755, executable: true }),
    '/usr/bin/node': file({ mode: 0o755, executable: true }),
    '/usr/lib/systemd/system-generators/berth': file({ kind: 'symlink', target: '/usr/libexec/berth/berth-generator.cjs' }),
    '/usr/lib/systemd/user-generators/berth': file({ kind: 'symlink', target: '/usr/libexec/berth/berth-generator.cjs' }),
    '/usr/libexec/berth/berth-generator.cjs': file({ mode: 0o755, executable: true, content: '#!/usr/bin/node\n// …' }),
    '/var/lib/berth/checkpoints': file({ kind: 'dir', mode: 0o700 }),
    '/var/lib/berth': file({ kind: 'dir', mode: 0o755 }),
    '/var/lib': file({ kind: 'dir', mode: 0o755 }),
    '/var': file({ kind: 'dir', mode: 0o755 }),
    '/': file({ kind: 'dir', mode: 0o755 }),
  };
  for (const [path, f] of Object.entries(spec.files ?? {})) {
    if (f === undefined || (f as { kind?: string }).kind === ('gone' as string)) delete files[path];
    else files[path] = file({ ...files[path], ...f });
  }
  const commands: Record<string, CommandResult> = {
    '/usr/bin/podman --version': out('podman version 4.3.1\n'),
    '/usr/bin/podman info --format json': out(RUNC_INFO),
    '/usr/sbin/criu --version': out('Version: 4.2\n'),
    '/usr/sbin/criu check': out('Looks good.\n'),
    '/usr/bin/systemctl --version': out('systemd 252 (252.39-1)\n+PAM +AUDIT\n'),
    ...spec.commands,
  };
  const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin', BERTH_UNIT_DIRS: mkdtempSync(join(tmpdir(), 'berth-doctor-')), ...spec.env };
  const resolve = (p: string): string | undefined => {
    let cur = p;
    for (let i = 0; i < 10; i++) {
      const f = files[cur];
      if (!f) return undefined;
      if (f.kind !== 'symlink') return cur;
      cur = f.target!;
    }
    return undefined;
  };
  const host: DoctorHost = {
    env,
    uid: spec.uid ?? 0,
    run: async (file, args) => commands[[file, ...args].join(' ')] ?? { started: false, exitCode: -1, stdout: '', stderr: `${file}: not found` },
    podman: (args, timeoutMs) => host.run(podmanPath(env), args, timeoutMs),
    which: (cmd, path = env['PATH'] ?? '') => {
      for (const dir of path.split(':')) if (dir && files[`${dir}/${cmd}`]?.executable) return `${dir}/${cmd}`;
      return undefined;
    },
    stat: (path, follow = true) => {
      const p = follow ? resolve(path) : files[path] ? path : undefined;
      if (!p) return undefined;
      const { kind, mode, uid, gid } = files[p]!;
      return { kind, mode, uid, gid };
    },
    readlink: (path) => files[path]?.target,
    realpath: (path) => (files[path]?.target === '/dev/null' ? '/dev/null' : resolve(path)),
    isExecutable: (path) => {
      const p = resolve(path);
      return p !== undefined && files[p]!.executable === true;
    },
    readFile: (path) => files[resolve(path) ?? '']?.content,
    space: () => spec.space ?? { free: 50 * GiB, total: 100 * GiB },
    busName: async () => spec.bus ?? { owner: ':1.42', activatable: true },
  };
  return host;
}

const byId = (results: CheckResult[], id: string) => results.filter((r) => r.id === id);

test('every check passes on a healthy host, in report order', async (t) => {
  const results = await runChecks(fakeHost());
  t.deepEqual(results.map((r) => r.id), ['podman', 'runtime', 'criu', 'cgroups', 'systemd', 'system-generator', 'user-generator', 'agent', 'definitions', 'quadlet', 'checkpoint-dir']);
  for (const r of results) t.is(r.status, 'ok', `${r.id}: ${r.summary}`);
  t.regex(byId(results, 'podman')[0]!.summary, /podman 4\.3\.1 at \/usr\/bin\/podman \(no Quadlet of its own/);
  t.regex(byId(results, 'runtime')[0]!.summary, /^runc 1\.1\.12 at \/usr\/bin\/runc supports checkpoints \(through CRIU\)$/);
  t.regex(byId(results, 'criu')[0]!.summary, /criu 4\.2 at \/usr\/sbin\/criu: criu check says it looks good/);
  t.regex(byId(results, 'system-generator')[0]!.summary, /berth → \/usr\/libexec\/berth\/berth-generator\.cjs \(run by \/usr\/bin\/node\)/);
  t.regex(byId(results, 'agent')[0]!.summary, /io\.berth\.Manager1 is on the system bus \(owned by :1\.42\)/);
  for (const r of results) t.is(r.fix, undefined);
});

test('without criu on PATH, checkpoints are unavailable and the fix says how to get CRIU', async (t) => {
  const results = await runChecks(fakeHost({ env: { PATH: '/usr/bin' } }));
  const [criu] = byId(results, 'criu');
  t.is(criu!.status, 'fail');
  t.regex(criu!.summary, /criu is not on PATH: checkpoints are unavailable/);
  t.regex(criu!.fix!, /dnf install criu/);
  t.regex(criu!.fix!, /PATH is \/usr\/bin/);
  t.is(tally(results).fail, 1);
});

test('a failing criu check, an old CRIU and a criu check not run as root are told apart', (t) => {
  const failed = checkCriu({ path: '/usr/sbin/criu', version: { major: 3, minor: 17, patch: 0 }, versionText: '3.17', check: { passed: false, output: 'Error (criu/vdso.c:265): vdso: Unexpected rt vDSO area bounds' } }, '/usr/sbin');
  t.is(failed.status, 'fail');
  t.regex(failed.summary, /criu check failed \(Error \(criu\/vdso\.c:265\): vdso: Unexpected rt vDSO area bounds\): checkpoints are unavailable/);
  const old = checkCriu({ path: '/usr/sbin/criu', version: { major: 3, minor: 9, patch: 0 }, versionText: '3.9', check: { passed: true, output: 'Looks good.' } }, '');
  t.is(old.status, 'fail');
  t.regex(old.summary, /older than 3\.11/);
  const notRoot = checkCriu({ path: '/usr/sbin/criu', version: { major: 4, minor: 2, patch: 0 }, versionText: '4.2' }, '');
  t.is(notRoot.status, 'warn');
  t.regex(notRoot.fix!, /as root/);
});

test('crun without CRIU cannot checkpoint, and crun cannot run on hybrid cgroups', (t) => {
  const crun = (version: string) => ({ runtime: { name: 'crun', path: '/usr/bin/crun', version } });
  const noCriu = checkRuntime(crun('crun version 1.8.1\n+SYSTEMD +SELINUX +CAP +SECCOMP +YAJL'), { mode: 'v2' }, 0);
  t.is(noCriu.status, 'fail');
  t.regex(noCriu.summary, /built without CRIU .*checkpoints are unavailable/);
  t.regex(noCriu.fix!, /runtime = "runc"/);
  t.is(checkRuntime(crun('crun version 1.14\n+SYSTEMD +CRIU +YAJL'), { mode: 'v2' }, 0).status, 'ok');
  const hybrid = checkRuntime(crun('crun version 1.14\n+CRIU'), { mode: 'hybrid' }, 0);
  t.is(hybrid.status, 'fail');
  t.regex(hybrid.summary, /hybrid cgroups/);
  t.is(checkRuntime({ runtime: { name: 'runc', version: 'runc version 1.1.5' } }, { mode: 'hybrid' }, 0).status, 'ok');
  t.is(checkRuntime({ runtime: { name: 'runc' }, rootless: true }, { mode: 'v2' }, 1000).status, 'warn');
  const none = checkRuntime({ error: 'podman info did not answer within 30 s' }, { mode: 'v2' }, 0);
  t.is(none.status, 'fail');
  t.regex(none.summary, /did not answer within 30 s/);
});

test('the cgroup mode is read from the mounts', (t) => {
  const mode = (content: string) => cgroupFacts(fakeHost({ files: { '/proc/self/mountinfo': { content } } })).mode;
  t.is(mode(MOUNTINFO_V2), 'v2');
  t.is(mode(MOUNTINFO_HYBRID), 'hybrid');
  t.is(mode(MOUNTINFO_V1), 'v1');
  t.is(mode(''), 'unknown');
  t.is(checkCgroups({ mode: 'unknown' }).status, 'warn');
  t.is(checkCgroups({ mode: 'hybrid' }).status, 'ok');
});

test('a PID 1 that is not systemd is a warning, and so is the missing bus there', async (t) => {
  const notBooted = { booted: false, pid1: 'process_api', version: 252, versionText: '252.39-1' };
  const s = checkSystemd(notBooted);
  t.is(s.status, 'warn');
  t.regex(s.summary, /PID 1 is not systemd \(it is process_api\), though systemd 252\.39-1 is installed/);
  const bus: BusAnswer = { error: 'connect ENOENT /run/dbus/system_bus_socket', activatable: false };
  t.is((await checkAgent(fakeHost({ bus }), notBooted)).status, 'warn');
  t.is((await checkAgent(fakeHost({ bus }), { ...notBooted, booted: true })).status, 'fail');
  t.is(checkSystemd({ booted: true, version: 219, versionText: '219' }).status, 'warn');
});

test("the agent's bus name passes when owned or activatable, and fails with a fix when neither", async (t) => {
  const booted = { booted: true, version: 252, versionText: '252' };
  t.regex((await checkAgent(fakeHost({ bus: { activatable: true } }), booted)).summary, /activatable: the bus starts the agent at the first call/);
  const missing = await checkAgent(fakeHost({ bus: { activatable: false } }), booted);
  t.is(missing.status, 'fail');
  t.regex(missing.fix!, /\/usr\/share\/dbus-1\/system-services\/io\.berth\.Manager1\.service/);
});

test('generator links: a missing system one fails, a missing user one warns, masked and interpreter-less ones fail', (t) => {
  const gone = { kind: 'gone' } as unknown as Partial<FakeFile>;
  const noLinks = fakeHost({ files: { '/usr/lib/systemd/system-generators/berth': gone, '/usr/lib/systemd/user-generators/berth': gone } });
  t.is(checkGenerator(noLinks, 'system').status, 'fail');
  t.is(checkGenerator(noLinks, 'user').status, 'warn');
  const masked = fakeHost({ files: { '/etc/systemd/system-generators/berth': { kind: 'symlink', target: '/dev/null' } } });
  const m = checkGenerator(masked, 'system');
  t.is(m.status, 'fail');
  t.regex(m.summary, /\/etc\/systemd\/system-generators\/berth is masked/);
  const noNode = fakeHost({ files: { '/usr/bin/node': gone } });
  const n = checkGenerator(noNode, 'system');
  t.is(n.status, 'fail');
  t.regex(n.summary, /needs \/usr\/bin\/node, which is missing/);
  t.regex(n.fix!, /nodejs:20/);
  const dangling = fakeHost({ files: { '/usr/libexec/berth/berth-generator.cjs': gone } });
  t.regex(checkGenerator(dangling, 'system').summary, /which does not exist/);
  const withFlags = (first: string, files: Record<string, Partial<FakeFile>> = {}) =>
    checkGenerator(fakeHost({ files: { '/usr/libexec/berth/berth-generator.cjs': { mode: 0o755, executable: true, content: `${first}\n// …` }, ...files } }), 'system');
  t.regex(withFlags('#!/usr/bin/node --max-semi-space-size=2').summary, /run by \/usr\/bin\/node/);
  t.regex(withFlags('#!/usr/bin/env -S node --max-semi-space-size=2').summary, /run by \/usr\/bin\/node/);
  t.regex(withFlags('#!/usr/bin/env -S node --max-semi-space-size=2', { '/usr/bin/node': gone }).summary, /needs node on systemd's PATH/);
});

test('a checkpoint folder others can read fails, and so does one almost full; a missing one warns', (t) => {
  const use = { containers: ['web.container'], capped: 0 };
  const open = checkCheckpointDir(fakeHost({ files: { '/var/lib/berth/checkpoints': { mode: 0o755 } } }), '/var/lib/berth/checkpoints', use);
  t.is(open.status, 'fail');
  t.is(open.fix, 'chmod 0700 /var/lib/berth/checkpoints');
  const full = checkCheckpointDir(fakeHost({ space: { free: FAIL_FREE - 1, total: 10 * GiB } }), '/var/lib/berth/checkpoints', use);
  t.is(full.status, 'fail');
  t.regex(full.summary, /the next checkpoint will not fit/);
  const low = checkCheckpointDir(fakeHost({ space: { free: 0.5 * GiB, total: 10 * GiB } }), '/var/lib/berth/checkpoints', use);
  t.is(low.status, 'warn');
  const capped = checkCheckpointDir(fakeHost({ space: { free: 5 * GiB, total: 10 * GiB } }), '/var/lib/berth/checkpoints', { containers: ['a.container'], capped: 8 * GiB });
  t.is(capped.status, 'warn');
  t.regex(capped.summary, /MaxTotalSize= caps/);
  const missing = checkCheckpointDir(fakeHost(), '/srv/ckpt', use);
  t.is(missing.status, 'warn');
  t.regex(missing.summary, /does not exist yet \(used by web\.container\); 50\.0 GiB free of 100\.0 GiB where it will be/);
  const foreign = checkCheckpointDir(fakeHost({ files: { '/var/lib/berth/checkpoints': { uid: 1000 } } }), '/var/lib/berth/checkpoints', use);
  t.is(foreign.status, 'fail');
});

test("every [Checkpoint] Directory= in the definitions gets its own folder check", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-doctor-defs-'));
  writeFileSync(join(dir, 'a.container'), '[Container]\nImage=img\n[Checkpoint]\nDirectory=/srv/ckpt\nMaxTotalSize=2G\n');
  writeFileSync(join(dir, 'b.container'), '[Container]\nImage=img\n[Checkpoint]\nOnCalendar=hourly\n');
  writeFileSync(join(dir, 'broken.container'), '[Container]\nthis is not a line\n');
  const results = await runChecks(fakeHost({ env: { BERTH_UNIT_DIRS: dir } }));
  const folders = byId(results, 'checkpoint-dir');
  t.deepEqual(folders.map((f) => f.details?.['path']), ['/var/lib/berth/checkpoints', '/srv/ckpt']);
  t.deepEqual(folders.map((f) => f.details?.['containers']), [['b.container'], ['a.container']]);
  const [defs] = byId(results, 'definitions');
  t.is(defs!.status, 'warn');
  t.regex(defs!.summary, /2 definition\(s\) read; 1 cannot be read/);
});

test('the text report aligns each verdict with its fix and a tally; --json carries the same', async (t) => {
  const results = await runChecks(fakeHost({ env: { PATH: '/usr/bin' } }));
  const text = formatText(results, 'berth doctor: test');
  t.regex(text, /^berth doctor: test\n\n/);
  t.regex(text, /^FAIL  criu {15}criu is not on PATH: checkpoints are unavailable/m);
  t.regex(text, /^ {25}fix: install CRIU \(dnf install criu\)/m);
  t.regex(text, /\n11 checks: 10 ok, 0 warning\(s\), 1 failed\n$/);
  const json = JSON.parse(formatJson(results, { berth: '0.1.0' })) as { ok: boolean; summary: { fail: number }; checks: CheckResult[] };
  t.false(json.ok);
  t.is(json.summary.fail, 1);
  t.deepEqual(json.checks.find((c) => c.id === 'criu'), results.find((c) => c.id === 'criu'));
});

test('the quadlet check says which rule applies, and names a unit both generators would write with its two paths', (t) => {
  const ours = mkdtempSync(join(tmpdir(), 'berth-ours-'));
  const theirs = mkdtempSync(join(tmpdir(), 'berth-quadlet-'));
  writeFileSync(join(ours, 'web.container'), '[Container]\nImage=x\n');
  writeFileSync(join(theirs, 'web.container'), '[Container]\nImage=x\n');
  writeFileSync(join(theirs, 'other.container'), '[Container]\nImage=x\n');

  const without = checkQuadlet(quadletFacts(fakeHost({ env: { BERTH_UNIT_DIRS: ours } }), 'system', [theirs]));
  t.is(without.status, 'ok');
  t.regex(without.summary, new RegExp(`^podman has no Quadlet generator here: berth also reads ${theirs}, after its own folders; ${ours}/web.container hides ${theirs}/web.container$`));

  const link = '/usr/lib/systemd/system-generators/podman-system-generator';
  const withQuadlet = fakeHost({
    env: { BERTH_UNIT_DIRS: ours },
    files: { [link]: { kind: 'symlink', target: '/usr/libexec/podman/quadlet' }, '/usr/libexec/podman/quadlet': { executable: true } },
  });
  const both = checkQuadlet(quadletFacts(withQuadlet, 'system', [theirs]));
  t.is(both.status, 'warn');
  t.regex(both.summary, new RegExp(`and berth both write this unit: web.service \\(${ours}/web.container and ${theirs}/web.container\\); systemd runs generators in parallel`));
  t.regex(both.fix!, /keep each definition in one place/);
  t.deepEqual((both.details!['overlaps'] as unknown[]).length, 1);

  writeFileSync(join(ours, 'web.container'), '[Container]\nImage=x\nServiceName=web2\n');
  const apart = checkQuadlet(quadletFacts(withQuadlet, 'system', [theirs]));
  t.is(apart.status, 'ok');
  t.regex(apart.summary, /^podman's Quadlet generator runs \(\/usr\/lib\/systemd\/system-generators\/podman-system-generator\): it compiles .*; berth reads only its own folders$/);

  const masked = fakeHost({ files: { ['/etc/systemd/system-generators/podman-system-generator']: { kind: 'symlink', target: '/dev/null' }, [link]: { kind: 'symlink', target: '/usr/libexec/podman/quadlet' }, '/usr/libexec/podman/quadlet': {} } });
  t.regex(checkQuadlet(quadletFacts(masked, 'system', [theirs])).summary, /^podman's Quadlet generator is masked \(\/etc\/systemd\/system-generators\/podman-system-generator\): berth also reads/);
});

test("berth doctor --user's quadlet check follows podman's user generator and the user's folders", (t) => {
  const ours = mkdtempSync(join(tmpdir(), 'berth-ours-'));
  const theirs = mkdtempSync(join(tmpdir(), 'berth-quadlet-'));
  writeFileSync(join(ours, 'web.container'), '[Container]\nImage=x\n');
  writeFileSync(join(theirs, 'web.container'), '[Container]\nImage=x\n');
  const systemOnly = fakeHost({ env: { BERTH_UNIT_DIRS: ours }, files: { '/usr/lib/systemd/system-generators/podman-system-generator': { kind: 'symlink', target: '/usr/libexec/podman/quadlet' }, '/usr/libexec/podman/quadlet': { executable: true } } });
  const facts = quadletFacts(systemOnly, 'user', [theirs]);
  t.is(facts.generator.state, 'absent');
  t.regex(checkQuadlet(facts).summary, /no podman-user-generator link runs it: berth also reads/);
  const both = fakeHost({ env: { BERTH_UNIT_DIRS: ours }, files: { '/usr/lib/systemd/user-generators/podman-user-generator': { kind: 'symlink', target: '/usr/libexec/podman/quadlet' }, '/usr/libexec/podman/quadlet': { executable: true } } });
  const warned = checkQuadlet(quadletFacts(both, 'user', [theirs]));
  t.is(warned.status, 'warn');
  t.regex(warned.fix!, /then systemctl --user daemon-reload$/);
});
