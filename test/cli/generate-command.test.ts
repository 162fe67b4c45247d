import test from 'ava';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAST_RUN_FILE, parseLastRun } from '../../src/generator/last-run.js';
import { runWithPrivateKmsg } from '../helpers/private-kmsg.js';

const BERTH = new URL('../../src/cli/main.js', import.meta.url).pathname;
// What the installed generator symlinks point at (the bundle), and the entry it is bundled from.
const GENERATOR = new URL('../../berth-generator.cjs', import.meta.url).pathname;
const GENERATOR_ENTRY = new URL('../../src/cli/generator.js', import.meta.url).pathname;

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
  const env = { ...process.env, BERTH_UNIT_DIRS: dir, BERTH_PODMAN_VERSION: '4.3.1', SYSTEMD_SCOPE: 'system' };
  const r = await runWithPrivateKmsg(process.execPath, [GENERATOR, out, out, out], env);
  t.is(r.exitCode, 1);
  t.true(existsSync(join(out, 'a.service')));
  t.false(existsSync(join(out, 'broken.service')));
  t.is(readlinkSync(join(out, 'multi-user.target.wants/a.service')), '../a.service');
  t.regex(readFileSync(join(out, 'a.service'), 'utf8'), /\nExecStart=\/usr\/bin\/podman run /);
  // Run by systemd (SYSTEMD_SCOPE set), it reports to the kernel log, one record per line, naming file and line.
  t.is(r.stderr, '');
  t.is(
    r.kmsg.replace(/\[\d+\]/, '[PID]'),
    `<3>berth-generator[PID]: converting "broken.container": "PublishPort" is not a key=value assignment, section header or comment (at ${dir}/broken.container:3:1)\n`,
  );
  // Its record of the run, beside the units, for berth list, berth status and the agent: what it refused.
  const run = parseLastRun(readFileSync(join(out, LAST_RUN_FILE), 'utf8'))!;
  t.like(run, { podman: '4.3.1', scope: 'system', other: [], omitted: { definitions: 0, problems: 0 } });
  t.deepEqual(run.definitions, [
    {
      source: `${dir}/broken.container`, kind: 'container', units: ['broken.service'], refused: true,
      problems: [{ severity: 'error', file: `${dir}/broken.container`, line: 3, column: 1, message: '"PublishPort" is not a key=value assignment, section header or comment' }],
    },
  ]);
});

test('the scope comes from --user or $SYSTEMD_SCOPE', async (t) => {
  const dir = defs({ 'a.container': GOOD });
  const run = (args: string[], scope?: string) =>
    execa('node', [BERTH, 'generate', '--dryrun', '--podman-version', '5.0', ...args], {
      env: { BERTH_UNIT_DIRS: dir, ...(scope ? { SYSTEMD_SCOPE: scope } : {}) },
    });
  t.regex((await run(['--user'])).stdout, /Wants=berth-user-wait-network-online\.service/);
  t.regex((await run([], 'user')).stdout, /Wants=berth-user-wait-network-online\.service/);
  t.regex((await run([])).stdout, /Wants=network-online\.target/);
});

test('a bad --podman-version is a usage error', async (t) => {
  const r = await execa('node', [BERTH, 'generate', '--dryrun', '--podman-version', 'banana'], { reject: false, env: { BERTH_UNIT_DIRS: '/nonexistent' } });
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /--podman-version: "banana" is not a version/);
});

test('systemd runs the generator through its symlink, by its #! line', async (t) => {
  const dir = defs({ 'a.container': GOOD });
  const out = mkdtempSync(join(tmpdir(), 'berth-out-'));
  const link = join(mkdtempSync(join(tmpdir(), 'berth-gens-')), 'berth');
  symlinkSync(GENERATOR, link);
  const r = await execa(link, [out, out, out], { env: { BERTH_UNIT_DIRS: dir, BERTH_PODMAN_VERSION: '5.4' }, reject: false });
  t.is(r.exitCode, 0, r.stderr);
  t.regex(readFileSync(join(out, 'a.service'), 'utf8'), /\nExecStart=\/usr\/bin\/podman run /);
});

test('the generator loads neither the full command line nor node:child_process when given the podman version', async (t) => {
  // It runs at every boot and daemon-reload; each of these costs milliseconds of start-up (bench/generator.ts).
  const dir = defs({ 'a.container': GOOD });
  const out = mkdtempSync(join(tmpdir(), 'berth-out-'));
  const hooks = mkdtempSync(join(tmpdir(), 'berth-hook-'));
  const list = join(hooks, 'loaded.txt');
  writeFileSync(join(hooks, 'loaded.cjs'), `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
  await execa('node', ['--require', join(hooks, 'loaded.cjs'), GENERATOR, out, out, out], { env: { BERTH_UNIT_DIRS: dir, BERTH_PODMAN_VERSION: '5.4' } });
  t.true(existsSync(join(out, 'a.service')));
  const loaded = readFileSync(list, 'utf8').split('\n');
  t.true(loaded.includes('NativeModule fs'));
  // commander and execa load node:child_process (and with it node:net) as they load.
  for (const m of ['NativeModule child_process', 'NativeModule internal/child_process', 'NativeModule net']) t.false(loaded.includes(m), m);
});

test('the bundled generator and the entry it is built from write the same units', async (t) => {
  const dir = defs({
    'a.container': GOOD,
    'b.container': '[Container]\nImage=docker.io/library/nginx\nPublishPort=8080:80\nEnvironment=A=1 "B=two words"\n[Install]\nWantedBy=default.target\n',
    'c.container': '[Container]\nImage=x\nPublishPort\n',
  });
  const run = (entry: string) =>
    execa('node', [entry, '--dryrun', '--podman-version', '5.4'], { env: { BERTH_UNIT_DIRS: dir }, reject: false });
  const [bundled, entry] = await Promise.all([run(GENERATOR), run(GENERATOR_ENTRY)]);
  t.is(bundled.exitCode, 1);
  t.is(entry.exitCode, 1);
  t.is(bundled.stdout, entry.stdout);
  t.is(bundled.stderr, entry.stderr);
  t.regex(bundled.stdout, /---b\.service---/);
});

test('arguments systemd never passes get the berth generate command line: help, unknown flags', async (t) => {
  const help = await execa('node', [GENERATOR, '--help'], { reject: false });
  t.is(help.exitCode, 0);
  t.regex(help.stdout, /Usage: berth generate \[options\] \[dirs\.\.\.\]/);
  const unknown = await execa('node', [GENERATOR, '--frobnicate', '/tmp/x'], { reject: false });
  t.is(unknown.exitCode, 1);
  t.regex(unknown.stderr, /unknown option '--frobnicate'/);
  const missing = await execa('node', [GENERATOR, '--podman-version'], { reject: false });
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /argument missing/);
});

test('the generator entry reports usage errors as berth generate does', async (t) => {
  const bad = await execa('node', [GENERATOR, '--podman-version=banana', '/tmp/x'], { reject: false, env: { BERTH_UNIT_DIRS: '/nonexistent' } });
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /^berth: --podman-version: "banana" is not a version/);
  const noOut = await execa('node', [GENERATOR, '--no-kmsg-log'], { reject: false, env: { BERTH_UNIT_DIRS: '/nonexistent', BERTH_PODMAN_VERSION: '5.0' } });
  t.is(noOut.exitCode, 2);
  t.regex(noOut.stderr, /^berth: generate needs an output folder/);
});

test('without a version given, the generator asks $PODMAN --version, and falls back to the newest podman', async (t) => {
  const dir = defs({ 'a.container': '[Container]\nImage=x\nDNSOption=ndots:1\n' });
  const bin = mkdtempSync(join(tmpdir(), 'berth-podman-'));
  const podman = join(bin, 'podman');
  writeFileSync(podman, '#!/bin/sh\necho "podman version 4.2.1"\n');
  chmodSync(podman, 0o755);
  const runtime = { BERTH_RUNTIME_DIR: join(bin, 'run') };
  const asked = await execa('node', [GENERATOR, '--dryrun'], { env: { BERTH_UNIT_DIRS: dir, PODMAN: podman, ...runtime } });
  // podman before 4.3 only knows --dns-opt.
  t.regex(asked.stdout, /ExecStart=\S+podman run .* --dns-opt ndots:1 /);
  const missing = await execa('node', [GENERATOR, '--dryrun'], { env: { BERTH_UNIT_DIRS: dir, PODMAN: join(bin, 'missing'), ...runtime } });
  t.regex(missing.stderr, /could not run \S+\/missing --version; compiling for podman \d+\.\d+/);
  t.regex(missing.stdout, / --dns-option ndots:1 /);
});

test('podman\'s answer is remembered in the runtime folder until the binary changes', async (t) => {
  const dir = defs({ 'a.container': '[Container]\nImage=x\nDNSOption=ndots:1\n' });
  const bin = mkdtempSync(join(tmpdir(), 'berth-podman-'));
  const podman = join(bin, 'podman');
  const asks = join(bin, 'asks');
  const fake = (version: string) => `#!/bin/sh\necho asked >> ${asks}\necho "podman version ${version}"\n`;
  writeFileSync(podman, fake('4.2.1'));
  chmodSync(podman, 0o755);
  const env = { BERTH_UNIT_DIRS: dir, PODMAN: podman, BERTH_RUNTIME_DIR: join(bin, 'run') };
  const run = () => execa('node', [GENERATOR, '--dryrun'], { env });
  t.regex((await run()).stdout, / --dns-opt ndots:1 /);
  t.regex((await run()).stdout, / --dns-opt ndots:1 /);
  t.is(readFileSync(asks, 'utf8'), 'asked\n', 'the second run did not ask');
  writeFileSync(podman, fake('4.3.0'));
  t.regex((await run()).stdout, / --dns-option ndots:1 /);
  t.is(readFileSync(asks, 'utf8'), 'asked\nasked\n', 'the new binary was asked');
});

test('calendar expressions are judged by systemd, all in one go, and a section with too many schedules is refused alone', async (t) => {
  const many = Array.from({ length: 40 }, (_, i) => `OnCalendar=*-*-* 03:${String(i).padStart(2, '0')}:00`).join('\n');
  const dir = defs({
    'good.container': `${GOOD}[Checkpoint]\nOnCalendar=daily\nCron=*/15 * * * *\n`,
    'bad.container': `${GOOD}[Checkpoint]\nOnCalendar=every full moon\n`,
    'many.container': `${GOOD}[Checkpoint]\n${many}\n`,
  });
  const r = await execa('node', [BERTH, 'generate', '--dryrun', '--podman-version', '4.3'], { env: { BERTH_UNIT_DIRS: dir }, reject: false });
  t.is(r.exitCode, 1);
  t.regex(r.stdout, /---good-checkpoint\.timer---[^]*OnCalendar=daily\n/);
  t.regex(r.stderr, /bad\.container:7:1, key OnCalendar/);
  t.regex(r.stderr, /"every full moon" is not a systemd calendar expression: Invalid argument/);
  t.regex(r.stderr, /many\.container:39:1, key OnCalendar\)|takes at most 32 OnCalendar= and Cron= lines/);
  t.notRegex(r.stdout, /---(bad|many)\.service---/);
});

test('root\'s user generator keeps Quadlet\'s --cgroups=split: root\'s user manager runs rootful podman', async (t) => {
  const dir = defs({ 'a.container': GOOD });
  const run = (scope: string) =>
    execa('node', [GENERATOR, '--dryrun'], { env: { BERTH_UNIT_DIRS: dir, PODMAN: '/nonexistent/podman', BERTH_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'berth-run-')), SYSTEMD_SCOPE: scope } });
  t.is(process.getuid?.(), 0, 'the unit tests run as root');
  for (const scope of ['user', 'system']) {
    const out = (await run(scope)).stdout;
    t.regex(out, / --cgroups=split /, scope);
    t.notRegex(out, /not split/, scope);
  }
});
