import test from 'ava';
import type { Manifest } from '../../src/checkpoint/manifest.js';
import { describePlan, planRestore, runNetwork, type Here } from '../../src/checkpoint/restore-plan.js';
import { runHash } from '../../src/checkpoint/take.js';
import { FACTS, fields } from './fixtures.js';

const ARGV = ['/usr/bin/podman', 'run', '--name', 'systemd-web', '--replace', '--rm', '-d', '--publish', '8080:80', 'localhost/busybox:latest', 'httpd', '-p', '80'];

const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  format: 1, ...fields({ runHash: runHash(ARGV) }), createdAt: '2025-03-01T10:00:00.000Z', size: 10, sha256: '0'.repeat(64), compress: 'zstd', facts: FACTS, ...over,
});

const here = (over: Partial<Here> = {}, host: Partial<Here['host']> = {}): Here => ({
  host: { kernel: FACTS.kernel, arch: FACTS.arch, cpuModel: FACTS.cpuModel, cpuFlags: FACTS.cpuFlags, podmanVersion: '5.4.0', criuVersion: '4.0', ...host },
  runtime: { path: '/usr/bin/runc', version: FACTS.runtimeVersion },
  imagePresent: true,
  portsInUse: new Set(),
  ...over,
});

const intent = { container: 'systemd-web', argv: ARGV };

test('an archive made on a host like this one is restored as it is, with no extra flags', (t) => {
  const plan = planRestore(manifest(), here(), intent);
  t.deepEqual(plan, { ok: true, refusals: [], notes: [], flags: { tcpEstablished: false, fileLocks: false } });
  t.deepEqual(describePlan(plan), ['podman container restore --import ARCHIVE']);
});

test("a CPU that lacks a flag of the dumping CPU, another architecture, an older CRIU, a missing runtime or image are each refused with the reason", (t) => {
  const cases: Array<[Here, RegExp]> = [
    [here({}, { cpuFlags: ['avx', 'fpu'], cpuModel: 'Old Xeon' }), /^this host's CPU \(Old Xeon\) lacks avx2, sse4_2, which the CPU it was dumped on \(AMD EPYC 7B13\) has/],
    [here({}, { arch: 'aarch64' }), /^it was dumped on x86_64, and this host is aarch64$/],
    [here({}, { criuVersion: '3.17.1' }), /^CRIU 3\.17\.1 here is older than CRIU 4\.0, which dumped it$/],
    [here({ runtime: { version: 'unknown' } }), /^it was dumped by the OCI runtime runc, which this host does not have/],
    [here({ imagePresent: false }), /^its image localhost\/busybox:latest \(dddddddddddd\) is not on this host: pull it first/],
  ];
  for (const [h, reason] of cases) {
    const plan = planRestore(manifest(), h, intent);
    t.false(plan.ok);
    t.is(plan.refusals.length, 1, plan.refusals.join('\n'));
    t.regex(plan.refusals[0]!, reason);
    t.regex(describePlan(plan)[0]!, /^refused: /);
  }
});

test('what differs but works is noted: a newer CRIU and podman, another kernel, runtime version and CPU model with every flag', (t) => {
  const plan = planRestore(manifest(), here({ runtime: { path: '/usr/bin/runc', version: '1.2.0' } }, { criuVersion: '4.1', podmanVersion: '5.5.0', kernel: '6.12.0', cpuModel: 'Newer EPYC', cpuFlags: [...FACTS.cpuFlags, 'avx512f'] }), intent);
  t.true(plan.ok);
  t.deepEqual(plan.notes, [
    'made with podman 5.4.0, restored with 5.5.0',
    'dumped on AMD EPYC 7B13, restored on Newer EPYC (which has every flag it had)',
    'dumped by runc 1.1.5+ds1, restored by runc 1.2.0',
    'dumped on kernel 6.1.0-28-amd64, restored on 6.12.0',
  ]);
  t.true(planRestore(manifest(), here({}, { criuVersion: 'unknown' }), intent).notes.some((n) => /cannot be compared/.test(n)));
});

test('a host port another program holds refuses the restore, but the one the definition\'s own running container holds does not', (t) => {
  const busy = here({ portsInUse: new Set(['tcp/8080', 'udp/8080']) });
  const plan = planRestore(manifest(), busy, intent);
  t.false(plan.ok);
  t.deepEqual(plan.refusals, ['host port tcp/8080 is taken on this host by another program: free it, or change PublishPort= in the definition']);
  t.true(planRestore(manifest(), busy, { ...intent, running: true }).ok);
});

test('a definition that publishes other ports than the archive restores with --publish, as the definition says', (t) => {
  const argv = [...ARGV.slice(0, 7), '-p', '127.0.0.1:9090:80/tcp', '--publish=53:53/udp', ...ARGV.slice(9)];
  const plan = planRestore(manifest(), here({ portsInUse: new Set(['tcp/8080']) }), { container: 'systemd-web', argv });
  t.true(plan.ok, plan.refusals.join());
  t.deepEqual(plan.flags.publish, ['127.0.0.1:9090:80/tcp', '53:53/udp']);
  t.regex(plan.notes[0]!, /^published as the definition says: 127\.0\.0\.1:9090:80\/tcp, 53:53\/udp \(the archive had 8080:80\/tcp\)$/);
  t.regex(describePlan(plan).at(-1)!, /--publish 127\.0\.0\.1:9090:80\/tcp --publish 53:53\/udp$/);
});

test("a static address or MAC the definition does not ask for is dropped with --ignore-static-ip and --ignore-static-mac; one it asks for is kept", (t) => {
  // Made from a definition that asked for them; this one no longer does.
  const argv = [...ARGV.slice(0, 7), '--ip', '10.88.0.9', '--mac-address=92:d0:c6:0a:29:33', ...ARGV.slice(7)];
  const pinned = manifest({ runHash: runHash(argv), facts: { ...FACTS, staticIPs: ['10.88.0.9'], staticMACs: ['92:d0:c6:0a:29:33'] } });
  t.like(planRestore(pinned, here(), intent), { ok: true, flags: { ignoreStaticIp: true, ignoreStaticMac: true } });
  const kept = planRestore(pinned, here(), { container: 'systemd-web', argv });
  t.is(kept.flags.ignoreStaticIp, undefined);
  t.is(kept.flags.ignoreStaticMac, undefined);
});

test('an archive of another container is restored under the definition\'s name, unless it holds established TCP connections', (t) => {
  const plan = planRestore(manifest(), here(), { container: 'web2' });
  t.like(plan, { ok: true, flags: { name: 'web2' } });
  const tcp = planRestore(manifest({ tcpEstablished: true }), here(), { container: 'web2' });
  t.false(tcp.ok);
  t.regex(tcp.refusals[0]!, /holds established TCP connections, which podman cannot restore under another name/);
  t.like(planRestore(manifest({ tcpEstablished: true }), here(), intent), { ok: true, flags: { tcpEstablished: true } });
});

test('an archive from before facts is restored as before, with a note that nothing could be compared', (t) => {
  const { facts: _f, ...old } = manifest();
  const plan = planRestore(old, here({ imagePresent: false, portsInUse: new Set(['tcp/8080']) }, { cpuFlags: [] }), intent);
  t.true(plan.ok);
  t.regex(plan.notes[0]!, /records no host facts/);
});

test("a podman run command line's ports and addresses are read from its options only, up to the image", (t) => {
  t.deepEqual(runNetwork(['podman', 'run', '--rm', '-d', '--ip=10.0.0.2', '--publish', '8080:80', '--mac-address', 'aa:bb:cc:dd:ee:ff', 'img', 'httpd', '-p', '9999:1']), {
    ports: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }],
    ips: ['10.0.0.2'],
    macs: ['aa:bb:cc:dd:ee:ff'],
  });
  t.deepEqual(runNetwork(['podman', 'ps']), { ports: [], ips: [], macs: [] });
});
