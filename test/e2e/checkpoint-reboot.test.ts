/**
 * End to end, on a real systemd (systemd-nspawn) with podman, runc and CRIU: a reboot of the host
 * (SystemdHost.reboot(): a clean `systemctl poweroff`, units stopping in order with their ExecStop=, then
 * a boot of the same disk with /run and /tmp fresh). A web server enabled at boot, with `OnStop=yes` and
 * `RestoreOnStart=latest`, should be checkpointed as the host powers off, and come back at the next boot
 * from that archive: counter in memory, tmpfs file and page.
 *
 * Why that needs more than the unit: with podman's systemd cgroup manager the container's processes are not
 * in the unit's cgroup but in a transient scope of their own, machine.slice/libpod-<ID>.scope
 * (`--cgroups=no-conmon` keeps only conmon in the unit), which nothing orders against the unit. At a
 * power-off systemd would stop the scope at the same time as the unit, and the scope's SIGTERM would end the
 * container before the unit's ExecStop= `berth checkpoint --on-stop` could take it. Without an ordering, the
 * power-off's journal said, in this order:
 *   systemd[1]: Stopping libpod-<ID>.scope - libcontainer container <ID>...
 *   systemd[1]: Stopping reboot-web.service...
 *   reboot-web[…]: berth: no checkpoint of reboot-web at stop: container reboot-web (reboot-web.service)
 *     is not running; nothing was written; it stops without one
 * So the generator writes, for OnStop=yes, a drop-in for every libpod-….scope ordering it before the unit
 * (templates/container-scope-order.conf): the scope then stops after the unit.
 */
import test, { type ExecutionContext } from 'ava';
import type { SystemdHost } from '../helpers/systemd-host.js';
import {
  bootCheckpointHost, webServer, sh, show, inContainer, readCounter, waitCounter, assertSupervised, listArchives, checkpoint, httpGet, type Listed,
} from './checkpoint-host.js';

const NAME = 'reboot-web';
const UNIT = `${NAME}.service`;
const WWW = '/srv/www';

const WEB = webServer(NAME, 8084, WWW, true);

let host: SystemdHost;

test.serial.before(async (t) => {
  host = await bootCheckpointHost({ [NAME]: WEB }, {
    [`${WWW}/index.html`]: 'served-from-host\n',
    // The journal of the boot before a reboot is then there to read (`journalctl -b -1`).
    '/etc/systemd/journald.conf.d/95-berth-reboot-test.conf': '[Journal]\nStorage=persistent\n',
  });
  t.log(`booted in ${host.bootMs} ms (${host.bootState})`);
});

test.after.always(async () => {
  await host?.stop();
});

/** Writes a file into the container's tmpfs and lets the counter run; returns the counter's value. */
async function prepare(): Promise<number> {
  await inContainer(NAME, 'echo kept-in-tmpfs > /tmp/marker');
  await waitCounter(NAME, 3);
  return readCounter(NAME);
}

/**
 * Reboots, then checks that the unit was started at boot from the newest valid archive, with the tmpfs
 * file, a counter at `counterAtLeast` or more, and its page. Returns the archives.
 */
async function rebootAndCheckRestored(t: ExecutionContext, counterAtLeast: number): Promise<Listed[]> {
  const bootId = await sh('cat /proc/sys/kernel/random/boot_id');
  const times = await host.reboot();
  t.log(`reboot: power-off ${times.poweroffMs} ms, boot ${times.bootMs} ms (${host.bootState})`);
  t.not(await sh('cat /proc/sys/kernel/random/boot_id'), bootId, 'a new boot');
  const atStop = (await sh(`journalctl -b -1 -u ${UNIT} --no-pager -o cat`)).split('\n').filter((l) => /at stop/.test(l));
  t.log(`at the power-off: ${atStop.join(' / ') || '(berth wrote no line)'}`);

  const listed = await listArchives(NAME);
  const newest = listed.find((a) => a.valid);
  await assertSupervised(t, NAME, 'after the reboot');
  t.like(await show(UNIT, 'NRestarts'), { NRestarts: '0' });
  t.regex(await host.journal(UNIT), new RegExp(`berth start: restored ${NAME} from ${(newest?.path ?? '(none)').replaceAll('.', '\\.')}`));
  t.is(await inContainer(NAME, 'cat /tmp/marker'), 'kept-in-tmpfs');
  const after = await readCounter(NAME);
  t.true(after >= counterAtLeast, `the counter goes on from ${counterAtLeast} (a fresh start counts from 1), now ${after}`);
  t.regex(await httpGet('http://127.0.0.1:8084/'), /^served-from-host/);
  return listed;
}

test.serial('a web server enabled at boot starts at boot, and after a reboot goes on from its newest archive with its counter, tmpfs file and page', async (t) => {
  t.is((await show(UNIT, 'ActiveState'))['ActiveState'], 'active', await host.journal(UNIT));
  t.notRegex(await host.journal(UNIT), /berth start: restored/, 'no archive yet: a fresh start');
  const counter = await prepare();
  const taken = await checkpoint(t, NAME);
  const listed = await rebootAndCheckRestored(t, counter);
  t.like(listed.find((a) => a.path === taken.path), { valid: true }, JSON.stringify(listed));
});

test.serial('a reboot takes the checkpoint at power-off (OnStop=yes), and the web server goes on from it at boot', async (t) => {
  const id = await sh(`podman container inspect --format '{{.Id}}' ${NAME}`);
  t.true((await show(`libpod-${id}.scope`, 'Before'))['Before']!.split(' ').includes(UNIT), "the generator's drop-in orders the running scope before the unit");
  const before = await listArchives(NAME);
  const counter = await prepare();
  const listed = await rebootAndCheckRestored(t, counter);
  t.is(listed.length, before.length + 1, JSON.stringify(listed));
  t.true(listed[0]!.valid, JSON.stringify(listed));
  t.false(before.some((a) => a.path === listed[0]!.path), 'the newest archive is new');
  const manifest = JSON.parse(await sh(`cat ${listed[0]!.path}.json`)) as Record<string, unknown>;
  t.is(manifest['leaveRunning'], false, 'the checkpoint at stop ended the container');
});
