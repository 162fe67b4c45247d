/**
 * End to end, on a real systemd system manager (test/helpers/systemd-host.ts) and across reboots of it:
 * `berth enable|disable NAME [--now]` switches whether a definition's unit starts at boot, through berth's
 * state folder (/etc/berth/enabled), which the generator reads at every boot and daemon-reload.
 *  - on.container has [Install] WantedBy=multi-user.target: it starts at boot; `berth disable on` keeps it
 *    from starting at the next boot; `berth enable on` starts it at boot again.
 *  - off.container has no [Install]: it does not start at boot; `berth enable --now off` starts it at once
 *    and at every boot after (wanted by multi-user.target); `berth disable --now off` stops it.
 */
import test, { type ExecutionContext } from 'ava';
import { bootSystemdHost, requireSystemdHarness, type SystemdHost } from '../helpers/systemd-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const DEFS = '/etc/berth/definitions';
const GENERATED = '/run/systemd/generator';

/** A container that ends at once on SIGTERM (a bare sleep as PID 1 ignores it, and stops would take 10 s and fail). */
const CONTAINER = `[Container]\nImage=localhost/busybox:latest\nExec=sh -c 'trap "exit 0" TERM; sleep 100000 & wait'\n`;
const ON = `${CONTAINER}[Install]\nWantedBy=multi-user.target\n`;
const OFF = CONTAINER;

let host: SystemdHost;

test.serial.before(async (t) => {
  requireSystemdHarness();
  host = await bootSystemdHost({
    files: { [`${DEFS}/on.container`]: ON, [`${DEFS}/off.container`]: OFF },
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`, '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
  t.log(`booted in ${host.bootMs} ms (${host.bootState})`);
});

test.after.always(async () => {
  await host?.stop();
});

const isActive = async (unit: string): Promise<string> => (await host.systemctl('is-active', unit)).stdout.trim();

/** Whether the generator's output folder has the unit's link in multi-user.target.wants/. */
async function linked(unit: string): Promise<boolean> {
  return (await host.run(['/usr/bin/test', '-L', `${GENERATED}/multi-user.target.wants/${unit}`])).exitCode === 0;
}

/** Runs /usr/bin/berth inside (through sh: systemd-run looks an absolute argv[0] up on the host, which has none). */
const runBerth = (...args: string[]) => host.run(['/bin/sh', '-c', 'exec /usr/bin/berth "$@"', 'sh', ...args]);

async function berth(t: ExecutionContext, ...args: string[]): Promise<string> {
  const r = await runBerth(...args);
  t.is(r.exitCode, 0, `berth ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function reboot(t: ExecutionContext): Promise<void> {
  const times = await host.reboot();
  t.log(`reboot: power-off ${times.poweroffMs} ms, boot ${times.bootMs} ms (${host.bootState})`);
}

async function states(): Promise<Record<string, string>> {
  return { on: await isActive('on.service'), off: await isActive('off.service') };
}

test.serial('a definition with [Install] starts at boot, one without does not', async (t) => {
  t.deepEqual(await states(), { on: 'active', off: 'inactive' }, await host.journal());
  t.true(await linked('on.service'));
  t.false(await linked('off.service'));
});

test.serial('berth disable: the link goes at once, the running unit stays, and it does not start at the next boot', async (t) => {
  const out = await berth(t, 'disable', 'on');
  t.is(out, 'on.container: disabled: on.service does not start at boot\n');
  t.is((await host.run(['/bin/ls', '/etc/berth/enabled'])).stdout, 'on.container.disabled\n');
  t.false(await linked('on.service'), 'systemd was reloaded: the generator ran without the link');
  t.is(await isActive('on.service'), 'active', 'without --now the unit keeps running');
  await reboot(t);
  t.deepEqual(await states(), { on: 'inactive', off: 'inactive' }, await host.journal());
  t.false(await linked('on.service'));
  t.is((await host.systemctl('start', 'on.service')).exitCode, 0, 'the unit is still generated and can be started by hand');
  t.is((await host.systemctl('stop', 'on.service')).exitCode, 0);
});

test.serial('berth enable: it starts at the next boot again', async (t) => {
  const out = await berth(t, 'enable', 'on.container');
  t.is(out, 'on.container: enabled: on.service starts at boot (WantedBy=multi-user.target)\n');
  t.true(await linked('on.service'));
  t.is(await isActive('on.service'), 'inactive', 'without --now nothing starts');
  await reboot(t);
  t.deepEqual(await states(), { on: 'active', off: 'inactive' }, await host.journal());
});

test.serial('berth enable --now of a definition without [Install]: started now, wanted by multi-user.target, and started at every boot', async (t) => {
  const out = JSON.parse(await berth(t, 'enable', '--now', '--json', 'off')) as Record<string, unknown>;
  t.like(out, { name: 'off.container', unit: 'off.service', state: 'enabled', previous: 'default', reloaded: true, started: true, job: 'done' });
  t.is(await isActive('off.service'), 'active');
  t.true(await linked('off.service'));
  const printed = JSON.parse(await berth(t, 'print', '--unit', '--json', 'off')) as { units: { fileName: string; symlinks: unknown[] }[] };
  t.deepEqual(printed.units.find((u) => u.fileName === 'off.service')?.symlinks, [{ path: 'multi-user.target.wants/off.service', target: '../off.service' }]);
  await reboot(t);
  t.deepEqual(await states(), { on: 'active', off: 'active' }, await host.journal());
  await reboot(t);
  t.deepEqual(await states(), { on: 'active', off: 'active' }, 'and at the boot after');
});

test.serial('berth disable --now stops the unit at once, and it stays stopped after a reboot', async (t) => {
  t.regex(await berth(t, 'disable', '--now', 'off'), /^off\.container: disabled: off\.service does not start at boot\noff\.service stopped\n$/);
  t.is(await isActive('off.service'), 'inactive');
  await reboot(t);
  t.deepEqual(await states(), { on: 'active', off: 'inactive' }, await host.journal());
});

test.serial('an unknown name is refused with exit status 2, and the state folder is not touched', async (t) => {
  const r = await runBerth('enable', 'nope');
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /no definition named nope/);
  t.is((await host.run(['/bin/ls', '/etc/berth/enabled'])).stdout, 'off.container.disabled\non.container.enabled\n');
});

test.serial('enabling a definition the generator refuses saves the state and warns that systemd has no unit for it', async (t) => {
  await host.writeFile(`${DEFS}/broken.container`, '[Container]\nImage=localhost/busybox:latest\nNope=1\n');
  const r = await runBerth('enable', 'broken');
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /warning: systemd has no unit broken\.service to start \(load state not-found\)/);
  const now = await runBerth('enable', '--now', 'broken');
  t.is(now.exitCode, 1);
  t.regex(now.stderr, /broken\.service could not be started/);
});
