import test from 'ava';
import { importCommand } from '../../src/cli/import-command.js';
import { UsageError } from '../../src/errors.js';

const body = (text: string, section: string) => text.slice(text.indexOf(`[${section}]`));

test('a network create line becomes a .network named after its argument, with its flags as keys', (t) => {
  const { fileName, text, warnings } = importCommand(['podman', 'network', 'create', '--subnet', '10.0.0.0/24', '--gateway', '10.0.0.1', '-d', 'bridge', '-o', 'mtu=1400', '--internal', '--ignore', 'net1']);
  t.is(fileName, 'net1.network');
  t.deepEqual(warnings, []);
  t.true(text.includes('# --ignore dropped: the unit keeps an existing one itself\n'));
  t.is(body(text, 'Network'), '[Network]\nNetworkName=net1\nInternal=yes\nDriver=bridge\nSubnet=10.0.0.0/24\nGateway=10.0.0.1\nOptions=mtu=1400\n');
});

test('a network flag without a key goes to PodmanArgs= with a comment and a warning', (t) => {
  const { text, warnings } = importCommand(['podman', 'network', 'create', '--route', '10.1.0.0/16,10.0.0.2', 'n']);
  t.true(text.includes('# --route passed on in PodmanArgs= (no Quadlet key)\n'));
  t.true(text.endsWith('PodmanArgs=--route 10.1.0.0/16,10.0.0.2\n'));
  t.deepEqual(warnings, ['--route has no Quadlet key: it goes into PodmanArgs=']);
});

test('the hidden, deprecated --macvlan of network create takes a value and goes to PodmanArgs=', (t) => {
  const { fileName, text } = importCommand(['podman', 'network', 'create', '--macvlan', 'eth0', 'n']);
  t.is(fileName, 'n.network');
  t.is(body(text, 'Network'), '[Network]\nNetworkName=n\nPodmanArgs=--macvlan eth0\n');
});

test('a volume create line becomes a .volume whose --opt mount options are keys', (t) => {
  const { fileName, text } = importCommand(['podman', 'volume', 'create', '-o', 'device=/dev/sdb', '-o', 'type=ext4', '-o', 'o=noatime', '-o', 'nocopy', '-l', 'a=b', '--opt', 'size=1G', 'data']);
  t.is(fileName, 'data.volume');
  t.is(body(text, 'Volume'), '[Volume]\nVolumeName=data\nCopy=no\nDevice=/dev/sdb\nType=ext4\nOptions=noatime\nLabel=a=b\nPodmanArgs=--opt size=1G\n');
});

test('an image volume takes image= as Image=, and its mount options, or a type= without a device=, stay in PodmanArgs=', (t) => {
  t.true(body(importCommand(['podman', 'volume', 'create', '--driver', 'image', '-o', 'image=fedora', '-o', 'o=noatime', 'v']).text, 'Volume')
    .startsWith('[Volume]\nVolumeName=v\nDriver=image\nImage=fedora\nPodmanArgs=--opt o=noatime\n'));
  t.true(importCommand(['podman', 'volume', 'create', '-o', 'type=tmpfs', 'v']).text.endsWith('PodmanArgs=--opt type=tmpfs\n'));
});

test('a network or volume without exactly one name is a usage error', (t) => {
  t.throws(() => importCommand(['podman', 'network', 'create', '--internal']), { instanceOf: UsageError, message: 'podman network create needs one name for the definition, not 0 words' });
  t.throws(() => importCommand(['podman', 'volume', 'create', 'a', 'b']), { instanceOf: UsageError, message: /needs one name/ });
});
