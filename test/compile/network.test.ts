import test from 'ava';
import { splitWords } from '../../src/unit/quote.js';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';

const compile = (text: string, opts: CompileOptions & { fileName?: string } = {}) => compileOne(opts.fileName ?? 'lan.network', text, opts);


test('a network definition becomes a oneshot service running podman network create --ignore', (t) => {
  const { argv, service, errors } = compile('[Network]\n');
  t.deepEqual(errors, []);
  t.deepEqual(argv, ['/usr/bin/podman', 'network', 'create', '--ignore', 'systemd-lan']);
  t.is(service!.get('Service', 'Type'), 'oneshot');
  t.is(service!.get('Service', 'RemainAfterExit'), 'yes');
});

test('subnets pair with gateways and ranges by position; the other keys become their flags', (t) => {
  const { argv, argvOf, errors } = compile(`[Network]
NetworkName=backend
Subnet=10.1.0.0/24
Subnet=fd00::/64
Gateway=10.1.0.1
IPRange=10.1.0.128/25
Driver=bridge
IPv6=yes
Internal=no
DNS=9.9.9.9
DNS=1.1.1.1
Options=mtu=9000 isolate=true
Label=app=shop
NetworkDeleteOnStop=yes
`);
  t.deepEqual(errors, []);
  t.deepEqual(argv, [
    '/usr/bin/podman', 'network', 'create', '--ignore', '--internal=false', '--ipv6', '--driver', 'bridge',
    '--dns', '9.9.9.9', '--dns', '1.1.1.1',
    '--subnet', '10.1.0.0/24', '--gateway', '10.1.0.1', '--ip-range', '10.1.0.128/25', '--subnet', 'fd00::/64',
    '--opt', 'isolate=true', '--opt', 'mtu=9000', '--label', 'app=shop', 'backend',
  ]);
  t.deepEqual(argvOf('ExecStopPost'), ['/usr/bin/podman', 'network', 'rm', 'backend']);
});

test('a container on a template network joins that instance\'s network after its service', (t) => {
  const { units, errors } = compile('[Network]\n', {
    fileName: 'lan@.network',
    others: { 'web@.container': '[Container]\nImage=img\nNetwork=lan@.network\n' },
  });
  t.deepEqual(errors, []);
  t.deepEqual(splitWords(units.get('lan-network@.service')!.get('Service', 'ExecStart')!).at(-1), 'systemd-lan-%i');
  const web = units.get('web@.service')!;
  t.true(web.get('Service', 'ExecStart')!.includes('--network systemd-lan-%i'));
  t.true(web.list('Unit', 'Requires').some((e) => e.value === 'lan-network@.service'));
});

test('gateways and ranges without enough subnets are errors at the offending line, in Quadlet\'s words', (t) => {
  t.deepEqual(compile('[Network]\nGateway=10.0.0.1\n').errors, [
    '/etc/berth/definitions/lan.network:2:1: Gateway: cannot set gateway or range without subnet',
  ]);
  t.deepEqual(compile('[Network]\nSubnet=10.0.0.0/24\nGateway=10.0.0.1\nGateway=10.0.1.1\n').errors, [
    '/etc/berth/definitions/lan.network:4:1: Gateway: cannot set more gateways than subnets',
  ]);
  t.deepEqual(compile('[Network]\nSubnet=10.0.0.0/24\nIPRange=10.0.0.0/25\nIPRange=10.0.0.128/25\n').errors, [
    '/etc/berth/definitions/lan.network:4:1: IPRange: cannot set more ranges than subnets',
  ]);
});

test('keys and values newer than the target podman are refused with the version they need', (t) => {
  t.regex(compile('[Network]\nInterfaceName=br9\n', { target: '4.4' }).errors[0]!, /lan\.network:2:1: InterfaceName: needs podman 4\.5 or newer/);
  t.regex(compile('[Network]\nDriver=ipvlan\n', { target: '4.4' }).errors[0]!, /Driver: needs podman 4\.5 or newer \(network create --driver=ipvlan\)/);
  t.regex(compile('[Network]\nOptions=isolate=strict\n', { target: '4.5' }).errors[0]!, /Options: needs podman 4\.6 or newer \(network create --opt isolate=strict\)/);
  t.deepEqual(compile('[Network]\nOptions=isolate=true\n', { target: '4.5' }).errors, []);
  t.regex(compile('[Network]\nSubnet=10.0.0.0/24\nIPRange=10.0.0.5-10.0.0.9\n', { target: '4.5' }).errors[0]!, /IPRange: needs podman 4\.6/);
});

test('before podman 4.4 (no --ignore) the create is guarded by network exists', (t) => {
  const { argv, errors } = compile('[Network]\nSubnet=10.0.0.0/24\n', { target: '4.3' });
  t.deepEqual(errors, []);
  t.deepEqual(argv, [
    '/bin/sh', '-c',
    '/usr/bin/podman network exists systemd-lan || exec /usr/bin/podman network create --subnet 10.0.0.0/24 systemd-lan',
  ]);
});
