/**
 * The throwaway systemd system manager of test/helpers/systemd-host.ts: it boots, runs enabled units
 * and Quadlet-shaped podman units, several can run at once, and nothing of it survives stop().
 */
import test from 'ava';
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, bootSystemdHost, type SystemdHost } from '../helpers/systemd-host.js';

// bootSystemdHost() itself fails with a clear message where it cannot run; nothing here skips.

/** The shape Quadlet 4.4+ gives a .container (see /work/shared/conformance/quadlet/basic.container). */
const QUADLET_SHAPED = `[Unit]
Description=busybox under podman, shaped like Quadlet's output
Wants=network-online.target
After=network-online.target
RequiresMountsFor=%t/containers

[Service]
Environment=PODMAN_SYSTEMD_UNIT=%n
KillMode=mixed
ExecStop=/usr/bin/podman rm -v -f -i --cidfile=%t/%N.cid
ExecStopPost=-/usr/bin/podman rm -v -f -i --cidfile=%t/%N.cid
Delegate=yes
Type=notify
NotifyAccess=all
SyslogIdentifier=%N
ExecStart=/usr/bin/podman run --name=systemd-%N --cidfile=%t/%N.cid --replace --rm --cgroups=split --sdnotify=conmon -d localhost/busybox:latest /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done'
`;

const ENABLED_UNIT = `[Unit]
Description=a unit enabled before boot

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo hello > /var/lib/berth-hello'

[Install]
WantedBy=multi-user.target
`;

/** What a host may leave behind, seen from the host; all empty after stop(). */
function leftovers(host: SystemdHost): string[] {
  const found: string[] = [];
  const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) {
    const target = line.split(' ')[4];
    if (target && (target === host.root || target.startsWith(host.root + '/') || target.startsWith(path.dirname(host.root) + '/'))) {
      found.push(`mount ${target}`);
    }
  }
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('systemd-nspawn') && argv.includes(host.name)) found.push(`nspawn process ${e}`);
    } catch {
      /* gone */
    }
  }
  if (fs.existsSync(path.dirname(host.root))) found.push(`folder ${path.dirname(host.root)}`);
  if (fs.existsSync(`/run/systemd/nspawn/propagate/${host.name}`)) found.push('nspawn propagate folder');
  const cgroupRoot = '/sys/fs/cgroup';
  const walk = (d: string, depth: number) => {
    if (depth > 4) return;
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(d, e.name);
      if (e.name === `berth-host-${host.name}`) found.push(`cgroup ${p}`);
      else walk(p, depth + 1);
    }
  };
  walk(cgroupRoot, 0);
  return found;
}

test('a systemd host runs a unit enabled before boot, and a Quadlet-shaped podman unit started from the host runs its container', async (t) => {
  const host = await bootSystemdHost({
    t,
    files: { '/etc/systemd/system/berth-hello.service': ENABLED_UNIT, '/etc/systemd/system/berth-bb.service': QUADLET_SHAPED },
    symlinks: { '/etc/systemd/system/multi-user.target.wants/berth-hello.service': '../berth-hello.service' },
  });
  t.log(`booted ${host.name} in ${host.bootMs} ms (${host.bootState})`);
  const failed = await host.systemctl('--failed', '--plain', '--no-legend');
  t.is(host.bootState, 'running', `failed units:\n${failed.stdout}`);

  t.is((await host.systemctl('is-active', 'berth-hello.service')).stdout.trim(), 'active');
  t.is(await host.readFile('/var/lib/berth-hello'), 'hello\n');

  const started = await host.systemctl('start', 'berth-bb.service');
  t.is(started.exitCode, 0, `${started.stderr}\n${await host.journal('berth-bb.service')}`);
  t.is((await host.systemctl('is-active', 'berth-bb.service')).stdout.trim(), 'active');
  const ps = await host.run(['podman', 'ps', '--format', '{{.Names}} {{.Image}}']);
  t.is(ps.stdout.trim(), 'systemd-berth-bb localhost/busybox:latest', ps.stderr);
  const inContainer = await host.run(['podman', 'exec', 'systemd-berth-bb', 'cat', '/proc/1/cmdline']);
  t.regex(inContainer.stdout.replaceAll('\0', ' '), /^\/bin\/sh -c trap/);
  // Quadlet's cgroup shape: conmon in runtime/, the container's processes beside it, in the unit.
  const cgroup = await host.systemctl('show', '-P', 'ControlGroup', 'berth-bb.service');
  t.is(cgroup.stdout.trim(), '/system.slice/berth-bb.service');

  const stopped = await host.systemctl('stop', 'berth-bb.service');
  t.is(stopped.exitCode, 0, stopped.stderr);
  t.is((await host.run(['podman', 'ps', '-a', '-q'])).stdout.trim(), '');

  // A plain podman run in a transient unit, as tests will do for setup.
  const plain = await host.run(['podman', 'run', '--rm', '--name', 'x', 'localhost/busybox:latest', 'echo', 'ran']);
  t.deepEqual(plain, { stdout: 'ran\n', stderr: '', exitCode: 0 });

  await host.stop();
  t.deepEqual(leftovers(host), []);
});

test('a generator on a systemd host runs at boot, and its /dev/kmsg lines reach the journal text', async (t) => {
  const generator = [
    '#!/bin/sh',
    'echo "<6>berth-test-generator: writing gen-hello.service" > /dev/kmsg',
    'echo "this stderr line is lost: systemd 252 gives generators /dev/null" >&2',
    'printf "[Service]\\nType=oneshot\\nRemainAfterExit=yes\\nExecStart=/bin/true\\n" > "$1/gen-hello.service"',
    'mkdir -p "$1/multi-user.target.wants" && ln -s ../gen-hello.service "$1/multi-user.target.wants/"',
    '',
  ].join('\n');
  const host = await bootSystemdHost({ t, files: { '/usr/local/lib/systemd/system-generators/berth-test-generator': generator } });
  t.is((await host.systemctl('is-active', 'gen-hello.service')).stdout.trim(), 'active');
  t.regex(await host.journal(), /berth-test-generator: writing gen-hello\.service/);
  // systemctl cat on the host would read /run/systemd/generator/… on the HOST; read it inside.
  t.regex(await host.runOk(['systemctl', 'cat', 'gen-hello.service']), /ExecStart=\/bin\/true/);
  await host.writeFile('/run/berth-note', 'x');
  t.is(await host.runOk(['cat', '/run/berth-note']), 'x');
  await host.stop();
  t.deepEqual(leftovers(host), []);
});

test('two systemd hosts run at once without sharing cgroups, and each reaches only its own manager', async (t) => {
  const [a, b] = await Promise.all([
    bootSystemdHost({ t, files: { '/etc/berth-which': 'a\n' } }),
    bootSystemdHost({ t, files: { '/etc/berth-which': 'b\n' } }),
  ]);
  t.not(a!.name, b!.name);
  t.is(await a!.runOk(['cat', '/etc/berth-which']), 'a\n');
  t.is(await b!.runOk(['cat', '/etc/berth-which']), 'b\n');
  const cgA = (await a!.runOk(['cat', '/proc/self/cgroup'])).trim();
  t.regex(cgA, /name=systemd:\/system\.slice\/run-/);
  // From the host, each container's PID 1 sits in its own berth-host-<name> cgroup.
  for (const h of [a!, b!]) {
    const pid1 = fs.readFileSync(`/proc/${h.nspawnPid}/task/${h.nspawnPid}/children`, 'utf8').trim().split(' ')[0];
    t.regex(fs.readFileSync(`/proc/${pid1}/cgroup`, 'utf8'), new RegExp(`name=systemd:/.*berth-host-${h.name.replaceAll('.', '\\.')}/`));
  }
  await Promise.all([a!.stop(), b!.stop()]);
  t.deepEqual([...leftovers(a!), ...leftovers(b!)], []);
});

test('booting a systemd host under the name of one whose process was killed cleans up what that one left', async (t) => {
  const name = `berth-crash-${process.pid}`;
  const helper = fileURLToPath(new URL('../helpers/systemd-host.js', import.meta.url));
  // A process boots a host and dies by SIGKILL: no teardown, no exit handler.
  const crashed = await execa(process.execPath, ['--input-type=module', '-e',
    `const m = await import(${JSON.stringify(helper)}); const h = await m.bootSystemdHost({ name: ${JSON.stringify(name)} });` +
    ' console.log(JSON.stringify({ root: h.root, pid: h.nspawnPid })); process.kill(process.pid, "SIGKILL");'], { reject: false });
  t.is(crashed.signal, 'SIGKILL', crashed.stderr);
  const old = JSON.parse(crashed.stdout) as { root: string; pid: number };
  // Another ava worker booting a host may sweep it first (its owner is dead): either way it must go.
  const running = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(name);
    } catch {
      return false;
    }
  };
  t.log(running(old.pid) ? 'the crashed host was still running' : 'the crashed host had already been swept');

  const host = await bootSystemdHost({ t, name });
  t.false(running(old.pid));
  const overlays = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === host.root);
  t.is(overlays.length, 1, 'only the new overlay is mounted');
  t.is(host.root, old.root);
  t.is((await host.systemctl('is-system-running')).stdout.trim(), 'running');
  await host.stop();
  t.deepEqual(leftovers(host), []);
  t.false(fs.existsSync(path.join(BASE, name)));
});

/** A unit enabled before boot that writes, as it stops, the boot it stopped in. */
const STOP_RECORDER = `[Unit]
Description=records its stop

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/bin/sh -c 'cat /proc/sys/kernel/random/boot_id > /var/lib/berth-stopped-in'

[Install]
WantedBy=multi-user.target
`;

test('a systemd host reboots: units stop in a clean power-off, the disk and bound folders stay, /run and /tmp start empty, and stop() leaves nothing', async (t) => {
  const bound = fs.mkdtempSync(path.join(BASE, '..', 'berth-reboot-bind-'));
  t.teardown(() => fs.rmSync(bound, { recursive: true, force: true }));
  const host = await bootSystemdHost({
    t,
    binds: [{ host: bound, inside: '/srv/bound' }],
    files: { '/etc/systemd/system/berth-stop-recorder.service': STOP_RECORDER },
    symlinks: { '/etc/systemd/system/multi-user.target.wants/berth-stop-recorder.service': '../berth-stop-recorder.service' },
  });
  const sh = async (cmd: string) => (await host.runOk(['/bin/sh', '-c', cmd])).trim();
  const bootId = await sh('cat /proc/sys/kernel/random/boot_id');
  await sh('echo disk > /var/lib/berth-disk && echo bound > /srv/bound/file && echo run > /run/berth-run && echo tmp > /tmp/berth-tmp');
  const firstPid = host.nspawnPid;

  const times = await host.reboot();
  t.log(`power-off ${times.poweroffMs} ms, boot ${times.bootMs} ms (${host.bootState})`);
  t.is(host.bootMs, times.bootMs);
  t.not(host.nspawnPid, firstPid);
  t.not(await sh('cat /proc/sys/kernel/random/boot_id'), bootId, 'a new boot');
  t.is(await sh('cat /var/lib/berth-stopped-in'), bootId, "the unit's ExecStop= ran at the power-off");
  t.is((await host.systemctl('is-active', 'berth-stop-recorder.service')).stdout.trim(), 'active', 'enabled units start again');
  t.is(await sh('cat /var/lib/berth-disk /srv/bound/file'), 'disk\nbound');
  t.is(await sh('ls /run/berth-run /tmp/berth-tmp 2>/dev/null; true'), '', '/run and /tmp are fresh');

  await host.stop();
  t.deepEqual(leftovers(host), []);
});
