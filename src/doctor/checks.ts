/**
 * `berth doctor`'s checks. Each one reads facts through a DoctorHost and returns one line's worth of
 * verdict: ok, warn (works, but look) or fail (something berth needs is missing), with a fix for anything
 * not ok. No check throws: a fact that cannot be read is itself a verdict.
 *
 *   podman           podman found at $PODMAN (default /usr/bin/podman), its version (berth targets ≥ 4.0)
 *   runtime          the OCI runtime podman uses, and whether it can checkpoint (runc; crun built +CRIU)
 *   criu             criu on PATH, its version (≥ 3.11, podman's floor) and `criu check`
 *   cgroups          v2, v1 or hybrid; hybrid fails crun
 *   systemd          whether PID 1 is systemd, and its version (≥ 239, RHEL 8's)
 *   system-generator the first `berth` in systemd's system generator folders, its target and interpreter
 *   user-generator   the same for the user manager (a warning only when missing)
 *   agent            the agent's bus name on the system bus: owned, or activatable
 *   definitions      how many definitions the search path holds, and any that cannot be read
 *   quadlet          which rule applies: podman's own Quadlet generator runs (berth leaves Quadlet's folders
 *                    to it) or not (berth reads them too); any definition both would compile into one unit
 *   checkpoint-dir   each [Checkpoint] folder in use (always the default): owner, mode 0700, free space
 */
import { basename, dirname } from 'node:path';
import { AGENT_NAME } from '../agent/interface.js';
import { DEFAULT_CHECKPOINT_DIR, parseSize } from '../compile/checkpoint-settings.js';
import { atLeast, parseVersion, type Version } from '../compile/version.js';
import { podmanPath } from '../engine/podman-version.js';
import { loadDefinitions } from '../generator/load.js';
import { berthFolders, definitionsDir, searchPaths } from '../generator/search-paths.js';
import { GENERATOR_DIRS, podmanQuadletRuns, probePodmanGenerator, QUADLET_BINARY, quadletDirs, quadletOverlaps, type GeneratorState, type Overlap, type PodmanGeneratorFacts } from '../generator/quadlet-folders.js';
import type { DoctorHost } from './host.js';

export type Status = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable, for scripts: podman, runtime, criu, cgroups, systemd, system-generator, user-generator, agent, definitions, checkpoint-dir. */
  readonly id: string;
  readonly title: string;
  readonly status: Status;
  /** One sentence: what was found. */
  readonly summary: string;
  /** What to do about it; present whenever status is not ok. */
  readonly fix?: string;
  /** Machine-readable facts behind the verdict (versions, paths, sizes). */
  readonly details?: Record<string, unknown>;
}


/** The folders systemd runs generators from, most important first (systemd.generator(7)). */
export { GENERATOR_DIRS };

/** The PATH systemd gives the processes it starts (generators and services). */
export const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const PODMAN_INFO_TIMEOUT_MS = 30_000;
export const MIN_PODMAN = '4.0';
export const MIN_CRIU = '3.11';
export const MIN_SYSTEMD = 239;
/** Free space under which the checkpoint folder check warns, and fails. */
export const WARN_FREE = 1024 ** 3;
export const FAIL_FREE = 100 * 1024 ** 2;

const ok = (id: string, title: string, summary: string, details?: Record<string, unknown>): CheckResult => ({ id, title, status: 'ok', summary, ...(details ? { details } : {}) });
const bad = (status: 'warn' | 'fail', id: string, title: string, summary: string, fix: string, details?: Record<string, unknown>): CheckResult => ({
  id, title, status, summary, fix, ...(details ? { details } : {}),
});

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';
const lastLine = (s: string) => s.trim().split('\n').at(-1) ?? '';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

// ---------------------------------------------------------------------------------------------------
// podman, its runtime, CRIU

export interface PodmanFacts {
  readonly path: string;
  readonly version?: Version;
  readonly versionText?: string;
  /** Why `podman --version` gave nothing. */
  readonly error?: string;
}

export async function podmanFacts(host: DoctorHost): Promise<PodmanFacts> {
  const path = podmanPath(host.env);
  const r = await host.podman(['--version'], 15_000);
  if (!r.started) return { path, error: `${path} not found` };
  if (r.exitCode !== 0) return { path, error: `${path} --version failed: ${lastLine(r.stderr) || `exit ${r.exitCode}`}` };
  const versionText = r.stdout.trim().replace(/^podman version /, '');
  const version = parseVersion(versionText);
  return version ? { path, version, versionText } : { path, versionText, error: `${path} --version said "${firstLine(r.stdout)}"` };
}

export function checkPodman(p: PodmanFacts): CheckResult {
  const T = 'podman';
  if (!p.version) {
    return bad('fail', 'podman', T, `${p.error ?? 'podman cannot be run'}: no container can start`,
      'install podman (dnf install podman); if it lives elsewhere, set PODMAN=/path/to/podman where berth runs', { path: p.path });
  }
  const details = { path: p.path, version: p.versionText };
  if (!atLeast(p.version, MIN_PODMAN)) {
    return bad('fail', 'podman', T, `podman ${p.versionText} at ${p.path} is older than ${MIN_PODMAN}, the oldest berth compiles for`,
      'update podman (dnf update podman; RHEL 8.6 and later ship 4.0 or newer)', details);
  }
  const quadlet = atLeast(p.version, '4.4') ? 'it has a Quadlet of its own; keep its folders and berth\'s apart' : 'no Quadlet of its own: berth compiles the definitions';
  return ok('podman', T, `podman ${p.versionText} at ${p.path} (${quadlet})`, details);
}

export interface PodmanInfo {
  readonly runtime?: { name: string; path?: string; version?: string };
  readonly cgroupVersion?: string;
  readonly rootless?: boolean;
  readonly error?: string;
}

export async function podmanInfo(host: DoctorHost, podman: PodmanFacts): Promise<PodmanInfo> {
  if (!podman.version) return { error: 'podman cannot be run' };
  const r = await host.podman(['info', '--format', 'json'], PODMAN_INFO_TIMEOUT_MS);
  if (r.timedOut) return { error: `podman info did not answer within ${PODMAN_INFO_TIMEOUT_MS / 1000} s (another podman holding its storage lock?)` };
  if (r.exitCode !== 0) return { error: `podman info failed: ${lastLine(r.stderr) || `exit ${r.exitCode}`}` };
  try {
    const info = JSON.parse(r.stdout) as { host?: { ociRuntime?: { name?: string; path?: string; version?: string }; cgroupVersion?: string; security?: { rootless?: boolean } } };
    const rt = info.host?.ociRuntime;
    return {
      ...(rt?.name ? { runtime: { name: rt.name, ...(rt.path ? { path: rt.path } : {}), ...(rt.version ? { version: rt.version } : {}) } } : {}),
      ...(info.host?.cgroupVersion ? { cgroupVersion: info.host.cgroupVersion } : {}),
      ...(info.host?.security?.rootless !== undefined ? { rootless: info.host.security.rootless } : {}),
    };
  } catch {
    return { error: `podman info printed no JSON: ${firstLine(r.stdout) || lastLine(r.stderr) || 'nothing'}` };
  }
}

export function checkRuntime(info: PodmanInfo, cgroups: CgroupFacts, uid: number): CheckResult {
  const T = 'runtime';
  if (!info.runtime) {
    return bad('fail', 'runtime', T, `cannot tell which OCI runtime podman uses (${info.error ?? 'podman info names none'})`,
      'make `podman info` work first (see the podman check); it names the runtime under host.ociRuntime');
  }
  const { name, path, version } = info.runtime;
  const label = `${name}${version ? ` ${/\d+\.\d+(\.\d+)?/.exec(version)?.[0] ?? ''}`.trimEnd() : ''}${path ? ` at ${path}` : ''}`;
  const details = { name, ...(path ? { path } : {}), ...(version ? { version: firstLine(version) } : {}), ...(info.rootless !== undefined ? { rootless: info.rootless } : {}) };
  const useRunc = 'set runtime = "runc" under [engine] in /etc/containers/containers.conf (dnf install runc)';
  if (name === 'crun' && cgroups.mode === 'hybrid') {
    return bad('fail', 'runtime', T, `${label} cannot run containers on hybrid cgroups ("cgroups in hybrid mode not supported")`, useRunc, details);
  }
  let canCheckpoint: boolean | undefined;
  if (name === 'runc') canCheckpoint = true;
  else if (name === 'crun') canCheckpoint = version === undefined ? undefined : /\+CRIU\b/.test(version);
  if (canCheckpoint === false) {
    return bad('fail', 'runtime', T, `${label} was built without CRIU (no +CRIU in crun --version): checkpoints are unavailable`,
      `install a crun built with CRIU support, or ${useRunc}`, details);
  }
  if (canCheckpoint === undefined) {
    return bad('warn', 'runtime', T, `${label}: berth cannot tell whether it can checkpoint`, `checkpoints are tested with runc and crun; ${useRunc}`, details);
  }
  if (uid !== 0 || info.rootless) {
    return bad('warn', 'runtime', T, `${label} can checkpoint, but only rootful podman checkpoints and this is ${info.rootless ? 'rootless podman' : `uid ${uid}`}`,
      'run berth doctor (and containers with [Checkpoint]) as root, under the system manager', details);
  }
  return ok('runtime', T, `${label} supports checkpoints (through CRIU)`, details);
}

export interface CriuFacts {
  readonly path?: string;
  readonly version?: Version;
  readonly versionText?: string;
  /** `criu check`: undefined when not run (not root, or no criu). */
  readonly check?: { passed: boolean; output: string };
}

export async function criuFacts(host: DoctorHost): Promise<CriuFacts> {
  const path = host.which('criu');
  if (!path) return {};
  const [v, check] = await Promise.all([
    host.run(path, ['--version'], 15_000),
    host.uid === 0 ? host.run(path, ['check'], 60_000) : Promise.resolve(undefined),
  ]);
  const versionText = /Version:\s*(\S+)/.exec(v.stdout)?.[1];
  const version = versionText ? parseVersion(versionText) : undefined;
  return {
    path,
    ...(version ? { version, versionText } : {}),
    ...(check ? { check: { passed: check.exitCode === 0 && /looks good/i.test(check.stdout + check.stderr), output: (check.stdout + check.stderr).trim() } } : {}),
  };
}

export function checkCriu(c: CriuFacts, pathVar: string | undefined): CheckResult {
  const T = 'criu';
  if (!c.path) {
    return bad('fail', 'criu', T, 'criu is not on PATH: checkpoints are unavailable (berth checkpoint, restore and RestoreOnStart= need it)',
      `install CRIU (dnf install criu), or add the folder that holds criu to PATH (PATH is ${pathVar || 'empty'})`);
  }
  const details = { path: c.path, ...(c.versionText ? { version: c.versionText } : {}), ...(c.check ? { check: c.check.output } : {}) };
  const label = `criu ${c.versionText ?? '(unknown version)'} at ${c.path}`;
  if (!c.version) {
    return bad('fail', 'criu', T, `${c.path} --version names no version: checkpoints are unavailable`, 'reinstall CRIU (dnf reinstall criu) and run criu check', details);
  }
  if (!atLeast(c.version, MIN_CRIU)) {
    return bad('fail', 'criu', T, `${label} is older than ${MIN_CRIU}, which podman needs: checkpoints are unavailable`, 'update CRIU (dnf update criu)', details);
  }
  if (!c.check) {
    return bad('warn', 'criu', T, `${label}; criu check needs root, so it was not run`, 'run berth doctor as root', details);
  }
  if (!c.check.passed) {
    return bad('fail', 'criu', T, `${label}: criu check failed (${lastLine(c.check.output) || 'no output'}): checkpoints are unavailable`,
      'run criu check --all for details; a CRIU newer than the kernel it runs on is usually the fix (dnf update criu)', details);
  }
  return ok('criu', T, `${label}: criu check says it looks good`, details);
}

// ---------------------------------------------------------------------------------------------------
// cgroups, systemd

export interface CgroupFacts {
  readonly mode: 'v2' | 'v1' | 'hybrid' | 'unknown';
}

export function cgroupFacts(host: DoctorHost): CgroupFacts {
  const mountinfo = host.readFile('/proc/self/mountinfo') ?? '';
  const types = new Map<string, string>();
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    const target = left?.split(' ')[4];
    const fstype = right?.split(' ')[0];
    if (target && fstype) types.set(target, fstype);
  }
  const root = types.get('/sys/fs/cgroup');
  if (root === 'cgroup2') return { mode: 'v2' };
  if (root === 'tmpfs') return { mode: types.get('/sys/fs/cgroup/unified') === 'cgroup2' ? 'hybrid' : 'v1' };
  return { mode: 'unknown' };
}

export function checkCgroups(c: CgroupFacts): CheckResult {
  const T = 'cgroups';
  switch (c.mode) {
    case 'v2':
      return ok('cgroups', T, 'cgroup v2 (unified)', { mode: c.mode });
    case 'v1':
      return ok('cgroups', T, 'cgroup v1 (legacy; RHEL 8\'s default): rootful podman, runc and checkpoints work', { mode: c.mode });
    case 'hybrid':
      return ok('cgroups', T, 'hybrid cgroups (v1 controllers, an empty v2): runc works, crun does not', { mode: c.mode });
    default:
      return bad('warn', 'cgroups', T, 'no cgroup file system is mounted on /sys/fs/cgroup', 'boot with systemd, which mounts it; podman cannot run containers without cgroups', { mode: c.mode });
  }
}

export interface SystemdFacts {
  /** sd_booted(): /run/systemd/system exists. */
  readonly booted: boolean;
  readonly pid1?: string;
  readonly version?: number;
  readonly versionText?: string;
}

export async function systemdFacts(host: DoctorHost): Promise<SystemdFacts> {
  const booted = host.stat('/run/systemd/system')?.kind === 'dir';
  const pid1 = host.readFile('/proc/1/comm')?.trim();
  const r = await host.run(host.which('systemctl', `${host.env['PATH'] ?? ''}:${SYSTEMD_PATH}`) ?? 'systemctl', ['--version'], 15_000);
  const m = /^systemd (\d+)(?: \(([^)]*)\))?/.exec(r.stdout);
  return { booted, ...(pid1 ? { pid1 } : {}), ...(m ? { version: Number(m[1]), versionText: m[2] ?? m[1] } : {}) };
}

export function checkSystemd(s: SystemdFacts): CheckResult {
  const T = 'systemd';
  const details = { booted: s.booted, ...(s.pid1 ? { pid1: s.pid1 } : {}), ...(s.version ? { version: s.versionText } : {}) };
  if (!s.booted) {
    return bad('warn', 'systemd', T,
      `PID 1 is not systemd (it is ${s.pid1 ?? 'unknown'})${s.version ? `, though systemd ${s.versionText} is installed` : ''}: the generator, the checkpoint timers and the agent run only under systemd`,
      'run berth on a host booted with systemd; on this machine only berth generate --dryrun, validate and the checkpoint commands work', details);
  }
  if (!s.version) return bad('fail', 'systemd', T, 'systemd runs, but systemctl --version names no version', 'reinstall systemd (dnf reinstall systemd)', details);
  if (s.version < MIN_SYSTEMD) {
    return bad('warn', 'systemd', T, `systemd ${s.versionText} is older than ${MIN_SYSTEMD} (RHEL 8's), the oldest berth is tested with`, 'update systemd, or the operating system', details);
  }
  return ok('systemd', T, `systemd ${s.versionText} is PID 1`, details);
}

// ---------------------------------------------------------------------------------------------------
// The generator links

/** `required`: a missing link fails (the system one always; the user one for berth doctor --user). */
export function checkGenerator(host: DoctorHost, scope: 'system' | 'user', required = scope === 'system'): CheckResult {
  const id = `${scope}-generator`;
  const T = `${scope} generator`;
  const dirs = GENERATOR_DIRS[scope];
  const reinstall = `reinstall berth (dnf reinstall berth), or link it: ln -s /usr/libexec/berth/berth-generator.cjs /usr/lib/systemd/${scope}-generators/berth`;
  const link = dirs.map((d) => `${d}/berth`).find((p) => host.stat(p, false) !== undefined);
  if (!link) {
    const detail = `no berth in ${dirs.join(', ')}`;
    return required
      ? bad('fail', id, T, `${detail}: systemd never compiles the definitions`, reinstall)
      : bad('warn', id, T, `${detail}: user managers do not compile definitions (only needed for rootless containers)`, reinstall);
  }
  const target = host.realpath(link);
  const details: Record<string, unknown> = { link, ...(target ? { target } : {}) };
  if (target === '/dev/null') return bad('fail', id, T, `${link} is masked (a link to /dev/null)`, `rm ${link}; systemctl daemon-reload`, details);
  if (!target || host.stat(target)?.kind !== 'file') {
    return bad('fail', id, T, `${link} points at ${host.readlink(link) ?? 'nothing'}, which does not exist`, reinstall, details);
  }
  if (!host.isExecutable(target)) return bad('fail', id, T, `${target} (from ${link}) is not executable`, `chmod 755 ${target}`, details);
  const shebang = /^#![ \t]*(\S+)([^\n]*)/.exec(host.readFile(target)?.slice(0, 200) ?? '');
  if (shebang) {
    const interp = shebang[1]!;
    // env's program is its first word that is neither an option nor an assignment (`env -S node --flag`).
    const arg = interp.endsWith('/env') ? shebang[2]!.trim().split(/[ \t]+/).find((w) => w !== '' && !w.startsWith('-') && !w.includes('=')) : undefined;
    const program = arg ? host.which(arg, SYSTEMD_PATH) : host.isExecutable(interp) ? interp : undefined;
    if (!program) {
      const wanted = arg ? `${arg} on systemd's PATH (${SYSTEMD_PATH})` : interp;
      return bad('fail', id, T, `${link} → ${target} needs ${wanted}, which is missing: the generator cannot start`,
        'install Node.js 20 or later (dnf module install nodejs:20 on RHEL 8 and 9, dnf install nodejs on RHEL 10)', details);
    }
    details['interpreter'] = program;
  }
  const via = target === link ? link : `${link} → ${target}`;
  return ok(id, T, `${via}${details['interpreter'] ? ` (run by ${details['interpreter']})` : ''}`, details);
}

// ---------------------------------------------------------------------------------------------------
// The agent

export async function checkAgent(host: DoctorHost, systemd: SystemdFacts, busName = AGENT_NAME, user = false): Promise<CheckResult> {
  if (user) return checkUserAgent(await host.busName(busName, undefined, true), busName);
  const T = 'agent';
  const a = await host.busName(busName);
  const details: Record<string, unknown> = { busName, ...(a.owner ? { owner: a.owner } : {}), activatable: a.activatable };
  if (a.error) {
    return bad(systemd.booted ? 'fail' : 'warn', 'agent', T, `cannot ask about ${busName}: ${a.error}`,
      systemd.booted
        ? 'start the bus (systemctl start dbus.socket dbus.service), then run berth doctor again'
        : 'the system bus comes with systemd (see the systemd check); without it, berth agent --scheduler cron runs the [Checkpoint] schedules',
      { ...details, error: a.error });
  }
  if (a.owner) return ok('agent', T, `${busName} is on the system bus (owned by ${a.owner})`, details);
  if (a.activatable) return ok('agent', T, `${busName} is activatable: the bus starts the agent at the first call`, details);
  return bad('fail', 'agent', T, `${busName} is neither on the system bus nor activatable: berth status and the agent's bus API do not work`,
    `reinstall berth (dnf reinstall berth), which installs /usr/share/dbus-1/system-services/${busName}.service and its bus policy; then systemctl reload dbus`, details);
}

/** The user's own agent, on the user manager's bus: the user's containers only. */
function checkUserAgent(a: import('./host.js').BusAnswer, busName: string): CheckResult {
  const T = 'agent';
  const details: Record<string, unknown> = { busName, bus: 'user', ...(a.owner ? { owner: a.owner } : {}), activatable: a.activatable };
  if (a.error) {
    return bad('fail', 'agent', T, `cannot reach your bus (the user manager's): ${a.error}`,
      'log in (or loginctl enable-linger) so that your user manager and its bus run; dbus-user-session (Debian) or dbus (RHEL) provides the bus; XDG_RUNTIME_DIR must be /run/user/UID', { ...details, error: a.error });
  }
  if (a.owner) return ok('agent', T, `${busName} is on your bus (owned by ${a.owner}): it serves your containers only`, details);
  if (a.activatable) return ok('agent', T, `${busName} is activatable on your bus: your user manager starts berth-agent.service at the first call`, details);
  return bad('warn', 'agent', T, `${busName} is neither on your bus nor activatable: berth status --user reads systemd directly`,
    `reinstall berth (dnf reinstall berth), which installs /usr/share/dbus-1/services/${busName}.service and /usr/lib/systemd/user/berth-agent.service`, details);
}

// ---------------------------------------------------------------------------------------------------
// Definitions and checkpoint folders

export interface DefinitionFacts {
  readonly dirs: readonly string[];
  readonly count: number;
  readonly errors: readonly string[];
  /** Each [Checkpoint] folder in use → the containers that use it and the sum of their MaxTotalSize= (0 when any is uncapped). */
  readonly checkpointDirs: ReadonlyMap<string, { containers: string[]; capped: number | undefined }>;
}

export function definitionFacts(host: DoctorHost, user = false): DefinitionFacts {
  const dirs = searchPaths(user, host.env, host.uid);
  const loaded = loadDefinitions(dirs);
  const checkpointDirs = new Map<string, { containers: string[]; capped: number | undefined }>([[DEFAULT_CHECKPOINT_DIR, { containers: [], capped: 0 }]]);
  for (const d of loaded.definitions) {
    if (d.kind !== 'container' || !d.unit.hasSection('Checkpoint')) continue;
    const dir = d.unit.get('Checkpoint', 'Directory') || DEFAULT_CHECKPOINT_DIR;
    if (!dir.startsWith('/')) continue; // berth validate reports it
    const entry = checkpointDirs.get(dir) ?? { containers: [], capped: 0 };
    entry.containers.push(d.fileName);
    const cap = d.unit.get('Checkpoint', 'MaxTotalSize');
    const bytes = cap ? parseSize(cap) : undefined;
    entry.capped = entry.capped === undefined || bytes === undefined ? undefined : entry.capped + bytes;
    checkpointDirs.set(dir, entry);
  }
  return { dirs, count: loaded.definitions.length, errors: loaded.errors.map((e) => e.message), checkpointDirs };
}

export function checkDefinitions(d: DefinitionFacts, home = '/etc/berth/definitions'): CheckResult {
  const T = 'definitions';
  const where = d.dirs.join(', ');
  const details = { dirs: d.dirs, count: d.count, errors: d.errors };
  if (d.errors.length > 0) {
    return bad('warn', 'definitions', T, `${d.count} definition(s) read; ${d.errors.length} cannot be read and are skipped: ${d.errors[0]}${d.errors.length > 1 ? ' …' : ''}`,
      `fix each file named; berth validate ${d.dirs.find((x) => x.startsWith('/etc/')) ?? d.dirs[0] ?? ''} lists every problem`, details);
  }
  if (d.count === 0) return ok('definitions', T, `none yet in ${where}; put .container files in ${home}`, details);
  return ok('definitions', T, `${d.count} definition(s) in ${where}`, details);
}

export function checkCheckpointDir(host: DoctorHost, dir: string, use: { containers: string[]; capped: number | undefined }): CheckResult {
  const T = 'checkpoint folder';
  const users = use.containers.length ? `used by ${use.containers.join(', ')}` : 'the default folder';
  const st = host.stat(dir);
  let existing = dir;
  while (!host.stat(existing) && existing !== '/') existing = dirname(existing);
  const space = host.space(existing);
  const details: Record<string, unknown> = { path: dir, containers: use.containers, ...(space ? { free: space.free, total: space.total } : {}) };
  const spaceText = space ? `${formatBytes(space.free)} free of ${formatBytes(space.total)}` : 'free space unknown';

  if (!st) {
    return bad('warn', 'checkpoint-dir', T, `${dir} does not exist yet (${users}); ${spaceText} where it will be`,
      'systemd-tmpfiles --create berth.conf creates it (mode 0700); berth checkpoint also creates it at the first checkpoint', details);
  }
  if (st.kind !== 'dir') return bad('fail', 'checkpoint-dir', T, `${dir} is not a folder (${users})`, `move it away; berth keeps one subfolder per container in ${dir}`, details);
  details['mode'] = `0${st.mode.toString(8)}`;
  details['owner'] = st.uid;
  if (st.mode & 0o077) {
    return bad('fail', 'checkpoint-dir', T, `${dir} has mode 0${st.mode.toString(8)}: others can read the archives, which hold the containers' memory`,
      `chmod 0700 ${dir}`, details);
  }
  if (st.uid !== 0) return bad('fail', 'checkpoint-dir', T, `${dir} belongs to uid ${st.uid}, not root`, `chown root:root ${dir}`, details);
  if (space && space.free < FAIL_FREE) {
    return bad('fail', 'checkpoint-dir', T, `${dir}: only ${spaceText}; the next checkpoint will not fit`, `free space on that file system, lower Keep=/MaxTotalSize=, or set Directory= to a larger one; berth prune NAME applies retention now`, details);
  }
  if (space && (space.free < WARN_FREE || (use.capped !== undefined && use.capped > 0 && use.capped > space.free))) {
    const why = space.free < WARN_FREE ? `under ${formatBytes(WARN_FREE)}` : `less than the MaxTotalSize= caps of its containers (${formatBytes(use.capped!)})`;
    return bad('warn', 'checkpoint-dir', T, `${dir}: ${spaceText}, ${why}`, 'free space on that file system, lower Keep=/MaxTotalSize=, or set Directory= to a larger one', details);
  }
  return ok('checkpoint-dir', T, `${dir}: mode 0700, owned by root, ${spaceText} (${users})`, details);
}

// ---------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------
// Quadlet's folders

export interface QuadletFacts {
  readonly scope: 'system' | 'user';
  /** podman's Quadlet generator of that scope, as systemd would find it. */
  readonly generator: PodmanGeneratorFacts;
  /** Whether /usr/libexec/podman/quadlet exists (podman ≥ 4.4 installed), whatever the links say. */
  readonly binary: boolean;
  readonly berthDirs: readonly string[];
  /** Where an admin (or the user) puts definitions: /etc/berth/definitions, ~/.config/berth/definitions. */
  readonly home: string;
  readonly quadletDirs: readonly string[];
  /** Definitions both berth's folders and Quadlet's hold under one unit name. */
  readonly overlaps: readonly Overlap[];
}

/**
 * podman's generator link of a scope as systemd finds it, through the doctor's host; and the overlap of the
 * two folder sets of that scope (a user's: the calling user's).
 */
export function quadletFacts(host: DoctorHost, scope: 'system' | 'user' = 'system', dirs?: readonly string[]): QuadletFacts {
  const look = (path: string): GeneratorState => {
    if (!host.stat(path, false)) return 'absent';
    const st = host.stat(path);
    if (!st) return host.realpath(path) === '/dev/null' ? 'masked' : 'broken';
    return st.kind === 'other' || host.realpath(path) === '/dev/null' ? 'masked' : 'present';
  };
  const user = scope === 'user';
  const uid = user ? host.uid : 0;
  const theirs = dirs ?? quadletDirs(user, host.env, uid, host.account?.home ?? '/root');
  const override = host.env['BERTH_UNIT_DIRS']?.split(':').filter((d) => d !== '');
  const ours = override?.length ? override : berthFolders(user, host.env, uid);
  return {
    scope,
    generator: probePodmanGenerator(scope, look),
    binary: host.stat(QUADLET_BINARY)?.kind === 'file',
    berthDirs: ours,
    home: definitionsDir(user, host.env),
    quadletDirs: theirs,
    overlaps: quadletOverlaps(loadDefinitions(ours).definitions, loadDefinitions(theirs).definitions),
  };
}

/** The Quadlet rule on this host for a scope, and every unit two generators would write. */
export function checkQuadlet(f: QuadletFacts): CheckResult {
  const T = 'quadlet folders';
  const where = f.quadletDirs.join(', ');
  const g = f.generator;
  const details: Record<string, unknown> = {
    scope: f.scope, podmanGenerator: g.path ?? null, state: g.state, runs: podmanQuadletRuns(g), quadletBinary: f.binary, quadletDirs: f.quadletDirs, overlaps: f.overlaps,
  };
  if (podmanQuadletRuns(g)) {
    if (f.overlaps.length > 0) {
      const list = f.overlaps.map((o) => `${o.unit} (${o.berth} and ${o.quadlet})`).join('; ');
      return bad('warn', 'quadlet', T,
        `podman's Quadlet (${g.path}) and berth both write ${f.overlaps.length === 1 ? 'this unit' : 'these units'}: ${list}; systemd runs generators in parallel and loads whichever file was written last`,
        `keep each definition in one place: move it into ${f.home} (berth compiles it${f.scope === 'system' ? ', [Checkpoint] works' : ''}) or delete berth's copy, then systemctl${f.scope === 'user' ? ' --user' : ''} daemon-reload`, details);
    }
    return ok('quadlet', T, `podman's Quadlet generator runs (${g.path}): it compiles ${where}; berth reads only its own folders`, details);
  }
  const generatorName = f.scope === 'user' ? 'podman-user-generator' : 'podman-system-generator';
  const why = g.state === 'masked' ? `podman's Quadlet generator is masked (${g.path})`
    : g.state === 'broken' ? `${g.path} points at nothing`
    : f.binary ? `${QUADLET_BINARY} is installed but no ${generatorName} link runs it`
    : "podman has no Quadlet generator here";
  // Read by berth alone, a file name in its folders hides the same name in Quadlet's.
  const hides = f.overlaps.filter((o) => basename(o.berth) === basename(o.quadlet));
  const hidden = hides.length ? `; ${hides.map((o) => `${o.berth} hides ${o.quadlet}`).join('; ')}` : '';
  return ok('quadlet', T, `${why}: berth also reads ${where}, after its own folders${hidden}`, details);
}

/** Every check, in report order. Slow facts (podman info, criu check, the bus) are gathered at once. */
export async function runChecks(host: DoctorHost): Promise<CheckResult[]> {
  const cgroups = cgroupFacts(host);
  const podmanP = podmanFacts(host);
  const infoP = podmanP.then((p) => podmanInfo(host, p));
  const criuP = criuFacts(host);
  const systemdP = systemdFacts(host);
  const agentP = systemdP.then((s) => checkAgent(host, s));
  const defs = definitionFacts(host);
  const [podman, info, criu, systemd, agent] = await Promise.all([podmanP, infoP, criuP, systemdP, agentP]);
  return [
    checkPodman(podman),
    checkRuntime(info, cgroups, host.uid),
    checkCriu(criu, host.env['PATH']),
    checkCgroups(cgroups),
    checkSystemd(systemd),
    checkGenerator(host, 'system'),
    checkGenerator(host, 'user'),
    agent,
    checkDefinitions(defs),
    checkQuadlet(quadletFacts(host)),
    ...[...defs.checkpointDirs].map(([dir, use]) => checkCheckpointDir(host, dir, use)),
  ];
}
