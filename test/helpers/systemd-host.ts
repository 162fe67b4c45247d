/**
 * A throwaway systemd *system* manager for end-to-end tests: systemd-nspawn boots this machine's own OS
 * from an overlayfs of `/` (/work/shared/testhost/NOTES.md, "option 1"), so a real systemd 252 PID 1
 * with a system D-Bus runs units, generators and rootful podman, and everything it writes lands in a
 * scratch upper dir that stop() throws away.
 *
 * How one host is built (all under BASE/<name>, BASE = /var/tmp/berth-systemd-host by default, on ext4):
 * - root/ is an overlay mount (lowerdir=/, upperdir=upper/, workdir=work/); files, symlinks, a fresh
 *   /etc/machine-id, masks for the host's enabled services, DefaultTimeoutStopSec=10s, volatile journal,
 *   a storage.conf and a oneshot unit (before sysinit.target) that remounts /sys/fs/cgroup/* and /proc/sys
 *   read-write are written into it before boot.
 * - dbus/ is bound on /run/dbus: the host reaches the container's system bus at
 *   unix:path=BASE/<name>/dbus/system_bus_socket.
 * - containers/ (fresh) is bound on /var/lib/containers; the host's image store
 *   (/var/lib/containers/storage) is bound read-only on /var/lib/berth-host-images and listed as an
 *   additional image store, so localhost/busybox:latest (and any host image) is there at no cost.
 * - Before nspawn starts, its process moves into a cgroup of its own (<caller's cgroup>/berth-host-<name>)
 *   in every hierarchy. nspawn --keep-unit uses the caller's cgroup as the container's, and with cgroup
 *   namespaces the container's systemd and runc create system.slice/, machine.slice/ … at the root of
 *   that cgroup in each hierarchy: without the move two hosts booted from the same cgroup (NOTES: "one
 *   instance per calling cgroup") would share and fight over those. With it, any number of hosts can run
 *   at once, and stop() removes exactly the cgroup subtree the host created.
 *
 * /dev/kmsg inside is a FIFO that this process reads (kmsg(), and the tail of journal()): systemd 252
 * gives generators /dev/null as stderr, so a generator's messages survive only if it writes to /dev/kmsg
 * (as Quadlet's does) or to /dev/console (console(), nspawn's output).
 *
 * Host-side systemctl and systemd-run refuse to work on a host without systemd ("System has not been
 * booted with systemd as init system (PID 1). Can't operate.": they check that /run/systemd/system exists).
 * Creating that folder on the host would make the host's own podman believe systemd runs, so instead
 * BASE/bin holds shims named systemctl, systemd-run and systemd-analyze that run the real tool in a
 * private mount namespace where /run/systemd is a tmpfs holding an empty system/ folder. `host.env` puts
 * that folder first on PATH and sets DBUS_SYSTEM_BUS_ADDRESS: pass it as the environment of any process
 * that should drive the container's manager (busctl needs only the address). Beware: whatever such a
 * tool reads from the file system it reads on the HOST: `systemctl cat` prints the host's /etc/… (or
 * fails for /run/systemd/generator/…), `systemd-analyze verify` checks host files. Run those inside
 * with run(), which is also the only way to run podman in the container (nsenter fails:
 * "mkdir /sys/fs/cgroup/runtime: read-only file system").
 *
 * One host per test is fine: boot takes 1–2 s (0.4–2.3 s measured, more with several booting at once on
 * 2 cores), stop() 0.3–2 s. reboot() powers the manager off cleanly and boots the same disk again (0.2 s
 * power-off without containers, 0.3–1.5 s boot measured): each boot has its own nspawn, fresh cgroups and
 * a fresh bus socket, while the overlay, the bound folders and the kmsg FIFO stay. Pass `t` (or call
 * stop() in t.teardown) so a failing test still cleans up; a process that exits without stop() cleans up
 * in an 'exit' hook, and one that is killed is cleaned up by the next bootSystemdHost() (any host whose
 * owner process is gone, and any leftover of the same name).
 */
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import path from 'node:path';

/** The berth checkout these helpers belong to (dist/test/helpers → the repository root). */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const BASE = process.env['BERTH_SYSTEMD_HOST_DIR'] ?? '/var/tmp/berth-systemd-host';
const SHIM_DIR = path.join(BASE, 'bin');
const SHIMMED = ['systemctl', 'systemd-run', 'systemd-analyze'] as const;
/** The host's podman image store, offered read-only inside as an additional image store. */
const HOST_IMAGE_STORE = '/var/lib/containers/storage';
const INSIDE_IMAGE_STORE = '/var/lib/berth-host-images';
const BOOT_TIMEOUT_MS = 60_000;
/** How long reboot() waits for a power-off: longer than the longest TimeoutStopSec= berth writes (2 min 40 s). */
const POWEROFF_TIMEOUT_MS = 180_000;
/** Inside paths that are not the overlay: nspawn mounts its own /run, /tmp, /dev, /proc and /sys. */
const INSIDE_ONLY = ['/run', '/tmp', '/dev', '/proc', '/sys'];

export interface Bind {
  host: string;
  inside: string;
  readOnly?: boolean;
}

export type FileSpec = string | { content: string; mode?: number };

export interface BootOptions {
  /** Machine name (hostname inside); default berth-<pid>-<n>-<random>. Letters, digits, '-', '.'. */
  name?: string;
  binds?: Bind[];
  /**
   * Files written into the overlay before boot, by absolute inside path. A string is the content; its
   * mode is 0755 if it starts with "#!", else 0644.
   */
  files?: Record<string, FileSpec>;
  /** Symlinks created in the overlay before boot: inside path → target (as seen inside). */
  symlinks?: Record<string, string>;
  /** Offer the host's podman image store read-only inside (default true). */
  hostImages?: boolean;
  /** Host services enabled in /etc/systemd/system/*.wants that should NOT be masked (unit names). */
  keepEnabled?: string[];
  /** ava's `t` (or anything with teardown()): stop() is then registered as its teardown. */
  t?: { teardown(fn: () => unknown): void };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface SystemdHost {
  readonly name: string;
  /** Host path of the container's `/` (the overlay mount). */
  readonly root: string;
  /** D-Bus address of the container's system bus, reachable from the host. */
  readonly busAddress: string;
  /** process.env + DBUS_SYSTEM_BUS_ADDRESS + the shim folder first on PATH (see the file comment). */
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds from nspawn's start until the manager was running, at the latest boot. */
  readonly bootMs: number;
  /** What `systemctl is-system-running --wait` said at the latest boot: "running" or "degraded". */
  readonly bootState: string;
  /** PID (on the host) of the latest boot's systemd-nspawn. */
  readonly nspawnPid: number;
  systemctl(...args: string[]): Promise<RunResult>;
  /**
   * Runs argv inside, as a transient service (systemd-run --wait --pipe --quiet --collect); stdin is
   * `input` (or empty). A relative argv[0] is looked up on the host's PATH by systemd-run.
   */
  run(argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Like run(), but throws with stdout/stderr if the exit code is not 0; returns stdout. */
  runOk(argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Writes a file as seen inside (overlay, bound folder, or via run() for /run, /tmp …). */
  writeFile(insidePath: string, content: string, mode?: number): Promise<void>;
  readFile(insidePath: string): Promise<string>;
  /** Host path where an inside path of the overlay lives (symlinks resolved inside root). */
  hostPath(insidePath: string): string;
  /** journalctl -b inside, for one unit, or the whole boot followed by kmsg() (generators' messages). */
  journal(unit?: string): Promise<string>;
  /**
   * The container's console (nspawn's output): PID 1's messages before journald runs, and anything
   * written to /dev/console (a generator's stderr is NOT there: systemd 252 gives generators /dev/null).
   */
  console(): Promise<string>;
  /** Everything written to /dev/kmsg inside (a FIFO this process reads), e.g. generators' log lines. */
  kmsg(): string;
  daemonReload(): Promise<void>;
  /**
   * A clean power-off and a boot of the same disk, as a reboot: `systemctl poweroff` inside, so units stop
   * in order and run their ExecStop= lines (bounded by POWEROFF_TIMEOUT_MS), then nspawn boots the same
   * overlay and bound folders again, with /run and /tmp fresh, and this waits as bootSystemdHost() does.
   * journal() then covers the new boot only (the journal is volatile); kmsg() and console() both boots.
   */
  reboot(): Promise<RebootTimes>;
  /** Tears everything down; idempotent. Throws if something could not be cleaned up. */
  stop(): Promise<void>;
}

export interface RebootTimes {
  /** Milliseconds from `systemctl poweroff` until systemd-nspawn exited. */
  poweroffMs: number;
  /** Milliseconds from the new nspawn's start until the manager was running. */
  bootMs: number;
}

// ---------------------------------------------------------------------------------------------------
// Can the harness run here?

export interface HarnessCheck {
  ok: boolean;
  problems: string[];
}

function onPath(cmd: string, pathVar = process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'): string | undefined {
  for (const dir of pathVar.split(':')) {
    if (!dir || path.resolve(dir) === SHIM_DIR) continue;
    const p = path.join(dir, cmd);
    try {
      fsSync.accessSync(p, fsSync.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Says whether bootSystemdHost() can work on this machine, and if not, why. */
export function checkSystemdHarness(): HarnessCheck {
  const problems: string[] = [];
  if (process.platform !== 'linux') problems.push(`needs Linux, this is ${process.platform}`);
  if (process.getuid?.() !== 0) problems.push('needs root (systemd-nspawn, mount, cgroups)');
  for (const cmd of ['systemd-nspawn', 'systemctl', 'systemd-run', 'journalctl', 'unshare', 'mount', 'umount']) {
    if (!onPath(cmd)) problems.push(`${cmd} not found on PATH (apt-get install systemd-container util-linux)`);
  }
  try {
    if (!/\toverlay$/m.test(fsSync.readFileSync('/proc/filesystems', 'utf8'))) problems.push('the kernel has no overlayfs');
  } catch {
    problems.push('cannot read /proc/filesystems');
  }
  if (/[,:\s\\]/.test(BASE)) problems.push(`BERTH_SYSTEMD_HOST_DIR (${BASE}) must not contain , : \\ or whitespace`);
  return { ok: problems.length === 0, problems };
}

/** Throws a clear error if the harness cannot run here (tests must fail, never skip silently). */
export function requireSystemdHarness(): void {
  const { ok, problems } = checkSystemdHarness();
  if (!ok) {
    throw new Error(
      'The systemd test host cannot run on this machine:\n  - ' +
        problems.join('\n  - ') +
        '\nRun the tests as root on a machine set up by `bash test/host/setup.sh` (see /work/shared/testhost/NOTES.md).',
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Fields of /proc/PID/stat after the command: [0] is the state, [19] the start time. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = fsSync.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function procStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** Whether the process exists and is not a zombie (and, given a start time, is that same process). */
function alive(pid: number, startTime?: string): boolean {
  const st = procStat(pid);
  return st !== undefined && st[0] !== 'Z' && (startTime === undefined || st[19] === startTime);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of fsSync.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fsSync.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** PIDs of systemd-nspawn processes booting machine `name`. */
function nspawnPidsFor(name: string): number[] {
  const out: number[] = [];
  for (const e of fsSync.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = fsSync.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('systemd-nspawn')) continue;
      const i = argv.indexOf('-M');
      if (i >= 0 && argv[i + 1] === name) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

interface MountEntry {
  target: string;
  fstype: string;
  superOptions: string;
}

function mounts(): MountEntry[] {
  return fsSync
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right] = line.split(' - ');
      const l = left!.split(' ');
      const r = right!.split(' ');
      return { target: unescapeMountinfo(l[4]!), fstype: r[0]!, superOptions: r[2] ?? '' };
    });
}

function mountsUnder(dir: string): string[] {
  return mounts()
    .map((m) => m.target)
    .filter((t) => t === dir || t.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

/** Folders, in every cgroup hierarchy, for a child `leaf` of this process's own cgroup. */
function cgroupDirsFor(leaf: string): string[] {
  const ms = mounts();
  const dirs: string[] = [];
  for (const line of fsSync.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, id, controllers, cgPath] = m;
    let mount: MountEntry | undefined;
    if (id === '0' && controllers === '') {
      mount = ms.find((x) => x.fstype === 'cgroup2');
    } else {
      const wanted = controllers!.split(',');
      mount = ms.find((x) => x.fstype === 'cgroup' && wanted.every((c) => x.superOptions.split(',').includes(c)));
    }
    if (!mount) continue;
    dirs.push(path.join(mount.target, cgPath!, leaf));
  }
  return dirs;
}

function cgroupProcs(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    try {
      for (const p of fsSync.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) out.push(Number(p));
      for (const e of fsSync.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    } catch {
      /* gone */
    }
  };
  walk(dir);
  return out;
}

/** rmdir a cgroup subtree, deepest first. Returns what could not be removed. */
function removeCgroupTree(dir: string): string[] {
  if (!fsSync.existsSync(dir)) return [];
  const failed: string[] = [];
  const walk = (d: string) => {
    let entries: fsSync.Dirent[] = [];
    try {
      entries = fsSync.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
    try {
      fsSync.rmdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failed.push(`${d}: ${(err as Error).message}`);
    }
  };
  walk(dir);
  return failed;
}

/** Removes a cgroup subtree, retrying while one whose last process just died refuses rmdir (EBUSY). */
async function removeCgroupTreeSoon(cg: string): Promise<string[]> {
  let failed = removeCgroupTree(cg);
  for (let i = 0; failed.length && i < 20; i++) {
    await sleep(100);
    failed = removeCgroupTree(cg);
  }
  return failed;
}

function shimScript(real: string): string {
  return `#!/bin/sh
# berth test harness shim (test/helpers/systemd-host.ts): ${path.basename(real)} refuses to talk to any
# manager unless /run/systemd/system exists, and this host runs no systemd. Run it in a private mount
# namespace where that folder exists; it then reaches the manager at DBUS_SYSTEM_BUS_ADDRESS.
mkdir -p /run/systemd
exec unshare --mount --propagation private /bin/sh -c 'mount -t tmpfs -o size=64k,mode=755 berth-shim /run/systemd && mkdir /run/systemd/system && exec "$0" "$@"' ${real} "$@"
`;
}

async function ensureShims(): Promise<void> {
  await fs.mkdir(SHIM_DIR, { recursive: true });
  for (const tool of SHIMMED) {
    const real = onPath(tool);
    if (!real) continue;
    const file = path.join(SHIM_DIR, tool);
    const text = shimScript(real);
    const current = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (current === text) continue;
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await fs.writeFile(tmp, text, { mode: 0o755 });
    await fs.rename(tmp, file);
  }
}

// ---------------------------------------------------------------------------------------------------
// State of one host, kept on disk so a later run can clean up after a crashed one.

interface HostState {
  name: string;
  dir: string;
  ownerPid: number;
  ownerStart: string;
  nspawnPid?: number;
  nspawnStart?: string;
  cgroups: string[];
  lockFile?: string;
}

const stateFile = (dir: string) => path.join(dir, 'state.json');

async function readState(dir: string): Promise<HostState | undefined> {
  try {
    return JSON.parse(await fs.readFile(stateFile(dir), 'utf8')) as HostState;
  } catch {
    return undefined;
  }
}

function writeStateSync(s: HostState): void {
  fsSync.writeFileSync(stateFile(s.dir), JSON.stringify(s, null, 2));
}

const live = new Map<string, HostState>();
let exitHookInstalled = false;

/** Last-resort cleanup when the process exits without stop(): only synchronous calls work here. */
function emergencyCleanup(): void {
  for (const s of live.values()) {
    try {
      const pids = s.nspawnPid && alive(s.nspawnPid, s.nspawnStart) ? [s.nspawnPid] : [];
      for (const p of pids) for (const c of childrenOf(p)) process.kill(c, 'SIGKILL');
      for (const p of pids) process.kill(p, 'SIGKILL');
      const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      const inCgroups = () => s.cgroups.flatMap(cgroupProcs).filter((p) => p !== process.pid && alive(p));
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (pids.some((p) => alive(p)) || inCgroups().length)) {
        for (const p of inCgroups()) process.kill(p, 'SIGKILL');
        pause();
      }
      for (const m of mountsUnder(s.dir)) execaSync('umount', ['-l', m], { reject: false });
      if (s.lockFile) fsSync.rmSync(s.lockFile, { force: true });
      const prop = `/run/systemd/nspawn/propagate/${s.name}`;
      if (mountsUnder(prop).length === 0) fsSync.rmSync(prop, { recursive: true, force: true });
      // A cgroup whose last process just died can refuse rmdir (EBUSY) for a moment.
      let failed = s.cgroups.flatMap(removeCgroupTree);
      while (failed.length && Date.now() < deadline + 2000) {
        pause();
        failed = s.cgroups.flatMap(removeCgroupTree);
      }
      if (mountsUnder(s.dir).length === 0) fsSync.rmSync(s.dir, { recursive: true, force: true });
    } catch {
      /* best effort; the next run's sweep finishes the job */
    }
  }
  live.clear();
}

/**
 * Tears a host down from its state: poweroff if it still answers, then kill, unmount, remove the nspawn
 * lock and propagate folder, the cgroups and the folder. Returns problems it could not fix.
 */
async function teardown(s: HostState, graceful: boolean): Promise<string[]> {
  const problems: string[] = [];
  const busSocket = path.join(s.dir, 'dbus', 'system_bus_socket');
  const env = hostEnv(`unix:path=${busSocket}`);
  const nspawnPids = new Set<number>(nspawnPidsFor(s.name));
  if (s.nspawnPid && alive(s.nspawnPid, s.nspawnStart)) nspawnPids.add(s.nspawnPid);
  const anyAlive = () => [...nspawnPids].some((p) => alive(p));
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (anyAlive() && Date.now() < deadline) await sleep(50);
    return !anyAlive();
  };

  if (graceful && anyAlive() && fsSync.existsSync(busSocket)) {
    // Containers first: their ExecStop would otherwise make poweroff wait (≈20 s measured).
    await execa(path.join(SHIM_DIR, 'systemd-run'), ['--wait', '--pipe', '--quiet', '--collect', 'podman', 'rm', '-f', '-a', '-t', '0'], {
      env, reject: false, timeout: 30_000, stdin: 'ignore',
    });
    await execa(path.join(SHIM_DIR, 'systemctl'), ['poweroff', '--no-block'], { env, reject: false, timeout: 10_000, stdin: 'ignore' });
    await waitGone(20_000);
  }
  if (anyAlive()) {
    // The container's PID 1 is nspawn's child; killing it ends the whole PID namespace.
    for (const p of nspawnPids) for (const c of childrenOf(p)) { try { process.kill(c, 'SIGKILL'); } catch { /* gone */ } }
    if (!(await waitGone(5000))) {
      for (const p of nspawnPids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      if (!(await waitGone(5000))) problems.push(`systemd-nspawn ${[...nspawnPids].join(' ')} does not die`);
    }
  }
  // Anything still in the host's cgroups (nothing, normally) is killed.
  for (let i = 0; i < 50; i++) {
    const left = s.cgroups.flatMap(cgroupProcs).filter((p) => p !== process.pid);
    if (left.length === 0) break;
    for (const p of left) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    await sleep(50);
    if (i === 49) problems.push(`processes left in ${s.cgroups.join(', ')}: ${left.join(' ')}`);
  }

  for (const m of mountsUnder(s.dir)) {
    let r = await execa('umount', [m], { reject: false });
    for (let i = 0; r.exitCode !== 0 && i < 20; i++) {
      await sleep(100);
      r = await execa('umount', [m], { reject: false });
    }
    if (r.exitCode !== 0) {
      const lazy = await execa('umount', ['-l', m], { reject: false });
      if (lazy.exitCode !== 0) problems.push(`umount ${m}: ${r.stderr} / ${lazy.stderr}`);
    }
  }
  const prop = `/run/systemd/nspawn/propagate/${s.name}`;
  for (const m of mountsUnder(prop)) await execa('umount', ['-l', m], { reject: false });
  if (mountsUnder(prop).length === 0) await fs.rm(prop, { recursive: true, force: true });
  else problems.push(`${prop} is still a mount`);
  if (s.lockFile) await fs.rm(s.lockFile, { force: true });

  for (const cg of s.cgroups) problems.push(...(await removeCgroupTreeSoon(cg)).map((f) => `cgroup ${f}`));

  if (mountsUnder(s.dir).length === 0) await fs.rm(s.dir, { recursive: true, force: true });
  else problems.push(`not removing ${s.dir}: still mounted: ${mountsUnder(s.dir).join(', ')}`);
  live.delete(s.name);
  return problems;
}

/** Cleans up after earlier runs that died without stop(): hosts whose owner process is gone. */
async function sweepStale(): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await fs.readdir(BASE);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e === 'bin') continue;
    const dir = path.join(BASE, e);
    const s = await readState(dir);
    if (!s || alive(s.ownerPid, s.ownerStart)) continue;
    // Claim it, so two workers sweeping at once do not both tear it down.
    try {
      await fs.mkdir(path.join(dir, '.sweeping'));
    } catch {
      continue;
    }
    await teardown(s, true);
  }
}

function hostEnv(busAddress: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DBUS_SYSTEM_BUS_ADDRESS: busAddress,
    PATH: `${SHIM_DIR}:${process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}`,
    SYSTEMD_PAGER: '',
    SYSTEMD_COLORS: '0',
  };
}

// ---------------------------------------------------------------------------------------------------
// Paths inside the overlay

/** Resolves an inside path to a host path in `root`, following symlinks as the container would (chroot-like). */
function resolveInRoot(root: string, insidePath: string, followLast: boolean): string {
  if (!insidePath.startsWith('/')) throw new Error(`inside path must be absolute: ${insidePath}`);
  let parts = insidePath.split('/').filter((p) => p && p !== '.');
  const done: string[] = [];
  let hops = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = path.join(root, ...done, part);
    const isLast = parts.length === 0;
    let st: fsSync.Stats | undefined;
    try {
      st = fsSync.lstatSync(candidate);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink() && (!isLast || followLast)) {
      if (++hops > 40) throw new Error(`too many symlinks resolving ${insidePath}`);
      const target = fsSync.readlinkSync(candidate);
      const rest = target.split('/').filter((p) => p && p !== '.');
      if (target.startsWith('/')) done.length = 0;
      parts = [...rest, ...parts];
      continue;
    }
    done.push(part);
  }
  return path.join(root, ...done);
}

function under(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

async function writeIntoRoot(root: string, insidePath: string, content: string, mode: number): Promise<void> {
  const file = resolveInRoot(root, insidePath, false);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.rm(file, { force: true }); // replaces a symlink (e.g. a /dev/null mask) instead of writing through it
  await fs.writeFile(file, content, { mode });
  await fs.chmod(file, mode);
}

async function symlinkIntoRoot(root: string, insidePath: string, target: string): Promise<void> {
  const link = resolveInRoot(root, insidePath, false);
  await fs.mkdir(path.dirname(link), { recursive: true });
  await fs.rm(link, { force: true });
  await fs.symlink(target, link);
}

// ---------------------------------------------------------------------------------------------------
// Boot

const REMOUNT_SCRIPT = `#!/bin/sh
# berth test host: nspawn mounts the cgroup v1 controllers and /proc/sys read-only; runc then fails
# ("mkdir /sys/fs/cgroup/cpuset/system.slice: read-only file system") and so does CRIU restore.
rc=0
for m in $(findmnt -rn -o TARGET -R /sys/fs/cgroup | tail -n +2) /proc/sys; do
  mount -o remount,bind,rw "$m" || rc=1
done
exit $rc
`;

const REMOUNT_UNIT = `[Unit]
Description=berth test host: make cgroup controllers and /proc/sys writable
DefaultDependencies=no
Before=sysinit.target
ConditionVirtualization=container

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh /etc/berth-host/remount-rw.sh
`;

/** Units enabled on the host (symlinks in /etc/systemd/system/*.wants|*.requires), targets excepted. */
function hostEnabledUnits(): string[] {
  const units = new Set<string>();
  const dir = '/etc/systemd/system';
  let entries: string[] = [];
  try {
    entries = fsSync.readdirSync(dir);
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!e.endsWith('.wants') && !e.endsWith('.requires')) continue;
    for (const u of fsSync.readdirSync(path.join(dir, e))) if (!u.endsWith('.target')) units.add(u);
  }
  return [...units].sort();
}

function escapeBindPath(p: string): string {
  return p.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}

/** What every boot of one host starts systemd-nspawn with: the same disk and bound folders each time. */
interface Machine {
  state: HostState;
  root: string;
  /** nspawn's --bind= and --bind-ro= arguments. */
  binds: string[];
  consoleLog: string;
  busSocket: string;
  env: NodeJS.ProcessEnv;
}

interface NspawnExit {
  code: number | null;
  signal: string | null;
}

/** One boot of a host: its systemd-nspawn, until that exits. */
interface Boot {
  pid: number;
  /** Settles when systemd-nspawn exits: the manager powered off, or died. */
  exit: Promise<NspawnExit>;
  /** Milliseconds from nspawn's start until the manager was running. */
  ms: number;
  /** What `systemctl is-system-running --wait` said: "running" or "degraded". */
  state: string;
}

async function consoleTail(consoleLog: string): Promise<string> {
  return (await fs.readFile(consoleLog, 'utf8').catch(() => '')).split('\n').slice(-40).join('\n');
}

/**
 * Starts systemd-nspawn on the host's overlay and waits until its manager is running: the first boot and
 * every reboot(). /run and /tmp are nspawn's fresh tmpfs each time. The host's cgroups are made again
 * (the last manager may leave its slices there, and a v2 cgroup that hands controllers to children takes
 * no process), and the bus socket file is removed: the last boot's stays in dbus/, refusing connections,
 * and would pass for the new bus.
 */
async function bootMachine(m: Machine): Promise<Boot> {
  const { state } = m;
  for (const cg of state.cgroups) {
    const failed = await removeCgroupTreeSoon(cg);
    if (failed.length) throw new Error(`the last boot's cgroups stay: ${failed.join('; ')}`);
    await fs.mkdir(cg, { recursive: true });
    const cpus = path.join(path.dirname(cg), 'cpuset.cpus');
    if (fsSync.existsSync(cpus) && fsSync.existsSync(path.join(cg, 'cpuset.cpus'))) {
      // A new v1 cpuset takes no process until it has cpus and mems.
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        if ((await fs.readFile(path.join(cg, f), 'utf8')).trim() === '') await fs.writeFile(path.join(cg, f), await fs.readFile(path.join(path.dirname(cg), f), 'utf8'));
      }
    }
  }
  await fs.rm(m.busSocket, { force: true });

  const wrapper = [
    'set -f; IFS="\n"',
    'for p in $BERTH_HOST_CGROUPS; do echo $$ > "$p/cgroup.procs" || { echo "berth: cannot join cgroup $p" >&2; exit 97; }; done',
    'unset BERTH_HOST_CGROUPS',
    'exec "$@"',
  ].join('\n');
  const out = fsSync.openSync(m.consoleLog, 'a');
  const t0 = Date.now();
  // node's spawn, not execa: a detached daemon writing straight into a file descriptor.
  const child = spawn('/bin/sh', ['-c', wrapper, 'sh', onPath('systemd-nspawn')!,
    '--register=no', '--keep-unit', '--console=read-only', '-M', state.name, '-D', m.root,
    '--private-network', '--capability=all', ...m.binds, '-b'], {
    env: { ...process.env, SYSTEMD_SECCOMP: '0', BERTH_HOST_CGROUPS: state.cgroups.join('\n'), SYSTEMD_COLORS: '0' },
    stdio: ['ignore', out, out], detached: true,
  });
  fsSync.closeSync(out);
  let exited: NspawnExit | undefined;
  const exit = new Promise<NspawnExit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => resolve({ code: null, signal: err.message }));
  });
  void exit.then((e) => { exited = e; });
  child.unref();
  if (!child.pid) throw new Error('could not start systemd-nspawn');
  state.nspawnPid = child.pid;
  state.nspawnStart = procStartTime(child.pid);
  writeStateSync(state);

  const deadline = t0 + BOOT_TIMEOUT_MS;
  while (!fsSync.existsSync(m.busSocket)) {
    if (exited) throw new Error(`systemd-nspawn exited (${JSON.stringify(exited)}) before the system bus came up; console:\n${await consoleTail(m.consoleLog)}`);
    if (Date.now() > deadline) throw new Error(`no system bus after ${BOOT_TIMEOUT_MS} ms; console:\n${await consoleTail(m.consoleLog)}`);
    await sleep(20);
  }
  for (;;) {
    const r = await execa(path.join(SHIM_DIR, 'systemctl'), ['is-system-running', '--wait'], {
      env: m.env, reject: false, stdin: 'ignore', timeout: Math.max(1000, deadline - Date.now()),
    });
    const bootState = r.stdout.trim();
    if (bootState === 'running' || bootState === 'degraded') return { pid: child.pid, exit, ms: Date.now() - t0, state: bootState };
    if (exited) throw new Error(`systemd-nspawn exited during boot; console:\n${await consoleTail(m.consoleLog)}`);
    if (Date.now() > deadline || ['maintenance', 'stopping', 'offline'].includes(bootState) && r.exitCode !== 0 && !r.stderr) {
      throw new Error(`the manager did not come up: is-system-running said "${bootState}" ${r.stderr}; console:\n${await consoleTail(m.consoleLog)}`);
    }
    await sleep(50); // the manager is not on the bus yet
  }
}

let counter = 0;

export async function bootSystemdHost(opts: BootOptions = {}): Promise<SystemdHost> {
  requireSystemdHarness();
  const name = opts.name ?? `berth-${process.pid}-${++counter}-${randomBytes(2).toString('hex')}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(name)) throw new Error(`bad machine name ${JSON.stringify(name)}`);
  for (const p of [...Object.keys(opts.files ?? {}), ...Object.keys(opts.symlinks ?? {})]) {
    if (!p.startsWith('/')) throw new Error(`inside paths must be absolute: ${p}`);
    if (INSIDE_ONLY.some((d) => under(p, d))) throw new Error(`${p}: nspawn mounts its own ${p.split('/')[1]}, write it after boot with writeFile()`);
  }

  await fs.mkdir(BASE, { recursive: true });
  const fsType = (await fs.statfs(BASE)).type;
  if (fsType === 0x01021994 || fsType === 0x794c7630) {
    throw new Error(`${BASE} is on tmpfs or overlayfs; the overlay's upper dir must be on a disk file system (ext4)`);
  }
  await ensureShims();
  if (live.size === 0) await sweepStale();

  const dir = path.join(BASE, name);
  // Leftovers of a crashed run under this name.
  const old = await readState(dir);
  if (old) {
    if (old.ownerPid !== process.pid && alive(old.ownerPid, old.ownerStart)) {
      throw new Error(`machine name ${name} is in use by live process ${old.ownerPid}`);
    }
    const problems = await teardown(old, true);
    if (problems.length) throw new Error(`cannot clean up an earlier host ${name}:\n  ${problems.join('\n  ')}`);
  } else if (fsSync.existsSync(dir) || nspawnPidsFor(name).length) {
    const problems = await teardown({ name, dir, ownerPid: 0, ownerStart: '', cgroups: cgroupDirsFor(`berth-host-${name}`) }, true);
    if (problems.length) throw new Error(`cannot clean up an earlier host ${name}:\n  ${problems.join('\n  ')}`);
  }

  const state: HostState = {
    name, dir, ownerPid: process.pid, ownerStart: procStartTime(process.pid) ?? '', cgroups: [],
  };
  const root = path.join(dir, 'root');
  const dbusDir = path.join(dir, 'dbus');
  const containersDir = path.join(dir, 'containers');
  const consoleLog = path.join(dir, 'console.log');
  for (const d of ['upper', 'work', 'root', 'dbus', 'containers/storage']) await fs.mkdir(path.join(dir, d), { recursive: true });
  writeStateSync(state);
  live.set(name, state);
  if (!exitHookInstalled) {
    process.on('exit', emergencyCleanup);
    exitHookInstalled = true;
  }

  const fail = async (err: unknown): Promise<never> => {
    kmsg?.close();
    const problems = await teardown(state, false).catch((e: unknown) => [String(e)]);
    if (problems.length) (err as Error).message += `\n(and teardown failed: ${problems.join('; ')})`;
    throw err;
  };

  let host: HostImpl;
  let kmsg: KmsgReader | undefined;
  try {
    const mount = await execa('mount', ['-t', 'overlay', `berth-${name}`, '-o', `lowerdir=/,upperdir=${dir}/upper,workdir=${dir}/work`, root], { reject: false });
    if (mount.exitCode !== 0) throw new Error(`mounting the overlay failed: ${mount.stderr}`);
    const st = fsSync.statSync(root, { bigint: true });
    state.lockFile = `/run/systemd/nspawn/locks/inode-${st.dev}:${st.ino}`;
    writeStateSync(state);

    // The host's configuration, adjusted.
    const w = (p: string, c: string, mode = 0o644) => writeIntoRoot(root, p, c, mode);
    await w('/etc/machine-id', randomBytes(16).toString('hex') + '\n', 0o444);
    await w('/etc/hostname', name + '\n'); // not the host's: journal lines and prompts say which machine
    await w('/etc/systemd/system.conf.d/90-berth-host.conf', '[Manager]\nDefaultTimeoutStopSec=10s\n');
    await w('/etc/systemd/journald.conf.d/90-berth-host.conf', '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\n');
    await w('/etc/berth-host/remount-rw.sh', REMOUNT_SCRIPT, 0o755);
    await w('/etc/systemd/system/berth-host-remount-rw.service', REMOUNT_UNIT);
    await symlinkIntoRoot(root, '/etc/systemd/system/sysinit.target.wants/berth-host-remount-rw.service', '../berth-host-remount-rw.service');
    for (const unit of hostEnabledUnits()) {
      if (opts.keepEnabled?.includes(unit)) continue;
      await symlinkIntoRoot(root, `/etc/systemd/system/${unit}`, '/dev/null');
    }
    const hostImages = (opts.hostImages ?? true) && fsSync.existsSync(HOST_IMAGE_STORE);
    const driver = fsSync.existsSync(path.join(HOST_IMAGE_STORE, 'vfs-images')) && !fsSync.existsSync(path.join(HOST_IMAGE_STORE, 'overlay-images')) ? 'vfs' : 'overlay';
    await w('/etc/containers/storage.conf', [
      '# berth test host', '[storage]', `driver = "${driver}"`, 'runroot = "/run/containers/storage"', 'graphroot = "/var/lib/containers/storage"',
      '[storage.options]', `additionalimagestores = [${hostImages ? `"${INSIDE_IMAGE_STORE}"` : ''}]`, '',
    ].join('\n'));
    // A fresh store would pick CNI (its config is installed); use what the host uses. No newline: podman
    // rejects "netavark\n".
    const backend = await fs.readFile(path.join(HOST_IMAGE_STORE, 'defaultNetworkBackend'), 'utf8').catch(() => undefined);
    if (backend) await fs.writeFile(path.join(containersDir, 'storage', 'defaultNetworkBackend'), backend.trim());

    for (const [p, spec] of Object.entries(opts.files ?? {})) {
      const content = typeof spec === 'string' ? spec : spec.content;
      const mode = typeof spec === 'string' || spec.mode === undefined ? (content.startsWith('#!') ? 0o755 : 0o644) : spec.mode;
      await w(p, content, mode);
    }
    for (const [p, target] of Object.entries(opts.symlinks ?? {})) await symlinkIntoRoot(root, p, target);

    // Its own cgroup in every hierarchy (see the file comment), made by each boot.
    state.cgroups = cgroupDirsFor(`berth-host-${name}`);
    writeStateSync(state);

    // /dev/kmsg inside is a FIFO read by this process: systemd 252 gives generators /dev/null as stderr,
    // so a generator's messages survive only if it writes to /dev/kmsg (as Quadlet does) or /dev/console.
    // This process holds it open, so one FIFO and reader serve every boot of the host.
    const kmsgFifo = path.join(dir, 'kmsg');
    await execa('mkfifo', ['-m', '0600', kmsgFifo]);
    kmsg = new KmsgReader(kmsgFifo);

    const binds: string[] = [
      `--bind=${escapeBindPath(kmsgFifo)}:/dev/kmsg`,
      `--bind=${escapeBindPath(dbusDir)}:/run/dbus`,
      `--bind=${escapeBindPath(containersDir)}:/var/lib/containers`,
    ];
    if (hostImages) binds.push(`--bind-ro=${escapeBindPath(HOST_IMAGE_STORE)}:${INSIDE_IMAGE_STORE}`);
    // The checkout under test, at its own path: it may live where the container mounts its own (e.g. /tmp).
    binds.push(`--bind-ro=${escapeBindPath(REPO_ROOT)}:${escapeBindPath(REPO_ROOT)}`);
    for (const b of opts.binds ?? []) binds.push(`--bind${b.readOnly ? '-ro' : ''}=${escapeBindPath(b.host)}:${escapeBindPath(b.inside)}`);

    const busSocket = path.join(dbusDir, 'system_bus_socket');
    const busAddress = `unix:path=${busSocket}`;
    const machine: Machine = { state, root, binds, consoleLog, busSocket, env: hostEnv(busAddress) };
    host = new HostImpl(machine, await bootMachine(machine), busAddress, containersDir, opts.binds ?? [], kmsg);
  } catch (err) {
    return fail(err);
  }
  opts.t?.teardown(() => host.stop());
  return host;
}

/** Reads the FIFO bound on /dev/kmsg. Opened read-write, so it neither blocks nor sees EOF between writers. */
class KmsgReader {
  private readonly chunks: Buffer[] = [];
  private readonly socket: net.Socket;

  constructor(fifo: string) {
    const fd = fsSync.openSync(fifo, fsSync.constants.O_RDWR | fsSync.constants.O_NONBLOCK);
    this.socket = new net.Socket({ fd, readable: true, writable: false });
    this.socket.on('data', (b: Buffer) => this.chunks.push(b));
    this.socket.on('error', () => undefined);
    this.socket.unref();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  close(): void {
    this.socket.destroy();
  }
}

class HostImpl implements SystemdHost {
  readonly name: string;
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  private stopped?: Promise<void>;

  constructor(
    private readonly machine: Machine,
    private boot: Boot,
    readonly busAddress: string,
    private readonly containersDir: string,
    private readonly binds: Bind[],
    private readonly kmsgReader: KmsgReader,
  ) {
    this.name = machine.state.name;
    this.root = machine.root;
    this.env = machine.env;
  }

  get bootMs(): number {
    return this.boot.ms;
  }

  get bootState(): string {
    return this.boot.state;
  }

  get nspawnPid(): number {
    return this.boot.pid;
  }

  async reboot(): Promise<RebootTimes> {
    if (this.stopped) throw new Error(`${this.name} is stopped`);
    const t0 = Date.now();
    const r = await this.systemctl('poweroff', '--no-block');
    if (r.exitCode !== 0) throw new Error(`systemctl poweroff failed in ${this.name}: ${r.stderr}`);
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      this.boot.exit,
      new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), POWEROFF_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (!exit) throw new Error(`${this.name} did not power off within ${POWEROFF_TIMEOUT_MS} ms; console:\n${await consoleTail(this.machine.consoleLog)}`);
    const poweroffMs = Date.now() - t0;
    this.boot = await bootMachine(this.machine);
    return { poweroffMs, bootMs: this.boot.ms };
  }

  async systemctl(...args: string[]): Promise<RunResult> {
    const r = await execa(path.join(SHIM_DIR, 'systemctl'), ['--no-pager', ...args], { env: this.env, reject: false, stdin: 'ignore' });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
  }

  async run(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error('run() needs a command');
    const r = await execa(path.join(SHIM_DIR, 'systemd-run'), ['--wait', '--pipe', '--quiet', '--collect', '--service-type=exec', '--', ...argv], {
      // The host's own PATH: systemd-run looks argv[0] up on it, and the shims must not run inside.
      env: { ...this.env, PATH: process.env['PATH'] }, reject: false, input: opts.input ?? '', stripFinalNewline: false,
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
  }

  async runOk(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(argv, opts);
    if (r.exitCode !== 0) throw new Error(`${JSON.stringify(argv)} exited ${r.exitCode} inside ${this.name}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  hostPath(insidePath: string): string {
    const resolved = '/' + path.relative(this.root, resolveInRoot(this.root, insidePath, true));
    for (const b of this.binds) if (under(resolved, b.inside)) return path.join(b.host, path.relative(b.inside, resolved));
    if (under(resolved, '/var/lib/containers')) return path.join(this.containersDir, path.relative('/var/lib/containers', resolved));
    if (INSIDE_ONLY.some((d) => under(resolved, d))) throw new Error(`${insidePath} is on a mount of the container's own (${resolved}); use run()`);
    return path.join(this.root, resolved);
  }

  async writeFile(insidePath: string, content: string, mode = 0o644): Promise<void> {
    const resolved = '/' + path.relative(this.root, resolveInRoot(this.root, insidePath, false));
    if (INSIDE_ONLY.some((d) => under(resolved, d))) {
      await this.runOk(['/bin/sh', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"', 'sh', resolved, mode.toString(8)], { input: content });
      return;
    }
    const target = this.hostPath(path.posix.dirname(resolved));
    await fs.mkdir(target, { recursive: true });
    const file = path.join(target, path.posix.basename(resolved));
    await fs.rm(file, { force: true });
    await fs.writeFile(file, content, { mode });
    await fs.chmod(file, mode);
  }

  async readFile(insidePath: string): Promise<string> {
    return fs.readFile(this.hostPath(insidePath), 'utf8');
  }

  async journal(unit?: string): Promise<string> {
    const r = await this.run(['journalctl', '--no-pager', '-b', '-o', 'short-monotonic', ...(unit ? ['-u', unit] : [])]);
    const journal = r.stdout + r.stderr;
    if (unit) return journal;
    const kmsg = this.kmsg();
    return kmsg ? `${journal}\n-- /dev/kmsg (generators) --\n${kmsg}` : journal;
  }

  kmsg(): string {
    return this.kmsgReader.text();
  }

  async console(): Promise<string> {
    return fs.readFile(this.machine.consoleLog, 'utf8').catch(() => '');
  }

  async daemonReload(): Promise<void> {
    const r = await this.systemctl('daemon-reload');
    if (r.exitCode !== 0) throw new Error(`daemon-reload failed in ${this.name}: ${r.stderr}`);
  }

  stop(): Promise<void> {
    this.stopped ??= teardown(this.machine.state, true).then((problems) => {
      this.kmsgReader.close();
      if (problems.length) throw new Error(`tearing down systemd host ${this.name} left:\n  ${problems.join('\n  ')}`);
    });
    return this.stopped;
  }
}
