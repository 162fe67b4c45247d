import test from 'ava';
import { splitWords } from '../../src/unit/quote.js';
import { compileOne, type CompileOptions } from '../helpers/definitions.js';

const compile = (text: string, opts: CompileOptions = {}) => compileOne('app.image', text, opts);


test('an image definition becomes a oneshot service running podman image pull, after the network is up', (t) => {
  const { argv, service, errors } = compile('[Image]\nImage=quay.io/acme/app:1.2\n');
  t.deepEqual(errors, []);
  t.deepEqual(argv, ['/usr/bin/podman', 'image', 'pull', 'quay.io/acme/app:1.2']);
  t.is(service!.get('Service', 'Type'), 'oneshot');
  t.is(service!.get('Service', 'RemainAfterExit'), 'yes');
  t.is(service!.get('Unit', 'After'), 'network-online.target');
});

test('pull options become their flags', (t) => {
  const { argv, errors } = compile(`[Image]
Image=quay.io/acme/app:1.2
Arch=arm64
OS=linux
Variant=v8
AuthFile=/etc/acme/auth.json
CertDir=/etc/acme/certs
Creds=bot:secret
DecryptionKey=/etc/acme/key.pem
Retry=5
RetryDelay=10s
Policy=newer
AllTags=no
TLSVerify=no
PodmanArgs=--quiet
ContainersConfModule=/etc/acme/pull.conf
`);
  t.deepEqual(errors, []);
  t.deepEqual(argv, [
    '/usr/bin/podman', '--module=/etc/acme/pull.conf', 'image', 'pull', '--arch', 'arm64', '--authfile', '/etc/acme/auth.json',
    '--cert-dir', '/etc/acme/certs', '--creds', 'bot:secret', '--decryption-key', '/etc/acme/key.pem', '--os', 'linux',
    '--policy', 'newer', '--variant', 'v8', '--retry', '5', '--retry-delay', '10s', '--all-tags=false', '--tls-verify=false',
    '--quiet', 'quay.io/acme/app:1.2',
  ]);
});

test('a container naming the .image runs its ImageTag after the pull service', (t) => {
  const { units, errors } = compile('[Image]\nImage=quay.io/acme/app:1.2\nImageTag=localhost/app\n', {
    others: { 'web.container': '[Container]\nImage=app.image\n' },
  });
  t.deepEqual(errors, []);
  const web = units.get('web.service')!;
  t.is(splitWords(web.get('Service', 'ExecStart')!).at(-1), 'localhost/app');
  t.true(web.list('Unit', 'Requires').some((e) => e.value === 'app-image.service'));
});

test('an image definition without Image is an error at its section, in Quadlet\'s words', (t) => {
  const { errors, units } = compile('[Unit]\nDescription=app\n\n[Image]\nArch=arm64\nPlatform=linux/arm64\n');
  t.is(units.size, 0);
  t.deepEqual(errors, [
    '/etc/berth/definitions/app.image:6:1: Platform: unknown key in [Image]',
    '/etc/berth/definitions/app.image:4: no Image key specified',
  ]);
});

test('keys newer than the target podman are refused; Policy=always is what older pulls did anyway', (t) => {
  t.deepEqual(compile('[Image]\nImage=x\nRetry=3\n', { target: '4.9' }).argv, ['/usr/bin/podman', 'image', 'pull', 'x']);
  t.regex(compile('[Image]\nImage=x\nPolicy=missing\n', { target: '5.5' }).errors[0]!, /app\.image:3:1: Policy: needs podman 5\.6 or newer/);
  const old = compile('[Image]\nImage=x\nPolicy=always\n', { target: '5.5' });
  t.deepEqual(old.errors, []);
  t.deepEqual(old.argv, ['/usr/bin/podman', 'image', 'pull', 'x']);
  t.true(compile('[Image]\nImage=x\nPolicy=always\n', { target: '5.6' }).argv.includes('--policy'));
});
