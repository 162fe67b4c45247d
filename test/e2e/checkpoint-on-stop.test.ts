/**
 * End to end, on a real systemd (systemd-nspawn) with podman, runc and CRIU: `OnStop=yes` in [Checkpoint]
 * takes a last checkpoint whenever the unit stops (`systemctl stop`, a restart), and with
 * `RestoreOnStart=latest` the next start goes on from it. When that checkpoint fails (no CRIU) or takes
 * longer than `OnStopTimeoutSec=`, the journal says why in one line and the container stops as without
 * it, older archives untouched. A checkpoint that ends the container (LeaveRunning=no) ends its unit
 * cleanly, not as a failure to restart.
 *
 * A reboot of the host, where the checkpoint at stop is not taken (the container's scope stops beside
 * its unit), is checkpoint-reboot.test.ts's; the unit's own order at shutdown (RequiresMountsFor=, After=)
 * is checked here on its properties.
 */
import test from 'ava';
import type { SystemdHost } from '../helpers/systemd-host.js';
import {
  bootCheckpointHost, webServer, COUNTER, STORE, sleep, run, sh, timed, show, isActive, start, stop, inContainer, readCounter, waitCounter,
  assertSupervised, listArchives, checkpoint, folderState, httpGet,
} from './checkpoint-host.js';

const WWW = '/srv/onstop-www';

const WEB = webServer('onstop-web', 8083, WWW);

function counter(name: string, checkpoint: string, service = ''): string {
  return `[Container]
Image=localhost/busybox:latest
ContainerName=${name}
Exec=sh -c 'trap "exit 0" TERM; ${COUNTER} wait'
Tmpfs=/tmp:size=512m
[Checkpoint]
${checkpoint}
${service}`;
}

const DEFINITIONS: Record<string, string> = {
  'onstop-web': WEB,
  'onstop-nocriu': counter('onstop-nocriu', 'OnStop=yes\nRestoreOnStart=latest'),
  'onstop-slow': counter('onstop-slow', 'OnStop=yes\nOnStopTimeoutSec=1s'),
  ender: counter('ender', 'LeaveRunning=no', '[Service]\nRestart=on-failure\nRestartSec=1'),
};

let host: SystemdHost;

test.serial.before(async (t) => {
  host = await bootCheckpointHost(DEFINITIONS, { [`${WWW}/index.html`]: 'served-from-host\n' });
  t.log(`booted in ${host.bootMs} ms (${host.bootState})`);
});

test.after.always(async () => {
  await host?.stop();
});

/** The lines of a unit's journal that berth wrote about a checkpoint at stop. */
async function atStopLines(name: string): Promise<string[]> {
  return (await host.journal(`${name}.service`)).split('\n').filter((l) => /checkpoint (of \S+ )?at stop/.test(l));
}

test.serial('with OnStop=yes, systemctl stop and restart take a last checkpoint, and the web server comes back with its counter, tmpfs file and page', async (t) => {
  const name = 'onstop-web';
  const unit = `${name}.service`;
  // systemd outwaits the checkpoint (90 s) and podman's stop (10 s), and keeps the archive folder mounted until the unit is down.
  const props = await show(unit, 'TimeoutStopUSec', 'RequiresMountsFor', 'SuccessExitStatus');
  t.is(props['TimeoutStopUSec'], '2min 40s');
  t.true(props['RequiresMountsFor']!.split(' ').includes(STORE), props['RequiresMountsFor']);
  t.regex(props['SuccessExitStatus']!, /\b137\b/);
  t.regex(await sh(`systemctl show ${unit} -p After`), /network-online\.target/);

  await start(t, name);
  await inContainer(name, 'echo kept-in-tmpfs > /tmp/marker');
  await waitCounter(name, 3);
  t.regex(await httpGet('http://127.0.0.1:8083/'), /^served-from-host/);

  for (const [round, verb] of ['stop', 'restart'].entries()) {
    const before = await readCounter(name);
    const [, ms] = await timed(async () => {
      if (verb === 'stop') {
        await stop(t, name);
        await start(t, name);
      } else {
        const r = await host.systemctl('restart', unit);
        t.is(r.exitCode, 0, r.stderr);
      }
    });
    t.log(`systemctl ${verb}${verb === 'stop' ? ' and start' : ''}: ${ms} ms`);
    const listed = await listArchives(name);
    t.is(listed.length, round + 1, JSON.stringify(listed));
    t.true(listed.every((a) => a.valid), JSON.stringify(listed));
    const manifest = JSON.parse(await sh(`cat ${listed[0]!.path}.json`)) as Record<string, unknown>;
    t.is(manifest['leaveRunning'], false, 'the checkpoint at stop ends the container');
    t.is((await atStopLines(name)).filter((l) => /checkpoint at stop: \//.test(l)).length, round + 1);
    t.like(await show(unit, 'NRestarts'), { NRestarts: '0' });

    await assertSupervised(t, name, `after ${verb}`);
    t.regex(await host.journal(unit), new RegExp(`berth start: restored ${name} from ${listed[0]!.path.replaceAll('.', '\\.')}`));
    t.is(await inContainer(name, 'cat /tmp/marker'), 'kept-in-tmpfs');
    const after = await readCounter(name);
    t.true(after >= before, `the counter goes on from ${before} (a fresh start counts from 1), now ${after}`);
    t.regex(await httpGet('http://127.0.0.1:8083/'), /^served-from-host/);
  }
  await stop(t, name);
});

test.serial('without CRIU the checkpoint at stop fails with one clear line, the container stops cleanly and the older archive stays', async (t) => {
  const name = 'onstop-nocriu';
  const dir = `${STORE}/${name}`;
  await start(t, name);
  const older = await checkpoint(t, name);
  const [listedBefore] = await listArchives(name);
  const before = await folderState(dir);
  const criu = await sh('command -v criu');
  await sh(`mv ${criu} ${criu}.unreachable`);
  try {
    await stop(t, name);
  } finally {
    await sh(`mv ${criu}.unreachable ${criu}`);
  }
  const lines = await atStopLines(name);
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, new RegExp(`berth: no checkpoint of ${name} at stop: .*criu.*; it stops without one$`, 'i'));
  t.log(lines[0]!);
  t.is(await folderState(dir), before, 'the folder is as it was');
  t.like((await listArchives(name))[0], { path: older.path, valid: true, sha256: listedBefore!.sha256 });
});

test.serial('a checkpoint at stop that outlasts OnStopTimeoutSec= is given up with one clear line, and the container stops cleanly, older archive untouched', async (t) => {
  const name = 'onstop-slow';
  const dir = `${STORE}/${name}`;
  await start(t, name);
  const older = await checkpoint(t, name);
  const [listedBefore] = await listArchives(name);
  const before = await folderState(dir);
  // 256 MiB in the tmpfs: CRIU takes seconds to dump it, the limit is 1 s.
  await inContainer(name, 'dd if=/dev/urandom of=/tmp/junk bs=1M count=256 2>/dev/null');
  const [, ms] = await timed(() => stop(t, name));
  t.log(`systemctl stop: ${ms} ms`);
  t.true(ms < 15_000, `the stop waited for the limit, not the checkpoint (${ms} ms)`);
  const lines = await atStopLines(name);
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, new RegExp(`berth: no checkpoint of ${name} at stop: it took longer than OnStopTimeoutSec= \\(1 s\\); it stops without one$`));
  t.is((await run('pgrep -f "[c]riu|[p]odman container checkpoint"')).exitCode, 1, 'no CRIU or podman left running');
  t.is(await folderState(dir), before, 'the folder is as it was');
  t.like((await listArchives(name))[0], { path: older.path, valid: true, sha256: listedBefore!.sha256 });
});

test.serial('a scheduled checkpoint with LeaveRunning=no ends its container and the unit cleanly, without a restart', async (t) => {
  const name = 'ender';
  await start(t, name);
  await waitCounter(name, 2);
  const r = await host.systemctl('start', `${name}-checkpoint.service`);
  t.is(r.exitCode, 0, `${r.stderr}\n${await host.journal(`${name}-checkpoint.service`)}`);
  // Restart=on-failure, RestartSec=1: a failure would have restarted it by now.
  for (let i = 0; i < 20 && (await isActive(`${name}.service`)) !== 'inactive'; i++) await sleep(250);
  await sleep(2000);
  const s = await show(`${name}.service`, 'ActiveState', 'Result', 'NRestarts');
  t.like(s, { ActiveState: 'inactive', Result: 'success', NRestarts: '0' }, await host.journal(`${name}.service`));
  t.regex(await host.journal(`${name}.service`), /ender\.service: Deactivated successfully/);
  const listed = await listArchives(name);
  t.is(listed.length, 1);
  t.true(listed[0]!.valid);
  t.is((await run(`podman container exists ${name}`)).exitCode, 1, 'the container is gone');
});
