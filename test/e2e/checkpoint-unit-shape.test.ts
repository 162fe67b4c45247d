/**
 * Proves the unit shape berth will use for containers with scheduled CRIU checkpoints: ONE system service
 * that either runs the container fresh (`podman run`) or brings it back from an exported checkpoint
 * (`podman container restore --import`), decided at start time by the command in ExecStart, and that in both
 * cases is supervised the same way: Type=forking, the main PID is conmon (read from PIDFile=, which the
 * restored conmon writes again because the archive keeps the create-time --conmon-pidfile), stop removes
 * the container, a crash of the container fails the unit.
 *
 * The unit is written by hand (no berth generator). `berth start NAME -- podman run …` (a Node wrapper that
 * spawns podman as its child and exits with its code) is emulated by a small sh script with the same
 * command line; it restores when a request file names an archive, and consumes that request.
 * Facts and timings behind each key: /work/shared/testhost/NOTES.md and the research report.
 */
import test from 'ava';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';

test.before(() => requireSystemdHarness());

const NAME = 'ckpt-demo';
const UNIT = `${NAME}.service`;
const PIDFILE = `/run/${NAME}.conmon.pid`; // %t/… in the unit: %t is /run for the system manager
const REQUEST = `/run/berth-restore/${NAME}`; // "restore from this archive on the next start" (one-shot)
const ARCHIVE_DIR = '/var/lib/berth-test';

/** What the container runs: a counter in memory + tmpfs, and a TCP listener. Exits 0 on SIGTERM. */
const WORKLOAD =
  'trap "exit 0" TERM; ' +
  'i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 1; done & ' +
  'mkdir -p /www; echo hello-from-ckpt > /www/index.html; httpd -f -p 80 -h /www & wait';

/** The podman run command line as berth would emit it (specifiers like %t are meant to be expanded). */
const RUN_ARGV = [
  '/usr/bin/podman', 'run',
  '--conmon-pidfile=%t/ckpt-demo.conmon.pid', '--cgroups=no-conmon',
  '-d', '--replace', '--rm', '--name', NAME,
  '--tmpfs', '/tmp', '-p', '8080:80',
  'localhost/busybox:latest', 'sh', '-c',
];

/** A literal argument on a unit command line: "…" with \ and " escaped, $ → $$ and % → %% (systemd expands both). */
function literalUnitArg(a: string): string {
  const escaped = a.replaceAll('$', () => '$$').replaceAll('%', () => '%%');
  return /[\s"'\\;]/.test(a) ? `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : escaped;
}

const SERVICE = `[Unit]
Description=berth checkpoint unit shape (${NAME})
Wants=network-online.target
After=network-online.target

[Service]
Type=forking
PIDFile=%t/${NAME}.conmon.pid
Environment=PODMAN_SYSTEMD_UNIT=%n
KillMode=mixed
SuccessExitStatus=143
TimeoutStartSec=300
TimeoutStopSec=70
ExecStart=/usr/local/libexec/berth-start-emul ${NAME} -- ${RUN_ARGV.join(' ')} ${literalUnitArg(WORKLOAD)}
ExecStop=/usr/bin/podman stop --ignore -t 10 ${NAME}
ExecStopPost=/usr/bin/podman rm -f --ignore -t 10 ${NAME}
`;

/**
 * Emulates `berth start NAME -- podman run …`: podman is a child (no exec), the wrapper exits with its code.
 * Before restoring it clears what would make `podman container restore` fail: a container of the same name
 * ("the container name … is already in use") and a stale runtime state for the archive's container ID
 * (left when conmon was SIGKILLed: "runc: container with given ID already exists").
 */
const WRAPPER = `#!/bin/sh
name=$1; shift; [ "$1" = -- ] && shift
req=/run/berth-restore/$name
if [ -f "$req" ]; then
  archive=$(cat "$req"); rm -f "$req"
  /usr/bin/podman rm -f --ignore -t 0 "$name" >/dev/null
  id=$(tar -xOf "$archive" config.dump | sed -n 's/^  "id": "\\([0-9a-f]*\\)",$/\\1/p')
  [ -n "$id" ] && /usr/bin/runc delete --force "$id" 2>/dev/null
  echo "berth-start: restoring $name from $archive" >&2
  /usr/bin/podman container restore --tcp-established --import "$archive"
  exit $?
fi
"$@"
exit $?
`;

async function sh(host: SystemdHost, cmd: string): Promise<string> {
  return (await host.runOk(['/bin/sh', '-c', cmd])).trim();
}

async function unitState(host: SystemdHost): Promise<Record<string, string>> {
  const r = await host.systemctl('show', UNIT, '-p', 'ActiveState,SubState,Result,MainPID,ExecMainStatus');
  return Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

interface Ctr { id: string; conmonPid: string; pid: string; conmonPidFile: string; label: string }
async function inspect(host: SystemdHost): Promise<Ctr> {
  const out = await sh(host, `podman container inspect ${NAME} --format '{{.Id}} {{.State.ConmonPid}} {{.State.Pid}} {{.ConmonPidFile}} {{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}'`);
  const [id, conmonPid, pid, conmonPidFile, label] = out.split(' ') as [string, string, string, string, string];
  return { id, conmonPid, pid, conmonPidFile, label };
}

async function containers(host: SystemdHost): Promise<string> {
  return sh(host, 'podman ps -a --format "{{.Names}}"');
}

async function inCtr(host: SystemdHost, cmd: string): Promise<string> {
  return sh(host, `podman exec ${NAME} sh -c '${cmd}'`);
}

async function httpGet(host: SystemdHost): Promise<string> {
  let last = '';
  for (let i = 0; i < 20; i++) {
    const r = await host.run(['/bin/busybox', 'wget', '-qO-', 'http://127.0.0.1:8080/']);
    if (r.exitCode === 0) return r.stdout.trim();
    last = r.stderr;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`GET http://127.0.0.1:8080/ failed: ${last}`);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const r = await f();
  return [r, Date.now() - t0];
}

test('one forking unit runs a container fresh or restores it from a CRIU archive, supervising conmon and stopping cleanly either way', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: {
      [`/etc/systemd/system/${UNIT}`]: SERVICE,
      '/usr/local/libexec/berth-start-emul': WRAPPER,
      [`${ARCHIVE_DIR}/.keep`]: '',
    },
  });
  const journal = () => host.journal(UNIT);

  /** Active, main PID = the container's conmon = what conmon wrote into the unit's PIDFile. */
  const assertSupervised = async (when: string): Promise<Ctr> => {
    t.is((await host.systemctl('is-active', UNIT)).stdout.trim(), 'active', `${when}\n${await journal()}`);
    const s = await unitState(host);
    const c = await inspect(host);
    t.is(s['MainPID'], c.conmonPid, `${when}: MainPID is conmon`);
    t.is(c.conmonPidFile, PIDFILE, `${when}: ConmonPidFile`);
    t.is(await sh(host, `cat ${PIDFILE}`), c.conmonPid, `${when}: PIDFile content`);
    t.regex(await sh(host, `tr '\\0' ' ' < /proc/${s['MainPID']}/cmdline`), /^\/usr\/bin\/conmon /);
    t.is(c.label, UNIT, `${when}: PODMAN_SYSTEMD_UNIT label`);
    return c;
  };
  const assertStoppedCleanly = async (when: string) => {
    const [r, ms] = await timed(() => host.systemctl('stop', UNIT));
    t.is(r.exitCode, 0, r.stderr);
    const s = await unitState(host);
    t.is(s['ActiveState'], 'inactive', `${when}: ${JSON.stringify(s)}\n${await journal()}`);
    t.is(s['Result'], 'success', when);
    t.is(await containers(host), '', `${when}: container removed`);
    t.log(`${when}: systemctl stop ${ms} ms`);
  };
  const checkpoint = async (archive: string) => {
    const [out, ms] = await timed(() => sh(host, `podman container checkpoint --leave-running --tcp-established --export ${archive} ${NAME}`));
    t.log(`checkpoint --leave-running --export ${archive}: ${ms} ms, ${await sh(host, `stat -c %s ${archive}`)} bytes`);
    return out;
  };
  const requestRestore = (archive: string) => host.writeFile(REQUEST, archive);

  // (1) Fresh: podman run under the unit.
  let [r, ms] = await timed(() => host.systemctl('start', UNIT));
  t.is(r.exitCode, 0, `${r.stderr}\n${await journal()}`);
  t.log(`fresh start: ${ms} ms`);
  const fresh = await assertSupervised('fresh');
  t.is(await httpGet(host), 'hello-from-ckpt');

  // State worth keeping: the counter runs, a file lives only in the tmpfs.
  while (Number(await inCtr(host, 'cat /tmp/counter')) < 5) await new Promise((res) => setTimeout(res, 500));
  await inCtr(host, 'echo kept-in-tmpfs > /tmp/marker');
  const before = Number(await inCtr(host, 'cat /tmp/counter'));
  await checkpoint(`${ARCHIVE_DIR}/a.tar.zst`);
  t.is((await unitState(host))['MainPID'], fresh.conmonPid, 'checkpoint --leave-running keeps the same conmon');

  await assertStoppedCleanly('fresh');

  // (2) Restore under the same unit.
  await requestRestore(`${ARCHIVE_DIR}/a.tar.zst`);
  [r, ms] = await timed(() => host.systemctl('start', UNIT));
  t.is(r.exitCode, 0, `${r.stderr}\n${await journal()}`);
  t.log(`restore start: ${ms} ms`);
  const restored = await assertSupervised('restored');
  t.is(restored.id, fresh.id, 'the archive keeps the container ID');
  t.not(restored.conmonPid, fresh.conmonPid);
  t.is(await inCtr(host, 'cat /tmp/marker'), 'kept-in-tmpfs');
  const after = Number(await inCtr(host, 'cat /tmp/counter'));
  t.true(after >= before, `the counter went on from ${before} (a fresh start would count from 1), now ${after}`);
  t.is(await httpGet(host), 'hello-from-ckpt');
  await new Promise((res) => setTimeout(res, 2000));
  t.true(Number(await inCtr(host, 'cat /tmp/counter')) > after, 'the restored loop keeps running');
  t.is(await sh(host, `test -e ${REQUEST} && echo left || echo consumed`), 'consumed');

  // A restored container checkpoints again.
  await checkpoint(`${ARCHIVE_DIR}/b.tar.zst`);
  await assertStoppedCleanly('restored');

  // (3) Without a request the same unit runs fresh again.
  [r, ms] = await timed(() => host.systemctl('start', UNIT));
  t.is(r.exitCode, 0, `${r.stderr}\n${await journal()}`);
  t.log(`fresh start again: ${ms} ms`);
  const again = await assertSupervised('fresh again');
  t.not(again.id, fresh.id);
  t.is(await host.run(['/usr/bin/podman', 'exec', NAME, 'cat', '/tmp/marker']).then((x) => x.exitCode), 1, 'a fresh tmpfs');
  await assertStoppedCleanly('fresh again');

  // (4) A crash of a restored container fails the unit: systemd watches the restored conmon.
  await requestRestore(`${ARCHIVE_DIR}/b.tar.zst`);
  r = await host.systemctl('start', UNIT);
  t.is(r.exitCode, 0, `${r.stderr}\n${await journal()}`);
  const second = await assertSupervised('restored from the second archive');
  t.true(Number(await inCtr(host, 'cat /tmp/counter')) > after);
  await sh(host, `kill -9 ${second.pid}`);
  let s = await unitState(host);
  for (let i = 0; i < 40 && s['ActiveState'] !== 'failed'; i++) {
    await new Promise((res) => setTimeout(res, 250));
    s = await unitState(host);
  }
  t.is(s['ActiveState'], 'failed', JSON.stringify(s));
  t.is(s['Result'], 'exit-code');
  t.is(s['ExecMainStatus'], '137', 'conmon exits with the container status (128 + SIGKILL)');
  t.is(await containers(host), '', 'the crashed container is removed (--rm, kept by the archive)');
});
