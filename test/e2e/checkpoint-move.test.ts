/**
 * End to end, on two real systemd hosts (systemd-nspawn, podman, runc, CRIU): a checkpoint taken on one host,
 * copied by plain file copy to anywhere on the other, is restored there by `berth restore NAME --archive FILE`
 * under that host's unit of the same definition, with its memory and tmpfs; a damaged copy, one whose facts
 * do not fit the host, and one that is not root's are refused with the reason, importing nothing and losing
 * no archive the second host had.
 */
import test, { type ExecutionContext } from 'ava';
import { chmod, chown, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';
import { COUNTER, DEFS, STORE as STORES } from './checkpoint-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const NAME = 'mover';
const STORE = `${STORES}/${NAME}`;
const INCOMING = '/var/tmp/incoming';

const DEFINITION = `[Container]
Image=localhost/busybox:latest
ContainerName=${NAME}
Exec=sh -c 'trap "exit 0" TERM; ${COUNTER} httpd -f -p 80 -h /tmp & wait'
PublishPort=8093:80
Tmpfs=/tmp
[Checkpoint]
Keep=5
`;

let one: SystemdHost;
let two: SystemdHost;

test.serial.before(async () => {
  requireSystemdHarness();
  const boot = () => bootSystemdHost({
    files: { [`${DEFS}/${NAME}.container`]: DEFINITION },
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`, '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
  [one, two] = await Promise.all([boot(), boot()]);
});

test.after.always(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
});

const sh = async (host: SystemdHost, cmd: string): Promise<string> => (await host.runOk(['/bin/sh', '-c', cmd])).trim();
const run = (host: SystemdHost, cmd: string) => host.run(['/bin/sh', '-c', cmd]);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function counter(host: SystemdHost, atLeast = 0): Promise<number> {
  for (let i = 0; i < 60; i++) {
    const r = await run(host, `podman exec ${NAME} cat /tmp/counter`);
    if (r.exitCode === 0 && Number(r.stdout) >= atLeast) return Number(r.stdout);
    await sleep(250);
  }
  throw new Error(`the counter did not reach ${atLeast}`);
}

async function checkpoint(t: ExecutionContext, host: SystemdHost): Promise<string> {
  const r = await run(host, `berth checkpoint ${NAME}`);
  t.is(r.exitCode, 0, r.stdout + r.stderr);
  return /^(\/\S+) \(/.exec(r.stdout)![1]!;
}

/** Every file of the archive folder with its size and inode: proof that nothing was added, replaced or lost. */
const folder = (host: SystemdHost) => sh(host, `cd ${STORE} && for f in $(ls -A); do stat -c '%n %s %i' "$f"; done`);

/** Copies an archive and its manifest out of one host into the other's INCOMING folder (as root's, 0600), the manifest edited. */
async function carry(from: SystemdHost, archive: string, to: SystemdHost, name: string, edit: (m: Record<string, unknown>) => void = () => undefined): Promise<string> {
  const dir = to.hostPath(INCOMING);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const target = `${dir}/${name}`;
  await copyFile(from.hostPath(archive), target);
  const manifest = JSON.parse(await readFile(from.hostPath(`${archive}.json`), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await writeFile(`${target}.json`, JSON.stringify(manifest, null, 2));
  for (const f of [target, `${target}.json`]) {
    await chown(f, 0, 0);
    await chmod(f, 0o600);
  }
  return `${INCOMING}/${name}`;
}

test.serial('an archive made on one host and copied anywhere on another is checked, imported and restored there under its unit, memory and tmpfs included', async (t) => {
  // The first host: the container runs, holds state, and is checkpointed.
  t.is((await one.systemctl('start', `${NAME}.service`)).exitCode, 0, await one.journal(`${NAME}.service`));
  await sh(one, `podman exec ${NAME} sh -c 'echo from-host-one > /tmp/marker'`);
  await counter(one, 3);
  const archive = await checkpoint(t, one);
  const before = await counter(one);
  const manifest = JSON.parse(await sh(one, `cat ${archive}.json`)) as { facts: Record<string, unknown>; stats: unknown };
  t.like(manifest.facts, {
    kernel: await sh(one, 'uname -r'),
    arch: await sh(one, 'uname -m'),
    runtime: 'runc',
    ports: [{ hostIP: '', hostPort: 8093, containerPort: 80, protocol: 'tcp', range: 1 }],
    staticIPs: [],
    staticMACs: [],
  });
  t.regex(String(manifest.facts['runtimeVersion']), /^1\.\d+/);
  t.regex(String(manifest.facts['imageId']), /^[0-9a-f]{64}$/);
  t.true((manifest.facts['cpuFlags'] as string[]).includes('fpu'));
  t.log(`facts: ${JSON.stringify({ ...manifest.facts, cpuFlags: `${(manifest.facts['cpuFlags'] as string[]).length} flags` })}`);

  // The second host has an archive of its own, which nothing below may lose.
  t.is((await two.systemctl('start', `${NAME}.service`)).exitCode, 0);
  await counter(two, 1);
  const own = await checkpoint(t, two);
  const kept = await folder(two);

  // A damaged copy: same size, one byte flipped.
  const bad = await carry(one, archive, two, 'damaged.tar.zst');
  const size = Number(await sh(two, `stat -c %s ${bad}`));
  // The byte is inverted, so the copy differs whatever the byte was (writing a fixed 0xff left it as it was
  // once in 256 runs).
  const at = Math.floor(size / 2);
  const byte = Number(await sh(two, `dd if=${bad} bs=1 skip=${at} count=1 2>/dev/null | od -An -tu1`));
  await sh(two, `printf '\\${(255 - byte).toString(8)}' | dd of=${bad} bs=1 seek=${at} count=1 conv=notrunc 2>/dev/null`);
  let r = await run(two, `berth restore ${NAME} --archive ${bad}`);
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /^berth: the sha256 of \/var\/tmp\/incoming\/damaged\.tar\.zst does not match its manifest: the archive is damaged; nothing was imported$/m);
  t.log(`damaged: ${r.stderr.trim()}`);

  // Facts that do not fit this host: a CPU flag it lacks, a newer CRIU.
  const alien = await carry(one, archive, two, 'alien.tar.zst', (m) => {
    const facts = m['facts'] as { cpuFlags: string[] };
    facts.cpuFlags = [...facts.cpuFlags, 'berth_fake_flag'];
    m['criuVersion'] = '99.0';
  });
  r = await run(two, `berth restore ${NAME} --archive ${alien}`);
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /cannot be restored on this host: CRIU [\d.]+ here is older than CRIU 99\.0, which dumped it; this host's CPU \(.*\) lacks berth_fake_flag, which the CPU it was dumped on/);
  t.notRegex(r.stderr, /Error \(criu/, 'no raw CRIU log');
  t.log(`incompatible: ${r.stderr.trim()}`);
  const dry = await run(two, `berth restore ${NAME} --archive ${alien} --dry-run --json`);
  t.is(dry.exitCode, 1);
  t.like(JSON.parse(dry.stdout), { restored: false, plan: { ok: false } });

  // A copy someone else owns.
  const theirs = await carry(one, archive, two, 'theirs.tar.zst');
  await sh(two, `chown nobody ${theirs}`);
  r = await run(two, `berth restore ${NAME} --archive ${theirs}`);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /belongs to uid 65534, not root: berth restores only archives it can vouch for/);

  t.is(await folder(two), kept, 'nothing was imported, and the archive the host had is untouched');
  t.is(await sh(two, `systemctl is-active ${NAME}.service`), 'active', 'the running container was left alone');

  // The good copy: planned, imported into the container's folder, restored under the unit.
  const good = await carry(one, archive, two, 'good.tar.zst');
  const plan = JSON.parse(await sh(two, `berth restore ${NAME} --archive ${good} --dry-run --json`)) as { plan: { ok: boolean; refusals: string[] } };
  t.true(plan.plan.ok, plan.plan.refusals.join('; '));
  await sh(one, `systemctl stop ${NAME}.service`);
  r = await run(two, `berth restore ${NAME} --archive ${good}`);
  t.is(r.exitCode, 0, `${r.stdout}${r.stderr}\n${await two.journal(`${NAME}.service`)}`);
  const imported = new RegExp(`restored from (${STORE}/${NAME}-\\d{8}T\\d{9}Z\\.tar\\.zst)`).exec(r.stdout)?.[1];
  t.truthy(imported, r.stdout);
  t.log(`restore: ${r.stdout.trim()}`);
  t.is(await sh(two, `podman exec ${NAME} cat /tmp/marker`), 'from-host-one');
  const after = await counter(two);
  t.true(after >= before, `the counter goes on from ${before} (a fresh start counts from 1), now ${after}`);
  const mainPid = await sh(two, `systemctl show -p MainPID --value ${NAME}.service`);
  t.is(mainPid, await sh(two, `podman container inspect --format '{{.State.ConmonPid}}' ${NAME}`), 'systemd supervises the restored container');

  // It is now one of the container's archives, under berth's record; the older one is still there.
  const listed = JSON.parse(await sh(two, `berth checkpoints ${NAME} --json`)) as Array<{ path: string; valid: boolean }>;
  t.deepEqual(listed.map((a) => [a.path, a.valid]), [[imported, true], [own, true]]);
  const importedManifest = JSON.parse(await sh(two, `cat ${imported}.json`)) as Record<string, unknown>;
  t.like(importedManifest, { name: NAME, importedFrom: good, sha256: JSON.parse(await sh(one, `cat ${archive}.json`)).sha256 });

  // What it holds, and what status says of it.
  const shown = JSON.parse(await sh(two, `berth checkpoints show ${NAME} --json`)) as { path: string; sha256Matches: boolean; memoryBytes: number; freezeMicros: number; processes: Array<{ pid: number; comm: string }> };
  t.like(shown, { path: imported, sha256Matches: true });
  t.true(shown.memoryBytes > 0 && shown.freezeMicros > 0, JSON.stringify(shown));
  t.deepEqual(shown.processes.map((p) => p.comm).sort(), ['httpd', 'sh', 'sh', 'sleep'].sort(), JSON.stringify(shown.processes));
  t.log(await sh(two, `berth checkpoints show ${imported}`));
  const [row] = JSON.parse(await sh(two, `berth status ${NAME} --json`)) as Array<{ checkpoint: { last: { path: string; valid: boolean; freezeMicros: number } } }>;
  t.like(row!.checkpoint.last, { path: imported, valid: true, freezeMicros: shown.freezeMicros });
});
