import test from 'ava';
import { importCommand } from '../../src/cli/import-command.js';
import { UsageError } from '../../src/errors.js';

const body = (text: string) => text.slice(text.indexOf('[Container]'));

test('flags with a Quadlet key become the key, with % and $ kept literal', (t) => {
  const { fileName, text, warnings } = importCommand(['podman', 'run', '--name', 'web', '-e', 'A=$HOME %n', '--cap-add', 'NET_ADMIN', '--security-opt', 'label=type:svirt_t', '--security-opt=no-new-privileges', '--read-only', '--hostname', '100%', 'nginx', 'sh', '-c', 'echo "$X"']);
  t.is(fileName, 'web.container');
  t.deepEqual(warnings, []);
  t.is(body(text), `[Container]
Image=nginx
ContainerName=web
HostName=100%%
NoNewPrivileges=yes
SecurityLabelType=svirt_t
AddCapability=NET_ADMIN
ReadOnly=yes
Environment="A=$$HOME %%n"
Exec=sh -c "echo \\"$$X\\""
`);
});

test('a flag without a key goes to PodmanArgs= with a comment and a warning; terminal flags are dropped with a comment', (t) => {
  const { fileName, text, warnings } = importCommand(['podman', 'run', '-dit', '--privileged', '--cpus=2', '--hostname', '', 'quay.io/x/app:1']);
  t.is(fileName, 'app.container');
  t.true(text.includes('# -d dropped: the unit runs it in the background\n'));
  t.true(text.includes('# --privileged passed on in PodmanArgs= (no Quadlet key)\n'));
  t.true(text.includes('# --hostname passed on in PodmanArgs= (this value has no Quadlet key that passes it on unchanged)\n'));
  t.true(text.endsWith('PodmanArgs=--privileged --cpus 2 --hostname ""\n'));
  t.is(warnings.length, 3);
});

test('values that would name another definition or a relative path stay literal in PodmanArgs=', (t) => {
  const { text } = importCommand(['podman', 'run', '-v', './data:/data', '--network', 'x.network', '-v', '/srv:/srv:ro', 'img']);
  t.true(text.includes('Volume=/srv:/srv:ro\n'));
  t.true(text.endsWith('PodmanArgs=--volume ./data:/data --network x.network\n'));
});

test('anything but a podman run command line is a usage error', (t) => {
  t.throws(() => importCommand(['docker', 'run', 'img']), { instanceOf: UsageError });
  t.throws(() => importCommand(['podman', '--log-level=debug', 'run', 'img']), { instanceOf: UsageError, message: /global options/ });
  t.throws(() => importCommand(['podman', 'run', '-d']), { instanceOf: UsageError, message: 'podman run needs an image' });
});

test('a restart policy becomes the unit\'s Restart=, and an on-failure count is reported, not lost silently', (t) => {
  const policies: Array<[string, string | undefined]> = [['always', 'always'], ['unless-stopped', 'always'], ['on-failure', 'on-failure'], ['no', undefined]];
  for (const [policy, restart] of policies) {
    const { text, warnings } = importCommand(['podman', 'run', `--restart=${policy}`, 'img']);
    t.is(text.includes('[Service]'), restart !== undefined, policy);
    if (restart) t.true(text.endsWith(`[Service]\nRestart=${restart}\n`), policy);
    t.true(text.includes(`# --restart ${policy} `), policy);
    t.deepEqual(warnings, []);
  }
  const { text, warnings } = importCommand(['podman', 'run', '--restart', 'on-failure:3', 'img']);
  t.true(text.endsWith('[Service]\nRestart=on-failure\n'));
  t.regex(warnings[0]!, /without its count/);
  t.throws(() => importCommand(['podman', 'run', '--restart', 'sometimes', 'img']), { instanceOf: UsageError, message: /not a restart policy/ });
  t.throws(() => importCommand(['podman', 'run', '--restart', 'always:2', 'img']), { instanceOf: UsageError });
});
