import test from 'ava';
import { compareVersions, cpuOf, freezeMicros, hostPortsOf, parseFacts, parsePublish, publishSpec, samePorts } from '../../src/checkpoint/facts.js';
import { FACTS } from './fixtures.js';


test("the CPU's model and flags come from the first processor of /proc/cpuinfo, on x86 and on ARM", (t) => {
  const x86 = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse4_2 avx2 avx fpu\n\nprocessor\t: 1\nflags\t\t: fpu\n';
  t.deepEqual(cpuOf(x86), { model: 'AMD EPYC 7B13', flags: ['avx', 'avx2', 'fpu', 'sse4_2'] });
  t.deepEqual(cpuOf('processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd aes\nCPU part\t: 0xd0c\n'), { model: '', flags: ['aes', 'asimd', 'fp'] });
  t.deepEqual(cpuOf(''), { model: '', flags: [] });
});

test("podman's --publish forms read as ports and are written back the same", (t) => {
  const cases: Array<[string, string]> = [
    ['8080:80', '8080:80/tcp'],
    ['80', '80/tcp'],
    ['127.0.0.1:8080:80/udp', '127.0.0.1:8080:80/udp'],
    ['127.0.0.1::80', '127.0.0.1::80/tcp'],
    ['[::1]:8080:80', '[::1]:8080:80/tcp'],
    ['8000-8002:9000-9002/tcp', '8000-8002:9000-9002/tcp'],
  ];
  for (const [spec, written] of cases) t.deepEqual(parsePublish(spec)?.map(publishSpec), [written], spec);
  t.deepEqual(parsePublish('53:53/tcp,udp')?.map(publishSpec), ['53:53/tcp', '53:53/udp']);
  for (const bad of ['x:80', '8080:80/icmp', '1:2:3:4', '8000-8001:80', '70000:80']) t.is(parsePublish(bad), undefined, bad);
});

test('ports compare as sets, and a range takes each of its host ports', (t) => {
  const a = [...parsePublish('8080:80')!, ...parsePublish('53:53/udp')!];
  t.true(samePorts(a, [...a].reverse()));
  t.false(samePorts(a, parsePublish('8081:80')!));
  t.deepEqual(hostPortsOf(parsePublish('8000-8002:9000-9002')![0]!), ['tcp/8000', 'tcp/8001', 'tcp/8002']);
  t.deepEqual(hostPortsOf(parsePublish('80')![0]!), []);
});

test("the freeze time is CRIU's frozen_time from podman's statistics, when there is one", (t) => {
  t.is(freezeMicros({ container_statistics: [{ criu_statistics: { freezing_time: 5, frozen_time: 169005 } }] }), 169005);
  for (const stats of [undefined, {}, { container_statistics: [] }, { container_statistics: [{ criu_statistics: { frozen_time: 'x' } }] }]) {
    t.is(freezeMicros(stats), undefined, JSON.stringify(stats));
  }
});

test('versions compare number by number, and words without numbers do not compare', (t) => {
  t.is(compareVersions('4.2.1', '4.10'), -1);
  t.is(compareVersions('3.19', '3.19.0'), 0);
  t.is(compareVersions('1.1.5+ds1', '1.1.4'), 1);
  t.is(compareVersions('unknown', '4.2'), undefined);
});

test("a manifest's facts are checked field by field", (t) => {
  t.deepEqual(parseFacts(JSON.parse(JSON.stringify(FACTS))), FACTS);
  t.throws(() => parseFacts([]), { message: /not an object/ });
  t.throws(() => parseFacts({ ...FACTS, kernel: 6 }), { message: /string kernel/ });
  t.throws(() => parseFacts({ ...FACTS, cpuFlags: 'fpu' }), { message: /cpuFlags/ });
  t.throws(() => parseFacts({ ...FACTS, ports: [{ hostPort: 1 }] }), { message: /ports/ });
});
