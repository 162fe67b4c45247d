import test from 'ava';
import { importCommand } from '../../src/cli/import-command.js';
import { UsageError } from '../../src/errors.js';

const body = (text: string) => text.slice(text.indexOf('[Pod]'));

test('a pod create line becomes a .pod named after --name, with its flags as keys', (t) => {
  const { fileName, text, warnings } = importCommand(['podman', 'pod', 'create', '--name', 'web', '-p', '8080:80', '--net', 'host', '--exit-policy=continue', '-l', 'a=b', '--replace']);
  t.is(fileName, 'web.pod');
  t.deepEqual(warnings, []);
  t.true(text.includes('# --replace dropped: the unit replaces the pod itself\n'));
  t.is(body(text), '[Pod]\nPodName=web\nExitPolicy=continue\nPublishPort=8080:80\nLabel=a=b\nNetwork=host\n');
});

test('the name argument names the pod when there is no --name, and flags without a key go to PodmanArgs=', (t) => {
  const { fileName, text, warnings } = importCommand(['podman', 'pod', 'create', '--infra-image', 'pause:3', '--share', 'net', '--exit-policy', 'never', 'db']);
  t.is(fileName, 'db.pod');
  t.true(text.includes('# --exit-policy passed on in PodmanArgs= (this value has no Quadlet key that passes it on unchanged)\n'));
  t.true(body(text).startsWith('[Pod]\nPodName=db\n'));
  t.true(text.endsWith('PodmanArgs=--infra-image pause:3 --share net --exit-policy never\n'));
  t.is(warnings.length, 3);
});

test('--no-hostname is a boolean flag of pod create, so the word after it is still the pod name', (t) => {
  const { fileName, text } = importCommand(['podman', 'pod', 'create', '--no-hostname', 'web']);
  t.is(fileName, 'web.pod');
  t.is(body(text), '[Pod]\nPodName=web\nPodmanArgs=--no-hostname\n');
});

test('-h and -c are the short forms of pod create\'s --hostname and --cpu-shares', (t) => {
  const { fileName, text } = importCommand(['podman', 'pod', 'create', '-h', 'box', '-c', '512', 'web']);
  t.is(fileName, 'web.pod');
  t.is(body(text), '[Pod]\nPodName=web\nHostName=box\nPodmanArgs=--cpu-shares 512\n');
});

test('a pod without a name, or with two, is a usage error', (t) => {
  t.throws(() => importCommand(['podman', 'pod', 'create', '-p', '80']), { instanceOf: UsageError, message: /needs a name/ });
  t.throws(() => importCommand(['podman', 'pod', 'create', 'a', 'b']), { instanceOf: UsageError, message: /one name/ });
});
