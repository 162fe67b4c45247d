/**
 * Differential comparison of berth against Podman 5.4.2's Quadlet: both generators run on the same source
 * folder, and their output folders are compared as systemd reads them (test/helpers/systemd-reader.ts):
 * the same unit files, the same refused definitions, the same symlinks, and per unit the same settings.
 *
 * - Exec keys ([Service] ExecStart=, ExecStop=, …): the commands after systemd's parsing. For a podman
 *   command the argv is compared as: the fixed prefix (podman, global arguments, subcommand) as a list,
 *   the options between as a multiset of flag/value pairs (Quadlet writes some in Go map order), and the
 *   trailing positional words (image, command, …) as a list.
 * - Dependency keys, RequiresMountsFor= and [Install] lists: sets of words.
 * - Environment=: the final variable map.
 * - Every other key: the multiset of values (an empty assignment clears the key's earlier values); for a
 *   single-valued key of [Unit]/[Service]/[Install] only the last assignment, which is the one systemd uses.
 *   Sections systemd ignores ([X-…], unknown ones) are compared too, value by value, as written.
 * Comments are ignored, being invisible to systemd.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join, posix, relative } from 'node:path';
import { LAST_RUN_FILE } from '../../src/generator/last-run.js';
import { runProcess } from './processes.js';
import { quadletBinary } from './quadlet-binary.js';
import { environmentWords, execWords, pathWords, readUnit, strvWords, unitNameWords, type ExecCommand } from './systemd-reader.js';

export type DifferenceKind =
  /** A definition refused by one generator only (its unit exists on one side). */
  | 'refused'
  /** A unit file or symlink that exists on one side only, not explained by a refused definition. */
  | 'file'
  /** A symlink that points elsewhere. */
  | 'symlink'
  /** A unit systemd cannot load on one side (syntax error, bad Exec line). */
  | 'load'
  /** A setting whose values differ. */
  | 'value'
  /** An exec command that differs beyond single options: count, prefix flags, subcommand, trailing words. */
  | 'exec'
  /** One podman option (a flag, or a flag with its value) present on one side only. */
  | 'exec-option';

export interface Difference {
  readonly kind: DifferenceKind;
  /** The output file (path relative to the output folder). */
  readonly unit: string;
  /** The definition file it came from (basename), when known. */
  readonly source?: string;
  readonly section?: string;
  readonly key?: string;
  /** What Quadlet 5.4.2 has (undefined: nothing). */
  readonly quadlet?: string;
  /** What berth has (undefined: nothing). */
  readonly berth?: string;
  /** For set and exec differences: every value of the key on each side, for matchers that need context. */
  readonly quadletAll?: readonly string[];
  readonly berthAll?: readonly string[];
  readonly note?: string;
}

export function describe(d: Difference): string {
  const where = `${d.unit}${d.section ? ` [${d.section}]` : ''}${d.key ? ` ${d.key}=` : ''}`;
  const q = d.quadlet === undefined ? '(nothing)' : JSON.stringify(d.quadlet);
  const b = d.berth === undefined ? '(nothing)' : JSON.stringify(d.berth);
  return `${d.kind}: ${where}${d.source ? ` (from ${d.source})` : ''}: quadlet ${q}, berth ${b}${d.note ? ` — ${d.note}` : ''}`;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Running the generators                                                                                  */

export interface GeneratorRun {
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly outDir: string;
  /** Definition files the generator said it could not convert (`converting "NAME": …`). */
  readonly refused: ReadonlyMap<string, string>;
}


const CONVERTING = /converting "([^"]+)": (.*)$/gm;
/** Quadlet's message for a file it cannot parse: `error loading "/path/x.container", file contains line …`. */
const LOADING = /error loading "([^"]+)", (.*)$/gm;

function refusedFrom(stderr: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stderr.matchAll(CONVERTING)) out.set(m[1]!, m[2]!);
  for (const m of stderr.matchAll(LOADING)) out.set(basename(m[1]!), m[2]!);
  // berth's syntax errors: `berth-generator: /path/x.container:3:1: message` (warnings aside).
  for (const m of stderr.matchAll(/^berth-generator: (\/[^:\n]+):\d+:\d+: (.*)$/gm)) {
    if (!/warning/i.test(m[2]!) && !out.has(basename(m[1]!))) out.set(basename(m[1]!), m[2]!);
  }
  return out;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['SYSTEMD_SCOPE', 'BERTH_PODMAN_VERSION', 'PODMAN', 'NODE_OPTIONS', 'QUADLET_UNIT_DIRS', 'BERTH_UNIT_DIRS']) delete env[k];
  return env;
}

export async function runQuadlet(srcDir: string, outDir: string): Promise<GeneratorRun> {
  mkdirSync(outDir, { recursive: true });
  const r = await runProcess(quadletBinary(), ['-no-kmsg-log', outDir], { env: { ...cleanEnv(), QUADLET_UNIT_DIRS: srcDir }, cwd: srcDir, timeoutMs: 30_000 });
  return { ...r, outDir, refused: refusedFrom(r.stderr) };
}

/** Runs the generator bundle (dist/berth-generator.cjs, what systemd runs) from the checkout's root. */
export async function runBerth(repoRoot: string, srcDir: string, outDir: string): Promise<GeneratorRun> {
  mkdirSync(outDir, { recursive: true });
  const args = ['dist/berth-generator.cjs', '--no-kmsg-log', '--podman-version', '5.4', outDir];
  const r = await runProcess(process.execPath, args, { env: { ...cleanEnv(), BERTH_UNIT_DIRS: srcDir }, cwd: repoRoot, timeoutMs: 60_000 });
  return { ...r, outDir, refused: refusedFrom(r.stderr) };
}

/* ------------------------------------------------------------------------------------------------------ */
/* Output folders                                                                                          */

export interface OutputTree {
  /** Regular files: relative path → text. */
  readonly files: Map<string, string>;
  /** Symlinks: relative path → the relative path (from the output folder) they resolve to, or the raw target. */
  readonly links: Map<string, string>;
}

/** The units and links of an output folder; berth's record of its run (no unit, Quadlet has none) is left out. */
export function readTree(root: string): OutputTree {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(root, full);
      if (rel === LAST_RUN_FILE) continue;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(full);
        const resolved = target.startsWith('/') ? target : posix.normalize(posix.join(posix.dirname(rel), target));
        links.set(rel, resolved.startsWith('/') || resolved.startsWith('..') ? `(outside) ${target}` : resolved);
      } else if (st.isDirectory()) walk(full);
      else files.set(rel, readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return { files, links };
}

/* ------------------------------------------------------------------------------------------------------ */
/* One unit as systemd reads it                                                                            */

const DEPENDENCY_KEYS = new Set([
  'Wants', 'Requires', 'Requisite', 'BindsTo', 'PartOf', 'Upholds', 'Conflicts', 'Before', 'After', 'OnFailure', 'OnSuccess',
  'PropagatesReloadTo', 'ReloadPropagatedFrom', 'PropagatesStopTo', 'StopPropagatedFrom', 'JoinsNamespaceOf', 'Triggers', 'TriggeredBy',
]);
const INSTALL_LIST_KEYS = new Set(['WantedBy', 'RequiredBy', 'UpheldBy', 'Alias', 'Also']);
const EXEC_KEYS = new Set(['ExecStart', 'ExecStartPre', 'ExecStartPost', 'ExecStop', 'ExecStopPost', 'ExecReload', 'ExecCondition']);
const ENV_SECTIONS = new Set(['Service', 'Socket', 'Mount', 'Swap']);
/** Sections systemd reads for a .service; in them a key not listed in LIST_KEYS is single-valued. */
const SERVICE_SECTIONS = new Set(['Unit', 'Service', 'Install']);
/** Keys of those sections whose assignments accumulate (an empty one resets), compared as multisets. */
const LIST_KEYS = new Set([
  'Documentation', 'EnvironmentFile', 'PassEnvironment', 'UnsetEnvironment', 'SuccessExitStatus', 'RestartPreventExitStatus',
  'RestartForceExitStatus', 'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths', 'ExecPaths', 'NoExecPaths', 'BindPaths',
  'BindReadOnlyPaths', 'DeviceAllow', 'SupplementaryGroups', 'TemporaryFileSystem', 'LogExtraFields', 'SetCredential', 'LoadCredential',
  'SetCredentialEncrypted', 'LoadCredentialEncrypted', 'Sockets', 'SystemCallFilter', 'SystemCallArchitectures', 'RestrictAddressFamilies',
  'CapabilityBoundingSet', 'AmbientCapabilities', 'IPAddressAllow', 'IPAddressDeny', 'RuntimeDirectory', 'StateDirectory', 'CacheDirectory',
  'LogsDirectory', 'ConfigurationDirectory', 'Slice', 'RestrictNamespaces',
]);
const isListKey = (section: string, key: string) => !SERVICE_SECTIONS.has(section) || LIST_KEYS.has(key) || /^(Condition|Assert)/.test(key);

type Setting =
  | { readonly type: 'exec'; readonly commands: readonly ExecCommand[] }
  | { readonly type: 'set'; readonly values: ReadonlySet<string> }
  | { readonly type: 'env'; readonly values: ReadonlyMap<string, string> }
  /** Every other key: the values as read (for a single-valued key, only the last one). */
  | { readonly type: 'multi'; readonly values: readonly string[] };

export interface NormalUnit {
  /** Why systemd would refuse the unit; undefined when it loads. */
  readonly loadError?: string;
  /** section + '\0' + key → setting. */
  readonly settings: Map<string, Setting>;
  readonly sourcePath?: string;
}

export function normalizeUnit(text: string): NormalUnit {
  const read = readUnit(text);
  const settings = new Map<string, Setting>();
  let loadError = read.errors[0];
  let sourcePath: string | undefined;
  for (const [section, entries] of read.sections) {
    const exec = new Map<string, ExecCommand[]>();
    const sets = new Map<string, Set<string>>();
    const env = new Map<string, string>();
    let envSeen = false;
    const multi = new Map<string, string[]>();
    for (const { key, value, line } of entries) {
      if (section === 'Unit' && key === 'SourcePath') sourcePath = value;
      if (section === 'Service' && EXEC_KEYS.has(key)) {
        const r = execWords(value);
        if (r.error !== undefined && loadError === undefined) loadError = `line ${line}: ${key}=: ${r.error}`;
        if (value.trim() === '') exec.set(key, []);
        else exec.set(key, [...(exec.get(key) ?? []), ...r.commands]);
      } else if (section === 'Unit' && DEPENDENCY_KEYS.has(key)) {
        const s = sets.get(key) ?? new Set<string>();
        for (const w of unitNameWords(value)) s.add(w);
        sets.set(key, s);
      } else if (section === 'Unit' && key === 'RequiresMountsFor') {
        const s = sets.get(key) ?? new Set<string>();
        for (const w of pathWords(value)) s.add(w);
        sets.set(key, s);
      } else if (section === 'Install' && INSTALL_LIST_KEYS.has(key)) {
        const words = strvWords(value);
        const s = words === undefined ? new Set<string>() : (sets.get(key) ?? new Set<string>());
        for (const w of words ?? []) s.add(w);
        sets.set(key, s);
      } else if (ENV_SECTIONS.has(section) && key === 'Environment') {
        envSeen = true;
        const words = environmentWords(value);
        if (words === undefined) env.clear();
        for (const [k, v] of words ?? []) env.set(k, v);
      } else if (isListKey(section, key)) {
        multi.set(key, value === '' ? [] : [...(multi.get(key) ?? []), value]);
      } else {
        // A single-valued setting: the last assignment wins (an empty one restores the default).
        multi.set(key, value === '' ? [] : [value]);
      }
    }
    for (const [k, v] of exec) settings.set(`${section}\0${k}`, { type: 'exec', commands: v });
    for (const [k, v] of sets) settings.set(`${section}\0${k}`, { type: 'set', values: v });
    if (envSeen) settings.set(`${section}\0Environment`, { type: 'env', values: env });
    for (const [k, v] of multi) settings.set(`${section}\0${k}`, { type: 'multi', values: v });
  }
  return { ...(loadError !== undefined ? { loadError } : {}), settings, ...(sourcePath !== undefined ? { sourcePath } : {}) };
}

/* ------------------------------------------------------------------------------------------------------ */
/* podman command lines                                                                                    */

/** Top-level podman commands with a second word (`volume create`). */
const GROUP_COMMANDS = new Set(['volume', 'network', 'kube', 'image', 'pod', 'artifact', 'container', 'system', 'generate', 'play', 'secret', 'manifest']);
const COMMANDS = new Set([...GROUP_COMMANDS, 'run', 'create', 'build', 'rm', 'kill', 'exec', 'stop', 'start', 'pull', 'auto-update', 'healthcheck']);

/** Global options that take a separate value (`podman --log-level debug run …`). */
const GLOBAL_VALUE_FLAGS = new Set([
  '--cgroup-manager', '--config', '--conmon', '--connection', '-c', '--events-backend', '--hooks-dir', '--identity', '--imagestore',
  '--log-level', '--module', '--network-cmd-path', '--network-config-dir', '--out', '--root', '--runroot', '--runtime', '--runtime-flag',
  '--ssh', '--storage-driver', '--storage-opt', '--tmpdir', '--transient-store', '--url', '--volumepath', '--db-backend', '--cdi-spec-dir',
]);

/** Long options that take a separate value, for every subcommand Quadlet writes. */
const VALUE_FLAGS = new Set([
  '--add-host', '--annotation', '--arch', '--attach', '--authfile', '--blkio-weight', '--blkio-weight-device', '--build-arg', '--build-arg-file',
  '--build-context', '--cache-from', '--cache-to', '--cap-add', '--cap-drop', '--cert-dir', '--cgroup-conf', '--cgroup-parent', '--cgroupns',
  '--cgroups', '--chrootdirs', '--cidfile', '--configmap', '--conmon-pidfile', '--context-dir', '--cpu-period', '--cpu-quota', '--cpu-rt-period',
  '--cpu-rt-runtime', '--cpu-shares', '--cpus', '--cpuset-cpus', '--cpuset-mems', '--creds', '--decryption-key', '--detach-keys', '--device',
  '--device-cgroup-rule', '--device-read-bps', '--device-read-iops', '--device-write-bps', '--device-write-iops', '--dns', '--dns-opt',
  '--dns-option', '--dns-search', '--driver', '--entrypoint', '--env', '--env-file', '--exit-policy', '--expose', '--file', '--format', '--from',
  '--gateway', '--gid', '--gidmap', '--gpus', '--group-add', '--group-entry', '--health-cmd', '--health-interval', '--health-log-destination',
  '--health-max-log-count', '--health-max-log-size', '--health-on-failure', '--health-retries', '--health-start-period', '--health-startup-cmd',
  '--health-startup-interval', '--health-startup-retries', '--health-startup-success', '--health-startup-timeout', '--health-timeout',
  '--hostname', '--hostuser', '--ignorefile', '--image-volume', '--infra-command', '--infra-conmon-pidfile', '--infra-image', '--infra-name',
  '--init-path', '--interface-name', '--ip', '--ip-range', '--ip6', '--ipam-driver', '--ipc', '--label', '--label-file', '--layer-label',
  '--log-driver', '--log-opt', '--mac-address', '--memory', '--memory-reservation', '--memory-swap', '--memory-swappiness', '--mount',
  '--name', '--net', '--network', '--network-alias', '--oom-score-adj', '--opt', '--os', '--passwd-entry', '--personality', '--pid', '--pidfile',
  '--pids-limit', '--platform', '--pod', '--pod-id-file', '--policy', '--preserve-fds', '--publish', '--requires', '--restart', '--retry',
  '--retry-delay', '--route', '--sdnotify', '--seccomp-policy', '--secret', '--security-opt', '--service-exit-code-propagation', '--share',
  '--shm-size', '--shm-size-systemd', '--signal', '--stop-signal', '--stop-timeout', '--subgidname', '--subnet', '--subuidname', '--sysctl',
  '--systemd', '--tag', '--target', '--time', '--timeout', '--tmpfs', '--tz', '--uid', '--uidmap', '--ulimit', '--umask', '--unsetenv',
  '--user', '--userns', '--uts', '--variant', '--volume', '--volumes-from', '--workdir', '--pull',
]);

/** Short options that take a value, per subcommand. */
function shortValueFlags(subcommand: string): ReadonlySet<string> {
  switch (subcommand) {
    case 'run':
    case 'create':
    case 'container run':
    case 'container create':
      return new Set(['-a', '-c', '-e', '-h', '-l', '-m', '-p', '-u', '-v', '-w']);
    case 'exec':
      return new Set(['-e', '-u', '-w']);
    case 'volume create':
    case 'network create':
      return new Set(['-d', '-o', '-l']);
    case 'pod create':
      return new Set(['-l', '-p', '-v']);
    case 'build':
      return new Set(['-f', '-t', '-v']);
    case 'rm':
    case 'pod stop':
    case 'stop':
      return new Set(['-t']);
    case 'kill':
    case 'pod kill':
      return new Set(['-s']);
    default:
      return new Set();
  }
}

/** `--pull` takes a separate value in `run`, but only the `=` form in `build`. */
function takesValue(flag: string, subcommand: string): boolean {
  if (flag === '--pull' && subcommand === 'build') return false;
  if (flag.startsWith('--')) return VALUE_FLAGS.has(flag);
  return shortValueFlags(subcommand).has(flag);
}

export interface PodmanArgv {
  /** podman, global arguments, subcommand words. */
  readonly prefix: readonly string[];
  /** Options as `flag value` (space-joined; a `--flag=value` of a value-taking flag is written this way too). */
  readonly options: readonly string[];
  /** From the first positional word on. */
  readonly trailing: readonly string[];
}

export function isPodman(cmd: ExecCommand): boolean {
  return basename(cmd.path) === 'podman' || cmd.path === '⟦$PODMAN⟧' || cmd.path === '⟦${PODMAN}⟧';
}

export function splitPodmanArgv(argv: readonly string[]): PodmanArgv {
  let i = 1;
  while (i < argv.length) {
    const w = argv[i]!;
    if (COMMANDS.has(w)) break;
    if (GLOBAL_VALUE_FLAGS.has(w)) i += 2;
    else i += 1;
  }
  const first = argv[i];
  if (first === undefined) return { prefix: [...argv], options: [], trailing: [] };
  let end = i + 1;
  if (GROUP_COMMANDS.has(first) && argv[end] !== undefined && !argv[end]!.startsWith('-')) end++;
  const prefix = argv.slice(0, end);
  const subcommand = argv.slice(i, end).join(' ');
  const options: string[] = [];
  let k = end;
  while (k < argv.length) {
    const w = argv[k]!;
    if (w === '--') {
      k++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    const eq = w.indexOf('=');
    if (eq > 0) {
      const flag = w.slice(0, eq);
      options.push(takesValue(flag, subcommand) ? `${flag} ${w.slice(eq + 1)}` : w);
      k++;
    } else if (takesValue(w, subcommand) && k + 1 < argv.length) {
      options.push(`${w} ${argv[k + 1]!}`);
      k += 2;
    } else {
      options.push(w);
      k++;
    }
  }
  return { prefix, options, trailing: argv.slice(k) };
}

function renderCommand(c: ExecCommand): string {
  return `${c.flags}${c.flags.includes('@') ? `${c.path} ` : ''}${c.argv.map((w) => (/^[\w@%/.,:=+-]+$/u.test(w) ? w : JSON.stringify(w))).join(' ')}`;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Comparing                                                                                               */

function multisetDiff(a: readonly string[], b: readonly string[]): { onlyA: string[]; onlyB: string[] } {
  const count = new Map<string, number>();
  for (const x of a) count.set(x, (count.get(x) ?? 0) + 1);
  const onlyB: string[] = [];
  for (const x of b) {
    const n = count.get(x) ?? 0;
    if (n > 0) count.set(x, n - 1);
    else onlyB.push(x);
  }
  const onlyA: string[] = [];
  for (const [x, n] of count) for (let i = 0; i < n; i++) onlyA.push(x);
  return { onlyA, onlyB };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function compareExec(base: Omit<Difference, 'kind'>, q: readonly ExecCommand[], b: readonly ExecCommand[]): Difference[] {
  const out: Difference[] = [];
  const all = { quadletAll: q.map(renderCommand), berthAll: b.map(renderCommand) };
  if (q.length !== b.length) {
    return [{ ...base, kind: 'exec', ...all, quadlet: all.quadletAll.join(' ;; '), berth: all.berthAll.join(' ;; '), note: `${q.length} command(s) against ${b.length}` }];
  }
  q.forEach((qc, i) => {
    const bc = b[i]!;
    const one = { ...base, quadletAll: [renderCommand(qc)], berthAll: [renderCommand(bc)] };
    if (qc.flags !== bc.flags || (qc.flags.includes('@') && qc.path !== bc.path)) {
      out.push({ ...one, kind: 'exec', quadlet: renderCommand(qc), berth: renderCommand(bc), note: 'prefix flags or path differ' });
      return;
    }
    if (isPodman(qc) && isPodman(bc)) {
      const pq = splitPodmanArgv(qc.argv);
      const pb = splitPodmanArgv(bc.argv);
      if (!sameList(pq.prefix, pb.prefix)) out.push({ ...one, kind: 'exec', quadlet: pq.prefix.join(' '), berth: pb.prefix.join(' '), note: 'podman global arguments or subcommand differ' });
      const { onlyA, onlyB } = multisetDiff(pq.options, pb.options);
      // A flag that has one value on each side is one difference (the same flag, another value).
      const flagOf = (o: string) => o.split(' ')[0]!.split('=')[0]!;
      const paired = new Set<string>();
      for (const o of onlyA) {
        const f = flagOf(o);
        const mine = onlyB.filter((x) => flagOf(x) === f);
        if (onlyA.filter((x) => flagOf(x) === f).length === 1 && mine.length === 1) {
          out.push({ ...one, kind: 'exec-option', quadlet: o, berth: mine[0]! });
          paired.add(f);
        }
      }
      for (const o of onlyA) if (!paired.has(flagOf(o))) out.push({ ...one, kind: 'exec-option', quadlet: o });
      for (const o of onlyB) if (!paired.has(flagOf(o))) out.push({ ...one, kind: 'exec-option', berth: o });
      if (!sameList(pq.trailing, pb.trailing)) out.push({ ...one, kind: 'exec', quadlet: pq.trailing.join(' '), berth: pb.trailing.join(' '), note: 'positional words (image, command) differ' });
    } else if (!sameList(qc.argv, bc.argv)) {
      out.push({ ...one, kind: 'exec', quadlet: renderCommand(qc), berth: renderCommand(bc) });
    }
  });
  return out;
}

export function compareUnits(unit: string, qText: string, bText: string, source?: string): Difference[] {
  const q = normalizeUnit(qText);
  const b = normalizeUnit(bText);
  const base = { unit, ...(source !== undefined ? { source } : {}) };
  const out: Difference[] = [];
  if (q.loadError !== b.loadError && (q.loadError === undefined || b.loadError === undefined)) {
    out.push({ ...base, kind: 'load', ...(q.loadError !== undefined ? { quadlet: q.loadError } : {}), ...(b.loadError !== undefined ? { berth: b.loadError } : {}) });
  }
  const keys = new Set([...q.settings.keys(), ...b.settings.keys()]);
  for (const sk of [...keys].sort()) {
    const [section, key] = sk.split('\0') as [string, string];
    const qs = q.settings.get(sk);
    const bs = b.settings.get(sk);
    const type = (qs ?? bs)!.type;
    const at = { ...base, section, key };
    if (type === 'exec') {
      const qc = qs?.type === 'exec' ? qs.commands : [];
      const bc = bs?.type === 'exec' ? bs.commands : [];
      out.push(...compareExec(at, qc, bc));
    } else if (type === 'set') {
      const qv = qs?.type === 'set' ? [...qs.values] : [];
      const bv = bs?.type === 'set' ? [...bs.values] : [];
      const { onlyA, onlyB } = multisetDiff(qv, bv);
      for (const v of onlyA) out.push({ ...at, kind: 'value', quadlet: v, quadletAll: qv, berthAll: bv });
      for (const v of onlyB) out.push({ ...at, kind: 'value', berth: v, quadletAll: qv, berthAll: bv });
    } else if (type === 'env') {
      const qv = qs?.type === 'env' ? qs.values : new Map<string, string>();
      const bv = bs?.type === 'env' ? bs.values : new Map<string, string>();
      for (const name of new Set([...qv.keys(), ...bv.keys()])) {
        const x = qv.get(name);
        const y = bv.get(name);
        if (x === y) continue;
        out.push({ ...at, kind: 'value', ...(x !== undefined ? { quadlet: `${name}=${x}` } : {}), ...(y !== undefined ? { berth: `${name}=${y}` } : {}) });
      }
    } else {
      const qv = qs?.type === 'multi' ? qs.values : [];
      const bv = bs?.type === 'multi' ? bs.values : [];
      const { onlyA, onlyB } = multisetDiff(qv, bv);
      if (onlyA.length === 1 && onlyB.length === 1) out.push({ ...at, kind: 'value', quadlet: onlyA[0]!, berth: onlyB[0]! });
      else {
        for (const v of onlyA) out.push({ ...at, kind: 'value', quadlet: v });
        for (const v of onlyB) out.push({ ...at, kind: 'value', berth: v });
      }
    }
  }
  return out;
}

export interface FolderComparison {
  readonly differences: Difference[];
  readonly quadlet: GeneratorRun;
  readonly berth: GeneratorRun;
  /** Output units both sides wrote, with the definition they came from. */
  readonly units: ReadonlyMap<string, string | undefined>;
}

/**
 * The definition a unit was made from, for attributing differences. Read from the SourcePath= line as written:
 * systemd may not see that line at all when the line before it ends in a backslash (which Quadlet writes).
 */
function sourceOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const p = /^SourcePath=(.*)$/m.exec(text)?.[1] ?? normalizeUnit(text).sourcePath;
  return p === undefined ? undefined : basename(p);
}

/** Compares two output folders. `refusedQ`/`refusedB` are the definitions each generator refused. */
export function compareTrees(q: OutputTree, b: OutputTree, refusedQ: ReadonlyMap<string, string>, refusedB: ReadonlyMap<string, string>): { differences: Difference[]; units: Map<string, string | undefined> } {
  const out: Difference[] = [];
  const units = new Map<string, string | undefined>();
  const refusedBoth = new Set([...refusedQ.keys()].filter((k) => refusedB.has(k)));
  for (const name of new Set([...refusedQ.keys(), ...refusedB.keys()])) {
    if (refusedBoth.has(name)) continue;
    out.push({
      kind: 'refused', unit: '(none)', source: name,
      ...(refusedQ.has(name) ? { quadlet: `refused: ${refusedQ.get(name)!}` } : {}),
      ...(refusedB.has(name) ? { berth: `refused: ${refusedB.get(name)!}` } : {}),
    });
  }
  const explained = (source: string | undefined) => source !== undefined && (refusedQ.has(source) || refusedB.has(source));
  for (const rel of new Set([...q.files.keys(), ...b.files.keys()])) {
    const qt = q.files.get(rel);
    const bt = b.files.get(rel);
    const source = sourceOf(qt) ?? sourceOf(bt);
    if (qt === undefined || bt === undefined) {
      if (explained(source)) continue;
      out.push({ kind: 'file', unit: rel, ...(source !== undefined ? { source } : {}), ...(qt !== undefined ? { quadlet: 'written' } : {}), ...(bt !== undefined ? { berth: 'written' } : {}) });
      continue;
    }
    units.set(rel, source);
    out.push(...compareUnits(rel, qt, bt, source));
  }
  for (const rel of new Set([...q.links.keys(), ...b.links.keys()])) {
    const qt = q.links.get(rel);
    const bt = b.links.get(rel);
    if (qt === bt) continue;
    const target = qt ?? bt ?? '';
    const source = sourceOf(q.files.get(target)) ?? sourceOf(b.files.get(target));
    if ((qt === undefined || bt === undefined) && explained(source)) continue;
    out.push({ kind: qt === undefined || bt === undefined ? 'file' : 'symlink', unit: rel, ...(source !== undefined ? { source } : {}), ...(qt !== undefined ? { quadlet: `→ ${qt}` } : {}), ...(bt !== undefined ? { berth: `→ ${bt}` } : {}) });
  }
  return { differences: out, units };
}

/** Runs both generators on `srcDir` (outputs under `workDir`) and compares. */
export async function compareFolder(repoRoot: string, srcDir: string, workDir: string): Promise<FolderComparison> {
  const qOut = join(workDir, 'quadlet');
  const bOut = join(workDir, 'berth');
  const [quadlet, berth] = await Promise.all([runQuadlet(srcDir, qOut), runBerth(repoRoot, srcDir, bOut)]);
  if (/^\s+at .*(?:file:\/\/|node:internal)/m.test(berth.stderr)) {
    const d: Difference = { kind: 'file', unit: '(generator)', berth: 'crashed', note: berth.stderr.split('\n').slice(0, 6).join(' | ') };
    return { differences: [d], quadlet, berth, units: new Map() };
  }
  const { differences, units } = compareTrees(readTree(qOut), readTree(bOut), quadlet.refused, berth.refused);
  return { differences, quadlet, berth, units };
}

/** The definition files of a source folder with their drop-ins, as text for a report. */
export function sourceText(srcDir: string, name: string): string {
  const parts: string[] = [];
  const file = join(srcDir, name);
  if (existsSync(file)) parts.push(`--- ${name}\n${readFileSync(file, 'utf8')}`);
  const dot = name.lastIndexOf('.');
  const at = name.indexOf('@');
  const dirs = [`${name}.d`];
  if (at > 0 && dot > at) dirs.push(`${name.slice(0, at + 1)}${name.slice(dot)}.d`);
  dirs.push(`${name.slice(dot + 1)}.d`);
  for (const d of dirs) {
    const full = join(srcDir, d);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full).sort()) parts.push(`--- ${d}/${f}\n${readFileSync(join(full, f), 'utf8')}`);
  }
  return parts.join('\n');
}


