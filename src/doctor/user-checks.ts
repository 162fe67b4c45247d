/**
 * `berth doctor --user`: what a user's containers need of the host, for the calling user. As in checks.ts,
 * facts are read through the DoctorHost (the edge) and each verdict is a pure function of them.
 *
 *   subuid, subgid       the user's ranges in /etc/subuid and /etc/subgid: rootless podman maps a container's
 *                        ids onto them (65,536 ids, a whole uid_t range a container may use)
 *   newuidmap, newgidmap present, and setuid root or with the file capability (cap_setuid / cap_setgid)
 *   linger               /var/lib/systemd/linger/USER: without it the user manager, and so the containers,
 *                        start only at the user's first login and stop at the last logout
 *   cgroups              v2 delegates a cgroup to the user manager; on v1 (and hybrid) rootless containers get
 *                        none of their own
 * plus, from checks.ts: podman, systemd, the user generator link, the user's definitions, the user's agent.
 * Root's own user manager runs rootful podman: the id checks say they are not needed there.
 */
import { AGENT_NAME } from '../agent/interface.js';
import { definitionsDir } from '../generator/search-paths.js';
import {
  cgroupFacts, checkAgent, checkDefinitions, checkGenerator, checkPodman, checkQuadlet, checkSystemd, definitionFacts, podmanFacts, quadletFacts, systemdFacts,
  SYSTEMD_PATH, type CgroupFacts, type CheckResult,
} from './checks.js';
import type { DoctorHost, FileFacts } from './host.js';

/** The ids one container may use (a 16-bit uid_t range): podman's default user namespace size. */
export const MIN_SUBIDS = 65_536;

const ok = (id: string, title: string, summary: string, details?: Record<string, unknown>): CheckResult => ({ id, title, status: 'ok', summary, ...(details ? { details } : {}) });
const bad = (status: 'warn' | 'fail', id: string, title: string, summary: string, fix: string, details?: Record<string, unknown>): CheckResult => ({
  id, title, status, summary, fix, ...(details ? { details } : {}),
});

/** Who the checks are about: the calling user. */
export interface UserIdentity {
  readonly uid: number;
  /** The account's name; undefined when the account database does not know the uid. */
  readonly name?: string;
}

const label = (u: UserIdentity): string => (u.name ? `${u.name} (uid ${u.uid})` : `uid ${u.uid}`);
const rootNeedsNone = (u: UserIdentity): boolean => u.uid === 0;

// ---------------------------------------------------------------------------------------------------
// Subordinate ids

export interface SubidRange {
  readonly start: number;
  readonly count: number;
}

/** The user's ranges in /etc/subuid or /etc/subgid text: lines NAME:START:COUNT or UID:START:COUNT. */
export function subidRanges(text: string, user: UserIdentity): SubidRange[] {
  const ranges: SubidRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [who, start, count] = line.split(':');
    if (who !== user.name && who !== String(user.uid)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && s >= 0 && c > 0) ranges.push({ start: s, count: c });
  }
  return ranges;
}

/** /etc/subuid (kind 'subuid') or /etc/subgid: `text` undefined when the file is missing or unreadable. */
export function checkSubids(kind: 'subuid' | 'subgid', text: string | undefined, user: UserIdentity): CheckResult {
  const file = `/etc/${kind}`;
  const T = kind;
  if (rootNeedsNone(user)) return ok(kind, T, `not needed: root's user manager runs rootful podman, which maps no subordinate ids`);
  const fix = `usermod --add-sub${kind === 'subuid' ? 'uids' : 'gids'} 100000-165535 ${user.name ?? user.uid} (a range no other user has), then podman system migrate`;
  if (text === undefined) return bad('fail', kind, T, `${file} is missing or unreadable: rootless podman cannot map a container's ids`, fix);
  const ranges = subidRanges(text, user);
  const total = ranges.reduce((n, r) => n + r.count, 0);
  const details = { file, ranges, total };
  if (ranges.length === 0) {
    return bad('fail', kind, T, `${file} has no range for ${label(user)}: rootless podman can map only the user's own id, and most images fail`, fix, details);
  }
  const text1 = ranges.map((r) => `${r.start}-${r.start + r.count - 1}`).join(', ');
  if (total < MIN_SUBIDS) {
    return bad('warn', kind, T, `${file} gives ${label(user)} ${total} ids (${text1}), fewer than the ${MIN_SUBIDS} a container may use: images with higher ids fail to unpack`, fix, details);
  }
  return ok(kind, T, `${total} ids for ${label(user)} in ${file} (${text1})`, details);
}

// ---------------------------------------------------------------------------------------------------
// newuidmap, newgidmap

export interface IdMapFacts {
  readonly program: 'newuidmap' | 'newgidmap';
  readonly path?: string;
  readonly file?: FileFacts;
  /** getcap's answer (e.g. "/usr/bin/newuidmap cap_setuid=ep"); undefined when not asked or getcap is missing. */
  readonly caps?: string;
}

export async function idMapFacts(host: DoctorHost, program: IdMapFacts['program']): Promise<IdMapFacts> {
  const path = host.which(program, `${host.env['PATH'] ?? ''}:${SYSTEMD_PATH}`);
  if (!path) return { program };
  const file = host.stat(path);
  if (!file || (file.uid === 0 && file.mode & 0o4000)) return { program, path, ...(file ? { file } : {}) };
  // Not setuid root: RHEL ships them with file capabilities instead, which only getcap shows.
  const getcap = host.which('getcap', `${host.env['PATH'] ?? ''}:${SYSTEMD_PATH}`);
  const r = getcap ? await host.run(getcap, [path], 10_000) : undefined;
  return { program, path, file, ...(r?.started && r.exitCode === 0 ? { caps: r.stdout.trim() } : {}) };
}

/**
 * Whether getcap's text (without the path) grants `cap` effective: "cap_setuid=ep" (libcap 2.4x and later),
 * "= cap_setuid+ep" (older), "cap_setgid,cap_setuid=ep".
 */
export function hasEffective(text: string, cap: string): boolean {
  return text.split(/\s+/).some((clause) => {
    const m = /^([a-z_,]+)[=+]([a-z]*)$/.exec(clause);
    return m !== null && m[1]!.split(',').includes(cap) && m[2]!.includes('e');
  });
}

export function checkIdMap(f: IdMapFacts, user: UserIdentity): CheckResult {
  const id = f.program;
  const cap = f.program === 'newuidmap' ? 'cap_setuid' : 'cap_setgid';
  if (rootNeedsNone(user)) return ok(id, id, `not needed: root's user manager runs rootful podman`, f.path ? { path: f.path } : undefined);
  const install = 'install shadow-utils (dnf install shadow-utils; Debian: apt-get install uidmap)';
  if (!f.path || !f.file) return bad('fail', id, id, `${f.program} is not installed: rootless podman cannot set up a user namespace`, install);
  const details: Record<string, unknown> = { path: f.path, mode: `0${f.file.mode.toString(8)}`, owner: f.file.uid, ...(f.caps !== undefined ? { caps: f.caps } : {}) };
  if (f.file.uid === 0 && f.file.mode & 0o4000) return ok(id, id, `${f.path} is setuid root`, details);
  if (f.caps !== undefined && hasEffective(f.caps.slice(f.caps.startsWith(f.path) ? f.path.length : 0), cap)) {
    return ok(id, id, `${f.path} has the file capability ${cap}`, details);
  }
  const fix = `setcap ${cap}=ep ${f.path} (or chmod u+s ${f.path}), or reinstall it (dnf reinstall shadow-utils)`;
  if (f.caps === undefined) {
    return bad('warn', id, id, `${f.path} is not setuid root, and whether it has ${cap} is unknown (getcap is not installed)`, `install getcap (dnf install libcap) and run berth doctor --user again; if it lacks ${cap}: ${fix}`, details);
  }
  return bad('fail', id, id, `${f.path} is neither setuid root nor has ${cap}: rootless podman cannot map ids`, fix, details);
}

// ---------------------------------------------------------------------------------------------------
// Lingering, cgroups

export const LINGER_DIR = '/var/lib/systemd/linger';

export function checkLinger(user: UserIdentity, lingering: boolean): CheckResult {
  const T = 'linger';
  const who = user.name ?? String(user.uid);
  if (lingering) return ok('linger', T, `${LINGER_DIR}/${who}: your user manager starts at boot, so do your enabled containers, and they outlive your sessions`);
  return bad('warn', 'linger', T, `${who} does not linger: your user manager, and your containers with it, start only at your first login and stop at your last logout`,
    user.uid === 0 ? `loginctl enable-linger ${who}` : `loginctl enable-linger ${who} (as root, or as ${who} where polkit allows it)`);
}

export function checkUserCgroups(c: CgroupFacts, user: UserIdentity): CheckResult {
  const T = 'cgroups';
  const details = { mode: c.mode };
  if (c.mode === 'v2') return ok('cgroups', T, 'cgroup v2: systemd delegates a cgroup to your user manager, so your containers get cgroups of their own', details);
  if (c.mode === 'unknown') return bad('warn', 'cgroups', T, 'no cgroup file system is mounted on /sys/fs/cgroup', 'boot with systemd, which mounts it', details);
  const mode = c.mode === 'v1' ? 'cgroup v1' : 'hybrid cgroups (v1 controllers)';
  if (rootNeedsNone(user)) return ok('cgroups', T, `${mode}: root's user manager runs rootful podman, which creates cgroups on v1 too`, details);
  return bad('warn', 'cgroups', T,
    `${mode}: rootless podman cannot create cgroups here, so your containers get none of their own and limits (Memory=, PidsLimit= …) do not apply; berth's user units run podman with --cgroups=no-conmon there, which keeps conmon (and so the container) in the unit's own cgroup, where systemd tracks and stops it`,
    'boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1 on the kernel command line; RHEL 9 and later default to it) for limits in rootless containers', details);
}

// ---------------------------------------------------------------------------------------------------

/** Every check of `berth doctor --user`, in report order. */
export async function runUserChecks(host: DoctorHost): Promise<CheckResult[]> {
  const user: UserIdentity = { uid: host.uid, ...(host.account ? { name: host.account.name } : {}) };
  const env = host.account && !host.env['HOME'] ? { ...host.env, HOME: host.account.home } : host.env;
  const userHost: DoctorHost = env === host.env ? host : { ...host, env };
  const podmanP = podmanFacts(userHost);
  const systemdP = systemdFacts(userHost);
  const agentP = systemdP.then((s) => checkAgent(userHost, s, AGENT_NAME, true));
  const [uidmap, gidmap] = await Promise.all([idMapFacts(userHost, 'newuidmap'), idMapFacts(userHost, 'newgidmap')]);
  const lingering = user.name !== undefined && host.stat(`${LINGER_DIR}/${user.name}`) !== undefined;
  const [podman, systemd, agent] = await Promise.all([podmanP, systemdP, agentP]);
  return [
    checkPodman(podman),
    checkUserCgroups(cgroupFacts(userHost), user),
    checkSystemd(systemd),
    checkGenerator(userHost, 'user', true),
    checkSubids('subuid', host.readFile('/etc/subuid'), user),
    checkSubids('subgid', host.readFile('/etc/subgid'), user),
    checkIdMap(uidmap, user),
    checkIdMap(gidmap, user),
    checkLinger(user, lingering),
    checkDefinitions(definitionFacts(userHost, true), definitionsDir(true, env)),
    checkQuadlet(quadletFacts(userHost, 'user')),
    agent,
  ];
}
