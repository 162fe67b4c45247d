/**
 * A user's own container, rootless, on the test host (test/helpers/systemd-host.ts): a non-root user
 * (berthu, uid 1500) with subordinate ID ranges and lingering, so that the booted system manager starts
 * its user manager (user@1500.service) without a login. Its definition in ~/.config/berth/definitions/
 * becomes a user unit at `systemctl --user daemon-reload`, written for what podman sees here (cgroups v1:
 * --cgroups=no-conmon, src/compile/cgroups-mode.ts); the container runs with the user's subordinate IDs,
 * serves on an unprivileged published port, is removed by `systemctl --user stop`, and WantedBy=
 * default.target starts it again after a reboot, with nobody logged in.
 */
import test from 'ava';
import { bootSystemdHost, requireSystemdHarness, type RunResult, type SystemdHost } from '../helpers/systemd-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const USER = 'berthu';
const UID = 1500;
const HOME = `/home/${USER}`;
/** The user's subordinate IDs: container uid N (N ≥ 1) is host uid SUB_START + N - 1. */
const SUB_START = 200000;
const SUB_COUNT = 65536;
const PORT = 18080;
const USER_ENV = `XDG_RUNTIME_DIR=/run/user/${UID} DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/${UID}/bus HOME=${HOME}`;
/** The user's image store on the host's disk (the overlay root cannot be an overlay's upper dir). */
const STORE = `/var/lib/containers/users/${USER}`;

const WEB = `[Container]
Image=localhost/busybox:latest
ContainerName=rootless-web
User=1000
# httpd as PID 1 would ignore SIGTERM: the shell ends at it, so that a stop is clean and quick.
Exec=sh -c 'trap "exit 0" TERM; httpd -f -v -p 8080 -h /www & wait'
PublishPort=${PORT}:8080
Volume=${HOME}/www:/www:ro

[Install]
WantedBy=default.target
`;

test.serial.before(() => requireSystemdHarness());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (host: SystemdHost, cmd: string): Promise<RunResult> => host.run(['/bin/sh', '-c', cmd]);
/** A command as the user, with its user manager's environment (what a login would give it). */
const asUser = (host: SystemdHost, cmd: string): Promise<RunResult> =>
  host.run(['/sbin/runuser', '-u', USER, '--', '/bin/sh', '-c', `cd ${HOME} && ${USER_ENV} ${cmd}`]);
const asUserOk = async (host: SystemdHost, cmd: string): Promise<string> => {
  const r = await asUser(host, cmd);
  if (r.exitCode !== 0) throw new Error(`as ${USER}: ${cmd} exited ${r.exitCode}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
};
/** The user manager's journal lines (the user may not read the volatile journal itself). */
const userJournal = async (host: SystemdHost): Promise<string> => (await sh(host, `journalctl -b --no-pager _UID=${UID}`)).stdout;
const userState = async (host: SystemdHost, unit: string): Promise<string> =>
  (await asUser(host, `systemctl --user show -P ActiveState ${unit}`)).stdout.trim();

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

async function boot(t: { teardown(fn: () => unknown): void }): Promise<SystemdHost> {
  return bootSystemdHost({
    t,
    files: {
      // slirp4netns opens /dev/net/tun as the user. udev makes it 0666 on a real host (static_node=tun);
      // this machine has no udev, so nspawn copies its 0600 node: at every boot, this stands in for udev.
      '/etc/tmpfiles.d/berth-host-tun.conf': 'z /dev/net/tun 0666 - - -\n',
    },
    symlinks: { '/usr/local/lib/systemd/user-generators/berth': `${REPO}dist/berth-generator.cjs`, '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
}

/** The user, its image store and image, and lingering: its manager runs from now on, and at every boot. */
async function setUpUser(host: SystemdHost): Promise<void> {
  await host.runOk(['useradd', '-m', '-u', String(UID), '-s', '/bin/sh', USER]);
  // useradd gives the user the next free range; this one is known, so the test can name the host's UIDs.
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    await host.runOk(['/bin/sh', '-c', `sed -i '/^${USER}:/d' ${file} && echo ${USER}:${SUB_START}:${SUB_COUNT} >> ${file}`]);
  }
  await host.runOk(['/bin/sh', '-c', `mkdir -p ${STORE} && chown ${UID}:${UID} ${STORE} && podman save -o /var/tmp/busybox.tar localhost/busybox:latest && chmod 644 /var/tmp/busybox.tar`]);
  await host.writeFile(`${HOME}/.config/containers/storage.conf`, `[storage]\ndriver = "overlay"\ngraphroot = "${STORE}"\nrunroot = "/run/user/${UID}/containers"\n`);
  await host.writeFile(`${HOME}/www/index.html`, 'rootless hello\n');
  await host.runOk(['chown', '-R', `${UID}:${UID}`, `${HOME}/.config`, `${HOME}/www`]);
  await host.runOk(['loginctl', 'enable-linger', USER]);
  await waitFor(`user@${UID}.service and its bus`, async () => (await sh(host, `test -S /run/user/${UID}/bus`)).exitCode === 0);
  await asUserOk(host, 'podman load -q -i /var/tmp/busybox.tar');
}

/** The definition, written as the user would (after the image is there: its manager is already running). */
async function define(host: SystemdHost): Promise<void> {
  await asUserOk(host, `mkdir -p ${HOME}/.config/berth/definitions && cat > ${HOME}/.config/berth/definitions/web.container <<'EOF'\n${WEB}EOF`);
}

/** The container's PIDs (inside the test host) and the host UIDs they run as, from /proc. */
async function containerUids(host: SystemdHost): Promise<{ conmon: number; conmonUid: number; workload: number; workloadUid: number }> {
  const conmon = Number((await asUserOk(host, 'systemctl --user show -P MainPID web.service')).trim());
  const workload = Number((await asUserOk(host, "podman inspect --format '{{.State.Pid}}' rootless-web")).trim());
  const uid = async (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(await host.runOk(['cat', `/proc/${pid}/status`]))?.[1]);
  return { conmon, conmonUid: await uid(conmon), workload, workloadUid: await uid(workload) };
}

const page = (host: SystemdHost): Promise<RunResult> => host.run(['curl', '-sSf', '-m', '5', `http://127.0.0.1:${PORT}/`]);

test.serial("a user's definition runs rootless as a user unit: subordinate IDs, an unprivileged port, removed at stop, started at boot by lingering", async (t) => {
  const host = await boot(t);
  await setUpUser(host);
  await define(host);

  await asUserOk(host, 'systemctl --user daemon-reload');
  const unit = await host.runOk(['cat', `/run/user/${UID}/systemd/generator/web.service`]);
  // podman sees cgroups v1 here (hybrid): the unit does not ask for the split rootless podman cannot make.
  t.regex(unit, /^ExecStart=\/usr\/bin\/podman run --name rootless-web .*--cgroups=no-conmon /m);
  t.regex(unit, /^# --cgroups=no-conmon, not split: podman sees cgroups v1 here, where a rootless --cgroups=split fails/m);
  t.is((await host.runOk(['readlink', `/run/user/${UID}/systemd/generator/default.target.wants/web.service`])).trim(), '../web.service');

  const start = await asUser(host, 'systemctl --user start web.service');
  t.is(start.exitCode, 0, start.stderr + (await userJournal(host)));
  t.is(await userState(host, 'web.service'), 'active');
  await waitFor('the page', async () => (await page(host)).exitCode === 0).catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(await page(host))}\n${await asUser(host, 'podman ps -a; podman logs rootless-web').then((r) => r.stdout + r.stderr)}\n${(await sh(host, `ss -ltnp; ls -l ${HOME}/www`)).stdout}`);
  });
  t.is((await page(host)).stdout, 'rootless hello\n');

  // conmon runs as the user, in the unit's cgroup (systemd supervises it); the container's process as
  // container uid 1000, which is the user's subordinate uid SUB_START + 999 on the host.
  const ids = await containerUids(host);
  t.is(ids.conmonUid, UID);
  t.is(ids.workloadUid, SUB_START + 999);
  // Every process of the container (the shell and httpd), as podman sees them on the host.
  const hostUsers = (await asUserOk(host, 'podman top rootless-web huser')).trim().split('\n').slice(1).map((l) => l.trim());
  t.deepEqual([...new Set(hostUsers)], [String(SUB_START + 999)], hostUsers.join(' '));
  t.true(hostUsers.length >= 2);
  t.regex(await host.runOk(['cat', `/proc/${ids.conmon}/cgroup`]), new RegExp(`/user.slice/user-${UID}\\.slice/user@${UID}\\.service/app\\.slice/web\\.service$`, 'm'));

  // What Quadlet writes fails here, as on RHEL 8: runc may not make the container's cgroups under the unit's.
  await asUserOk(host, `cat > ${HOME}/.config/berth/definitions/split.container <<'EOF'\n[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\nCgroupsMode=split\nEOF`);
  await asUserOk(host, 'systemctl --user daemon-reload');
  t.not((await asUser(host, 'systemctl --user start split.service')).exitCode, 0);
  t.regex(await userJournal(host), /runc create failed: unable to start container process: unable to apply cgroup configuration: mkdir \/sys\/fs\/cgroup\/cpuset\/user\.slice: permission denied/);
  await asUserOk(host, `rm ${HOME}/.config/berth/definitions/split.container`);
  await asUserOk(host, 'systemctl --user daemon-reload');

  t.is((await asUser(host, 'systemctl --user stop web.service')).exitCode, 0);
  t.is(await userState(host, 'web.service'), 'inactive', await userJournal(host));
  t.is((await asUserOk(host, 'podman ps -a --format "{{.Names}}"')).trim(), '', 'the container is removed');

  // A reboot: nobody logs in; lingering starts the user's manager, and default.target the unit.
  await host.reboot();
  await waitFor('the unit after the reboot', async () => (await userState(host, 'web.service').catch(() => '')) === 'active', 60_000);
  await waitFor('the page after the reboot', async () => (await page(host)).exitCode === 0);
  t.is((await page(host)).stdout, 'rootless hello\n');
  t.is((await containerUids(host)).workloadUid, SUB_START + 999);
  t.is((await host.runOk(['loginctl', 'list-sessions', '--no-legend'])).trim(), '', 'no session: lingering alone');
});

test.serial("the user's berth status, doctor and list see its own container and host, and its generator refuses a [Checkpoint] with the line and the way to do it", async (t) => {
  const host = await boot(t);
  await setUpUser(host);
  await define(host);
  await asUserOk(host, `cat > ${HOME}/.config/berth/definitions/saved.container <<'EOF'\n[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n\n[Checkpoint]\nOnCalendar=daily\nEOF`);
  await asUserOk(host, 'systemctl --user daemon-reload');
  t.is((await asUser(host, 'systemctl --user start web.service')).exitCode, 0, await userJournal(host));

  // status: the user's own container, running.
  const status = JSON.parse(await asUserOk(host, 'berth status --user --json')) as Array<{ name: string; activeState?: string; state?: string }>;
  t.deepEqual(status.map((r) => r.name).sort(), ['saved', 'web'], JSON.stringify(status));

  // list: the [Checkpoint] definition is not loaded, at its section's line, with what to do instead.
  const rows = JSON.parse(await asUserOk(host, 'berth list --user --json')) as Array<{ name: string; state: string; reason: string | null }>;
  const saved = rows.find((r) => r.name === 'saved.container');
  t.is(saved?.state, 'not loaded', JSON.stringify(rows));
  t.regex(saved?.reason ?? '', new RegExp(`${HOME}/\\.config/berth/definitions/saved\\.container:5: .*a \\[Checkpoint\\] section needs root.*User=`));
  t.is(rows.find((r) => r.name === 'web.container')?.state, 'active');

  // doctor --user: the user's ranges, lingering and the cgroups rule, as this host has them.
  const doctor = JSON.parse((await asUser(host, 'berth doctor --user --json')).stdout) as { checks: Array<{ id: string; status: string; summary: string }> };
  const check = (id: string) => doctor.checks.find((c) => c.id === id);
  t.is(check('subuid')?.status, 'ok', JSON.stringify(check('subuid')));
  t.regex(check('subuid')?.summary ?? '', new RegExp(`${SUB_START}`));
  t.is(check('linger')?.status, 'ok', JSON.stringify(check('linger')));
  t.regex(check('cgroups')?.summary ?? '', /no-conmon/);
});
