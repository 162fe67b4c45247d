import test from 'ava';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BERTH = new URL('../../src/cli/main.js', import.meta.url).pathname;
const GENERATOR = new URL('../../src/cli/generator.js', import.meta.url).pathname;

function defs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-defs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const GOOD = '[Container]\nImage=localhost/busybox\nExec=sleep 1000\n[Install]\nWantedBy=multi-user.target\n';

test('generate --dryrun prints each unit under a ---NAME.service--- line', async (t) => {
  const dir = defs({ 'a.container': GOOD, 'b.container': GOOD });
  const r = await execa('node', [BERTH, 'generate', '--dryrun', '--podman-version', '4.3'], { env: { BERTH_UNIT_DIRS: dir } });
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /^---a\.service---\n# Automatically generated/);
  t.regex(r.stdout, /\n---b\.service---\n/);
  t.regex(r.stdout, /ExecStart=\/usr\/bin\/podman run --name systemd-%N .* localhost\/busybox sleep 1000/);
});

test('the generator entry writes units and install symlinks as systemd calls it, and exits 1 past a bad file', async (t) => {
  const dir = defs({ 'a.container': GOOD, 'broken.container': '[Container]\nImage=x\nPublishPort\n' });
  const out = mkdtempSync(join(tmpdir(), 'berth-out-'));
  const r = await execa('node', [GENERATOR, out, out, out], {
    env: { BERTH_UNIT_DIRS: dir, BERTH_PODMAN_VERSION: '4.3.1', SYSTEMD_SCOPE: 'system' },
    reject: false,
  });
  t.is(r.exitCode, 1);
  t.true(existsSync(join(out, 'a.service')));
  t.false(existsSync(join(out, 'broken.service')));
  t.is(readlinkSync(join(out, 'multi-user.target.wants/a.service')), '../a.service');
  t.regex(readFileSync(join(out, 'a.service'), 'utf8'), /\nExecStart=\/usr\/bin\/podman run /);
  // Without a writable /dev/kmsg (or with it) the error names the file and line; here it reaches stderr or kmsg.
  if (r.stderr) t.regex(r.stderr, /broken\.container:3:1: "PublishPort" is not a key=value assignment/);
});

test('the scope comes from --user or $SYSTEMD_SCOPE', async (t) => {
  const dir = defs({ 'a.container': GOOD });
  const run = (args: string[], scope?: string) =>
    execa('node', [BERTH, 'generate', '--dryrun', '--podman-version', '5.0', ...args], {
      env: { BERTH_UNIT_DIRS: dir, ...(scope ? { SYSTEMD_SCOPE: scope } : {}) },
    });
  t.regex((await run(['--user'])).stdout, /Wants=podman-user-wait-network-online\.service/);
  t.regex((await run([], 'user')).stdout, /Wants=podman-user-wait-network-online\.service/);
  t.regex((await run([])).stdout, /Wants=network-online\.target/);
});

test('a bad --podman-version is a usage error', async (t) => {
  const r = await execa('node', [BERTH, 'generate', '--dryrun', '--podman-version', 'banana'], { reject: false, env: { BERTH_UNIT_DIRS: '/nonexistent' } });
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /--podman-version: "banana" is not a version/);
});
