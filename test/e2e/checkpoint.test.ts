/**
 * End to end, on a real systemd system manager (systemd-nspawn) with real podman, runc and CRIU: a
 * `[Checkpoint]` section gives a container scheduled checkpoints exported to disk (NAME-checkpoint.timer →
 * NAME-checkpoint.service → `berth checkpoint NAME`), and `berth restore` / RestoreOnStart=latest bring it
 * back under its own unit. Also the faults: a stopped container, two checkpoints at once, SIGKILL in the
 * middle of one, a full disk, a damaged archive; and retention.
 *
 * One host is booted for the whole file (berth installed as the system generator and as /usr/bin/berth,
 * which the checkpoint units call); every test has a container definition of its own, so a failing test
 * does not disturb the others. The tests run one after the other.
 */
import test from 'ava';
import type { SystemdHost } from '../helpers/systemd-host.js';
import { RECORD_FILE } from '../../src/checkpoint/record.js';
import {
  bootCheckpointHost, COUNTER, STORE, sleep, run, sh, timed, show, isActive, start, stop, inContainer, readCounter, waitCounter,
  assertSupervised, listArchives, checkpoint, folderState, folderNames, base, kib, tarLists, httpGet,
} from './checkpoint-host.js';

const TINY_DIR = '/var/lib/berth-tiny';
const OPEN_DIR = '/tmp/berth-open';

const COUNTER_WEB = `[Container]
Image=localhost/busybox:latest
ContainerName=counter-web
Exec=sh -c 'trap "exit 0" TERM; ${COUNTER} mkdir -p /www; echo hello > /www/index.html; httpd -f -p 80 -h /www & wait'
PublishPort=8082:80
Tmpfs=/tmp
[Checkpoint]
OnCalendar=hourly
Keep=3
[Install]
WantedBy=multi-user.target
`;

/** A counter container without [Install]: started by the tests, never at boot. */
function counter(name: string, checkpoint = ''): string {
  return `[Container]
Image=localhost/busybox:latest
ContainerName=${name}
Exec=sh -c 'trap "exit 0" TERM; ${COUNTER} wait'
Tmpfs=/tmp
[Checkpoint]
${checkpoint}`;
}

const DEFINITIONS: Record<string, string> = {
  'counter-web': COUNTER_WEB,
  warm: counter('warm', 'OnCalendar=hourly\nRestoreOnStart=latest\n'),
  idle: counter('idle'),
  rivals: counter('rivals'),
  victim: counter('victim'),
  tiny: counter('tiny', `Directory=${TINY_DIR}\n`),
  flip: counter('flip'),
  keeper: counter('keeper', 'Keep=3\n'),
  ticker: counter('ticker', 'OnCalendar=*:*:0/5\nAccuracySec=1s\nKeep=2\n'),
  // Its archives in a folder anyone may create things in (/tmp is sticky and open to all).
  opened: counter('opened', `Directory=${OPEN_DIR}\n`),
  guarded: counter('guarded'),
  bystander: counter('bystander'),
};

let host: SystemdHost;

test.serial.before(async (t) => {
  host = await bootCheckpointHost(DEFINITIONS);
  t.log(`booted in ${host.bootMs} ms (${host.bootState})`);
});

test.after.always(async () => {
  await host?.stop();
});

// ---------------------------------------------------------------------------------------------------
// The classic scenario

test.serial('a container with [Checkpoint] is checkpointed by its service, restored under its unit by berth restore, and goes on where it was', async (t) => {
  const name = 'counter-web';
  const unit = `${name}.service`;
  const dir = `${STORE}/${name}`;

  // Started at boot, and its checkpoint timer is enabled through timers.target.wants.
  t.is(await isActive(unit), 'active', await host.journal(unit));
  t.is(await sh(`readlink /run/systemd/generator/multi-user.target.wants/${unit}`), `../${unit}`);
  t.is(await sh(`readlink /run/systemd/generator/timers.target.wants/${name}-checkpoint.timer`), `../${name}-checkpoint.timer`);
  t.is(await isActive(`${name}-checkpoint.timer`), 'active');
  t.deepEqual(await show(`${name}-checkpoint.timer`, 'Triggers'), { Triggers: `${name}-checkpoint.service` });
  t.regex(await sh(`systemctl list-timers --no-pager ${name}-checkpoint.timer`), new RegExp(`${name}-checkpoint\\.timer\\s+${name}-checkpoint\\.service`));
  await assertSupervised(t, name, 'started at boot');

  // A container without [Install] has the timer too, but it is not enabled.
  t.is(await sh('test -e /run/systemd/generator/warm-checkpoint.timer && echo generated'), 'generated');
  t.is(await sh('test -e /run/systemd/generator/timers.target.wants/warm-checkpoint.timer && echo enabled || echo not-enabled'), 'not-enabled');
  t.is(await isActive('warm-checkpoint.timer'), 'inactive');

  // State worth keeping: a file in the tmpfs, and a counter in memory.
  await inContainer(name, 'echo kept-in-tmpfs > /tmp/marker');
  await waitCounter(name, 3);
  const id = await sh(`podman container inspect --format '{{.Id}}' ${name}`);
  const before = await readCounter(name);

  // What the timer does: start the checkpoint service.
  const [started, serviceMs] = await timed(() => host.systemctl('start', `${name}-checkpoint.service`));
  t.is(started.exitCode, 0, `${started.stderr}\n${await host.journal(`${name}-checkpoint.service`)}`);
  t.like(await show(`${name}-checkpoint.service`, 'Result', 'ActiveState', 'ExecMainStatus'), { Result: 'success', ActiveState: 'inactive', ExecMainStatus: '0' });

  const listed = await listArchives(name);
  t.is(listed.length, 1, JSON.stringify(listed));
  const first = listed[0]!;
  t.true(first.valid, first.problem);
  t.regex(first.sha256 ?? '', /^[0-9a-f]{64}$/);
  t.true(first.size > 0);
  t.is(first.container, name);
  t.true(await tarLists(first.path));

  const manifest = JSON.parse(await sh(`cat ${first.path}.json`)) as Record<string, unknown>;
  t.like(manifest, {
    format: 1,
    name,
    container: name,
    containerId: id,
    unit,
    size: first.size,
    sha256: first.sha256,
    compress: 'zstd',
    leaveRunning: true,
    podmanVersion: await sh("podman version --format '{{.Client.Version}}'"),
  });
  t.regex(String(manifest['image']), /busybox/);
  t.regex(String(manifest['criuVersion']), /^4\.2/);
  // berth times podman's export, a part of the service's run.
  t.is(typeof manifest['durationMs'], 'number');
  t.true((manifest['durationMs'] as number) > 0 && (manifest['durationMs'] as number) <= serviceMs, `durationMs ${String(manifest['durationMs'])}, service ${serviceMs} ms`);
  t.is(typeof (manifest['stats'] as Record<string, unknown> | undefined)?.['podman_checkpoint_duration'], 'number', 'podman --print-stats is recorded');
  t.is(await sh(`stat -c %a ${first.path} ${first.path}.json ${dir}`), '600\n600\n700');
  t.log(`checkpoint service: ${serviceMs} ms (berth's durationMs ${String(manifest['durationMs'])}), archive ${kib(first.size)}`);
  t.log(`podman stats: ${JSON.stringify(manifest['stats'])}`);
  t.is(await isActive(unit), 'active', 'checkpointing leaves the container running');

  await stop(t, name);

  // berth restore: the unit restores instead of running fresh.
  const [restored, restoreMs] = await timed(() => run(`berth restore ${name}`));
  t.is(restored.exitCode, 0, `${restored.stdout}${restored.stderr}\n${await host.journal(unit)}`);
  t.regex(restored.stdout, new RegExp(`${unit} is active, restored from ${first.path.replaceAll('.', '\\.')}`));
  t.log(`berth restore: ${restoreMs} ms`);
  await assertSupervised(t, name, 'restored');
  t.is(await sh(`podman container inspect --format '{{.Id}}' ${name}`), id, `the archive brings back the same container\n${await host.journal(unit)}`);
  t.regex(await host.journal(unit), /berth start: restored counter-web from/);
  t.is(await inContainer(name, 'cat /tmp/marker'), 'kept-in-tmpfs');
  const after = await readCounter(name);
  t.true(after >= before, `the counter goes on from ${before} (a fresh start counts from 1), now ${after}`);
  t.true((await waitCounter(name, after + 1)) > after, 'and keeps counting');
  t.regex(await httpGet('http://127.0.0.1:8082/'), /^hello/);

  // A restored container checkpoints again.
  t.is((await host.systemctl('start', `${name}-checkpoint.service`)).exitCode, 0, await host.journal(`${name}-checkpoint.service`));
  t.is((await show(`${name}-checkpoint.service`, 'Result'))['Result'], 'success');
  const two = await listArchives(name);
  t.is(two.length, 2);
  t.true(two.every((a) => a.valid), JSON.stringify(two));
  t.is(two[1]!.path, first.path);
  t.log(`second checkpoint (of the restored container): ${kib(two[0]!.size)}, ${two[0]!.durationMs} ms`);

  await stop(t, name);
});

test.serial('the checkpoint timer starts the checkpoint service on its schedule', async (t) => {
  const name = 'ticker';
  await start(t, name);
  t.is((await host.systemctl('start', `${name}-checkpoint.timer`)).exitCode, 0);
  t.is(await isActive(`${name}-checkpoint.timer`), 'active');
  // OnCalendar=*:*:0/5 with AccuracySec=1s: the first run comes within about 6 s. Wait for it to end.
  const t0 = Date.now();
  let ran = false;
  while (!ran && Date.now() - t0 < 20_000) {
    const s = await show(`${name}-checkpoint.service`, 'ActiveState', 'ExecMainExitTimestampMonotonic');
    ran = s['ActiveState'] === 'inactive' && s['ExecMainExitTimestampMonotonic'] !== '0';
    if (!ran) await sleep(250);
  }
  t.log(`first scheduled checkpoint done after ${Date.now() - t0} ms`);
  t.true(ran, await host.journal(`${name}-checkpoint.service`));
  const timer = await show(`${name}-checkpoint.timer`, 'LastTriggerUSec', 'Result');
  t.not(timer['LastTriggerUSec'], 'n/a', 'the timer (not the test) started the service');
  t.is(timer['Result'], 'success');
  t.is((await show(`${name}-checkpoint.service`, 'Result'))['Result'], 'success');
  t.is((await host.systemctl('stop', `${name}-checkpoint.timer`)).exitCode, 0);
  // A run the timer began meanwhile may still be going: let it end before looking.
  for (let i = 0; i < 40 && (await isActive(`${name}-checkpoint.service`)) === 'activating'; i++) await sleep(250);
  const journal = await host.journal(`${name}-checkpoint.service`);
  const runs = journal.match(/Finished ticker-checkpoint\.service/g)?.length ?? 0;
  const listed = await listArchives(name);
  t.is(listed.length, Math.min(runs, 2), `one archive per run (${runs}), the newest Keep=2 kept:\n${journal}`);
  t.true(listed.every((a) => a.valid), JSON.stringify(listed));
  t.true(runs >= 1, journal);
  await stop(t, name);
});

test.serial('RestoreOnStart=latest starts fresh without an archive and from the newest archive under plain systemctl start', async (t) => {
  const name = 'warm';
  t.is(await isActive(`${name}.service`), 'inactive', 'no [Install]: not started at boot');
  t.is(await sh(`test -e ${STORE}/${name} && echo exists || echo absent`), 'absent');

  // No archive yet: a fresh start.
  await start(t, name);
  await assertSupervised(t, name, 'fresh');
  t.is((await run(`podman exec ${name} cat /tmp/marker`)).exitCode, 1, 'a fresh tmpfs');
  t.notRegex(await host.journal(`${name}.service`), /berth start: restored/);

  await inContainer(name, 'echo warm-state > /tmp/marker');
  await waitCounter(name, 3);
  const before = await readCounter(name);
  const { path, ms } = await checkpoint(t, name);
  t.log(`berth checkpoint: ${ms} ms`);
  await stop(t, name);

  // With an archive, plain systemctl start restores it.
  const [, startMs] = await timed(() => start(t, name));
  t.log(`systemctl start with RestoreOnStart=latest: ${startMs} ms`);
  await assertSupervised(t, name, 'restored on start');
  t.regex(await host.journal(`${name}.service`), new RegExp(`berth start: restored warm from ${path.replaceAll('.', '\\.')}`));
  t.is(await inContainer(name, 'cat /tmp/marker'), 'warm-state');
  const after = await readCounter(name);
  t.true(after >= before, `the counter goes on from ${before}, now ${after}`);

  await stop(t, name);
});

// ---------------------------------------------------------------------------------------------------
// Faults

test.serial('a checkpoint of a stopped container fails clearly and writes nothing, and its service is skipped, not failed', async (t) => {
  const name = 'idle';
  const dir = `${STORE}/${name}`;
  const service = `${name}-checkpoint.service`;

  // Never started: no folder appears.
  let r = await run(`berth checkpoint ${name}`);
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /^berth: container idle \(idle\.service\) is not running; nothing was written$/m);
  t.is(await folderState(dir), 'absent');

  // Started, checkpointed once, stopped: the folder stays exactly as it was.
  await start(t, name);
  await checkpoint(t, name);
  await stop(t, name);
  const before = await folderState(dir);
  r = await run(`berth checkpoint ${name}`);
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /is not running; nothing was written/);
  t.is(r.stdout, '');
  t.is(await folderState(dir), before);

  // What the timer would start: the ExecCondition skips it.
  r = await host.systemctl('start', service);
  t.is(r.exitCode, 0, r.stderr);
  t.like(await show(service, 'Result', 'ActiveState', 'ConditionResult'), { Result: 'success', ActiveState: 'inactive', ConditionResult: 'no' });
  t.is((await host.systemctl('is-failed', service)).stdout.trim(), 'inactive');
  t.regex(await host.journal(service), /Skipped due to 'exec-condition'/);
  t.is(await folderState(dir), before);
  const listed = await listArchives(name);
  t.is(listed.length, 1);
  t.true(listed[0]!.valid);
});

test.serial('two concurrent checkpoints of one container never both write: the loser says another checkpoint is running', async (t) => {
  const name = 'rivals';
  const dir = `${STORE}/${name}`;
  await start(t, name);
  let successes = 0;
  let refusals = 0;
  for (let round = 0; round < 3; round++) {
    const out = await sh(
      `berth checkpoint ${name} >/tmp/a.out 2>&1 & a=$!; berth checkpoint ${name} >/tmp/b.out 2>&1 & b=$!; ` +
        'wait $a; ra=$?; wait $b; rb=$?; echo "$ra"; cat /tmp/a.out; echo ---; echo "$rb"; cat /tmp/b.out',
    );
    const outcomes = out.split('\n---\n').map((part) => {
      const [code, ...rest] = part.split('\n');
      return { code: Number(code), output: rest.join('\n') };
    });
    t.log(`round ${round + 1}: exit ${outcomes.map((o) => o.code).join(' and ')}`);
    for (const o of outcomes) {
      if (o.code === 0) {
        successes++;
        t.regex(o.output, new RegExp(`^${dir}/${name}-\\d{8}T\\d{9}Z\\.tar\\.zst \\(`));
      } else {
        refusals++;
        t.is(o.code, 1, o.output);
        t.regex(o.output, new RegExp(`^berth: another checkpoint of ${name} is running \\(pid \\d+\\)$`), o.output);
      }
    }
    t.true(outcomes.some((o) => o.code === 0), 'one of them succeeds');
  }
  t.log(`${successes} succeeded, ${refusals} refused`);
  const listed = await listArchives(name);
  t.is(listed.length, successes, 'one archive per success, nothing else');
  t.true(listed.every((a) => a.valid), JSON.stringify(listed));
  for (const a of listed) t.true(await tarLists(a.path), a.path);
  t.deepEqual((await folderNames(dir)).filter((f) => f.startsWith('.')), [], 'no temporary file left');
  await stop(t, name);
});

test.serial('SIGKILL of berth checkpoint at any moment leaves no archive that looks valid, spares the older ones, and a later checkpoint and prune clean up', async (t) => {
  const name = 'victim';
  const dir = `${STORE}/${name}`;
  await start(t, name);
  await waitCounter(name, 2);
  const baseline = await checkpoint(t, name);
  const timed2 = await checkpoint(t, name);
  // The whole command (node start, lock, podman, verify, commit) takes about this long; kill across it.
  const whole = Math.max(baseline.ms, timed2.ms);
  t.log(`berth checkpoint takes ${baseline.ms} and ${timed2.ms} ms end to end`);
  const fractions = [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.88, 0.91, 0.94, 0.97, 1, 1.03];
  // Latest first: a run that ends before its kill (1.5 s always does, the last fractions may) prunes what
  // earlier kills left, and the end of this test wants to see a later checkpoint clean up after the
  // kills in the middle of the export, which come last.
  const delays = [...new Set([0.05, 0.2, 0.4, 0.8, 1.5, ...fractions.map((f) => Math.round((f * whole) / 10) / 100)])].sort((a, b) => b - a);

  const outcomes: Record<string, number> = {};
  for (const delay of delays) {
    const beforeList = await listArchives(name);
    const beforeNames = await folderNames(dir);
    const valid = new Map(beforeList.filter((a) => a.valid).map((a) => [a.path, a.sha256]));
    const out = await sh(
      `berth checkpoint ${name} >/dev/null 2>&1 & p=$!; sleep ${delay}; kill -9 $p 2>/dev/null && echo killed || echo finished; wait; ` +
        // podman and CRIU go on as orphans: let them finish before looking.
        'n=0; while pgrep -f "[p]odman container checkpoint|[c]riu" >/dev/null && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done; echo "$n"',
    );
    const [what, waits] = out.split('\n');
    const listed = await listArchives(name);
    const names = await folderNames(dir);
    const added = names.filter((f) => !beforeNames.includes(f));
    const newValid = listed.filter((a) => a.valid && !valid.has(a.path)).length;
    const newInvalid = listed.filter((a) => !a.valid && !beforeList.some((b) => b.path === a.path)).length;
    const outcome =
      what === 'finished' ? 'berth had finished' :
      newValid > 0 ? 'complete archive (killed after the commit)' :
      newInvalid > 0 ? 'archive without manifest (invalid)' :
      added.some((f) => f.startsWith('.')) ? 'temporary file only' : 'nothing written';
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    t.log(`kill -9 after ${delay}s: ${outcome}; orphans ran ${Number(waits) * 50} ms more; new files: ${added.join(', ') || 'none'}`);
    t.true(newValid <= 1, 'at most the one archive of this run');
    t.true(Number(waits) < 600, 'the orphaned podman finished');

    // Every archive that was valid still is, untouched; every archive that is valid is complete.
    for (const [path, sha256] of valid) {
      const now = listed.find((a) => a.path === path);
      t.true(now?.valid === true && now.sha256 === sha256, `${path} after kill at ${delay}s: ${JSON.stringify(now)}`);
    }
    for (const a of listed.filter((x) => x.valid)) t.true(await tarLists(a.path), `${a.path} is valid, so it must be complete`);
    t.is(await sh(`podman container inspect --format '{{.State.Status}}' ${name}`), 'running', 'the container runs on');
  }

  t.log(`kill outcomes: ${JSON.stringify(outcomes)}`);

  // The next checkpoint takes the abandoned lock and removes what the killed runs left (temporary files,
  // archives without manifest); prune leaves only valid archives with their manifests.
  const invalidBefore = (await listArchives(name)).filter((a) => !a.valid);
  const tempsBefore = (await folderNames(dir)).filter((f) => f.startsWith('.'));
  t.true(tempsBefore.length + invalidBefore.length > 0, 'the kills left something to clean up');
  const later = await checkpoint(t, name);
  for (const temp of tempsBefore) t.true(later.removed.includes(`${dir}/${temp}`), `the later checkpoint removes ${temp}`);
  for (const a of invalidBefore) t.true(later.removed.includes(a.path), `the later checkpoint removes ${a.path} (${a.problem})`);
  const pruned = await sh(`berth prune ${name}`);
  t.log(`later checkpoint removed: ${later.removed.map(base).join(', ') || 'nothing'}; prune: ${pruned.split('\n').at(-1)}`);
  const listed = await listArchives(name);
  t.true(listed.every((a) => a.valid), JSON.stringify(listed.filter((a) => !a.valid)));
  t.is(listed[0]!.path, later.path);
  const expected = listed.flatMap((a) => [base(a.path), `${base(a.path)}.json`]).sort();
  t.deepEqual(await folderNames(dir), expected, 'no temporary files, no stray archives or manifests');
  t.deepEqual(
    listed.slice(-2).map((a) => a.path).sort(),
    [baseline.path, timed2.path].sort(),
    'the archives from before the kills are all still there',
  );
  await stop(t, name);
});

test.serial('a target folder that fills up fails the checkpoint clearly and keeps the older archive intact, with no temporary file left', async (t) => {
  const name = 'tiny';
  const dir = `${TINY_DIR}/${name}`;
  await start(t, name);
  await sh(`mkdir -p ${TINY_DIR} && mount -t tmpfs -o size=2m,mode=0755 berth-tiny ${TINY_DIR}`);

  // Too little room from the start (berth wants 16 MiB free, or 1.2 × the last archive): refused up front.
  let r = await run(`berth checkpoint ${name}`);
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /^berth: only 2\.0 MiB free in \/var\/lib\/berth-tiny\/tiny, but a checkpoint needs 16\.0 MiB \(at least 16\.0 MiB\); nothing was written$/m);
  t.log(`2 MiB folder: ${r.stderr.trim()}`);
  t.is(await sh(`ls -A ${TINY_DIR}`), '');

  // Room for a small archive, but not for the next one once the container's tmpfs holds 32 MiB of noise.
  await sh(`umount ${TINY_DIR} && mount -t tmpfs -o size=24m,mode=0755 berth-tiny ${TINY_DIR}`);
  const small = await checkpoint(t, name);
  const [older] = await listArchives(name);
  t.true(older?.valid);
  await inContainer(name, 'dd if=/dev/urandom of=/tmp/junk bs=1M count=32 2>/dev/null');
  const before = await folderState(dir);
  const [failed, failMs] = await timed(() => run(`berth checkpoint ${name}`));
  t.is(failed.exitCode, 1, failed.stdout + failed.stderr);
  t.regex(failed.stderr, /^berth: .*podman.* container checkpoint.*failed.*no space left on device/ims);
  t.log(`full folder: failed after ${failMs} ms: ${failed.stderr.trim().split('\n')[0]!.slice(0, 300)}`);
  t.is(failed.stdout, '');

  t.is(await folderState(dir), before, 'the older archive and its manifest are untouched, no temporary file is left');
  const listed = await listArchives(name);
  t.is(listed.length, 1);
  t.like(listed[0], { path: small.path, valid: true, sha256: older!.sha256 });
  t.true(await tarLists(small.path));
  const used = Number(await sh(`df --output=used -B1 ${TINY_DIR} | tail -1`));
  t.true(used < 1024 * 1024, `the space of the failed export is given back (${used} bytes used)`);
  t.is(await isActive(`${name}.service`), 'active', 'the container runs on');

  // Once the noise is gone, checkpoints work again.
  await inContainer(name, 'rm /tmp/junk');
  await checkpoint(t, name);
  t.is((await listArchives(name)).filter((a) => a.valid).length, 2);
  await stop(t, name);
  await sh(`umount ${TINY_DIR}`);
});

test.serial('a damaged archive is flagged invalid and berth restore --latest restores the older valid one', async (t) => {
  const name = 'flip';
  await start(t, name);
  await inContainer(name, 'echo one > /tmp/marker');
  const one = await checkpoint(t, name);
  await inContainer(name, 'echo two > /tmp/marker');
  const two = await checkpoint(t, name);

  // Flip one byte in the middle of the newest archive (same size: only the sha256 can tell).
  const size = Number(await sh(`stat -c %s ${two.path}`));
  const offset = Math.floor(size / 2);
  await sh(
    `b=$(od -An -tu1 -j ${offset} -N 1 ${two.path} | tr -d ' '); ` +
      `printf "$(printf '\\\\%03o' $((b ^ 255)))" | dd of=${two.path} bs=1 seek=${offset} count=1 conv=notrunc 2>/dev/null`,
  );
  t.is(Number(await sh(`stat -c %s ${two.path}`)), size);

  const listed = await listArchives(name);
  t.is(listed.length, 2);
  t.like(listed[0], { path: two.path, valid: false });
  t.regex(listed[0]!.problem ?? '', /sha256 does not match/);
  t.like(listed[1], { path: one.path, valid: true });
  t.regex(await sh(`berth checkpoints ${name}`), /NO \(its sha256 does not match its manifest: the archive is damaged\)/);

  // Asked for by name, the damaged archive is refused before anything is stopped.
  const refused = await run(`berth restore ${name} --archive ${two.path}`);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /is not a valid archive: its sha256 does not match/);
  await assertSupervised(t, name, 'after the refused restore');
  t.is(await inContainer(name, 'cat /tmp/marker'), 'two', 'the running container was not touched');

  const r = await run(`berth restore ${name} --latest`);
  t.is(r.exitCode, 0, `${r.stdout}${r.stderr}\n${await host.journal(`${name}.service`)}`);
  t.regex(r.stdout, new RegExp(`restored from ${one.path.replaceAll('.', '\\.')}`));
  await assertSupervised(t, name, 'restored from the older archive');
  t.is(await inContainer(name, 'cat /tmp/marker'), 'one');
  await stop(t, name);
});

// ---------------------------------------------------------------------------------------------------
// Retention

test.serial('with Keep=3, five checkpoints leave exactly the newest three valid archives', async (t) => {
  const name = 'keeper';
  const dir = `${STORE}/${name}`;
  await start(t, name);
  const taken: string[] = [];
  const removed: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await checkpoint(t, name);
    taken.push(c.path);
    removed.push(...c.removed);
    t.log(`checkpoint ${i + 1}: ${c.ms} ms${c.removed.length ? `, removed ${c.removed.map(base).join(', ')}` : ''}`);
  }
  const listed = await listArchives(name);
  t.deepEqual(listed.map((a) => a.path), taken.slice(2).reverse(), 'the newest three, newest first');
  t.true(listed.every((a) => a.valid));
  t.deepEqual(removed.sort(), taken.slice(0, 2).flatMap((p) => [p, `${p}.json`]).sort(), 'the two oldest went, manifest and archive');
  t.deepEqual(await folderNames(dir), taken.slice(2).flatMap((p) => [base(p), `${base(p)}.json`]).sort());
  const record = JSON.parse(await sh(`cat ${dir}/${RECORD_FILE}`)) as { archives: { archive: string }[] };
  t.deepEqual(record.archives.map((e) => e.archive), taken.slice(2).reverse().map(base), "berth's record holds the three, newest first");
  t.is(await sh(`berth prune ${name}`), '0 removed; keeping the newest 3 valid archive(s)');
  await stop(t, name);
});

// ---------------------------------------------------------------------------------------------------
// Archives berth can vouch for

test.serial("a checkpoint folder someone else made is refused for checkpoints, listings and restores, and never taken over", async (t) => {
  const name = 'opened';
  await start(t, name);
  // nobody gets there first, with an archive of their own.
  await sh(`setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'mkdir -m 0777 ${OPEN_DIR} && mkdir -m 0777 ${OPEN_DIR}/${name} && echo x > ${OPEN_DIR}/${name}/${name}-20991231T000000000Z.tar.zst'`);
  for (const cmd of [`berth checkpoint ${name}`, `berth checkpoints ${name}`, `berth restore ${name}`]) {
    const r = await run(cmd);
    t.not(r.exitCode, 0, cmd);
    t.regex(r.stderr, /belongs to uid 65534, not root; berth does not keep or restore checkpoints there/, cmd);
  }
  t.is(await sh(`stat -c '%U %a' ${OPEN_DIR} ${OPEN_DIR}/${name}`), 'nobody 777\nnobody 777', 'nothing was chowned or chmodded');
  await assertSupervised(t, name, 'the container runs on, untouched');
  await stop(t, name);
});

test.serial("an archive planted in berth's folder, dated in the future and naming another container, is never restored, and that container is left alone", async (t) => {
  const name = 'guarded';
  await start(t, name);
  await start(t, 'bystander');
  await waitCounter(name, 2);
  const own = await checkpoint(t, name);
  const theirs = await checkpoint(t, 'bystander');
  const bystanderId = await sh("podman container inspect --format '{{.Id}}' bystander");

  // A consistent archive of the bystander, under a future name, as someone else's file.
  const planted = `${STORE}/${name}/${name}-20991231T000000000Z.tar.zst`;
  await sh(`cp ${theirs.path} ${planted} && sed 's/"createdAt": "[^"]*"/"createdAt": "2099-12-31T00:00:00.000Z"/' ${theirs.path}.json > ${planted}.json`);
  await sh(`chown nobody ${planted} ${planted}.json`);
  const listed = await listArchives(name);
  t.is(listed[0]!.path, own.path, "berth's own archive comes first");
  t.true(listed[0]!.valid);
  const bad = listed.find((a) => a.path === planted)!;
  t.false(bad.valid);
  t.regex(bad.problem!, /belongs to uid 65534, not root/);
  // Root's own file: still not in berth's record, and dated in the future.
  await sh(`chown root ${planted} ${planted}.json`);
  const again = (await listArchives(name)).find((a) => a.path === planted)!;
  t.false(again.valid);
  t.regex(again.problem!, /in the future|berth's record of this folder does not hold it/);

  const r = await run(`berth restore ${name}`);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`restored from ${own.path.replaceAll('.', '\\.')}`));
  await assertSupervised(t, name, 'restored from its own archive');
  t.is(await sh("podman container inspect --format '{{.Id}} {{.State.Running}}' bystander"), `${bystanderId} true`, 'the bystander is the same container, running');
  await assertSupervised(t, 'bystander', 'the bystander stays under its unit');
  await stop(t, name);
  await stop(t, 'bystander');
});
