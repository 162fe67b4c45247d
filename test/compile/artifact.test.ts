import test from 'ava';
import { splitWords } from '../../src/unit/quote.js';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';

const compile = (text: string, opts: CompileOptions = {}) => compileOne('model.artifact', text, opts);


test('an artifact definition becomes a oneshot service running podman artifact pull with its flags', (t) => {
  const { argv, service, errors } = compile(`[Artifact]
Artifact=quay.io/acme/model:v3
AuthFile=/etc/acme/auth.json
CertDir=/etc/acme/certs
Creds=bot:secret
DecryptionKey=/etc/acme/key.pem
Retry=2
RetryDelay=5s
Quiet=yes
TLSVerify=no
GlobalArgs=--log-level=info
`);
  t.deepEqual(errors, []);
  t.deepEqual(argv, [
    '/usr/bin/podman', '--log-level=info', 'artifact', 'pull', '--authfile', '/etc/acme/auth.json', '--cert-dir', '/etc/acme/certs',
    '--creds', 'bot:secret', '--decryption-key', '/etc/acme/key.pem', '--retry', '2', '--retry-delay', '5s', '--quiet',
    '--tls-verify=false', 'quay.io/acme/model:v3',
  ]);
  t.is(service!.get('Service', 'Type'), 'oneshot');
  t.is(service!.get('Service', 'RemainAfterExit'), 'yes');
});

test('a container mounting the .artifact gets its reference and starts after the pull', (t) => {
  const { units, errors } = compile('[Artifact]\nArtifact=quay.io/acme/model:v3\n', {
    others: { 'infer.container': '[Container]\nImage=img\nMount=type=artifact,source=model.artifact,destination=/model\n' },
  });
  t.deepEqual(errors, []);
  const infer = units.get('infer.service')!;
  t.true(splitWords(infer.get('Service', 'ExecStart')!).includes('type=artifact,source=quay.io/acme/model:v3,destination=/model'));
  t.true(infer.list('Unit', 'Requires').some((e) => e.value === 'model-artifact.service'));
});

test('an artifact definition without Artifact is an error at its section, in Quadlet\'s words', (t) => {
  const { errors, units } = compile('[Artifact]\nQuiet=yes\n');
  t.is(units.size, 0);
  t.deepEqual(errors, ['/etc/berth/definitions/model.artifact:1: no Artifact key specified']);
});

test('artifact pull needs podman 5.4: an older target is refused at the Artifact line', (t) => {
  const { errors } = compile('[Artifact]\nArtifact=quay.io/acme/model:v3\n', { target: '5.3' });
  t.deepEqual(errors, [
    '/etc/berth/definitions/model.artifact:2:1: Artifact: needs podman 5.4 or newer (artifact pull); the target podman is 5.3.0',
  ]);
  t.deepEqual(compile('[Artifact]\nArtifact=quay.io/acme/model:v3\n', { target: '5.4' }).errors, []);
});
