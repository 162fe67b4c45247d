/**
 * `podman container inspect` of an existing container → the `podman run` command line that makes the same
 * container, which importRun (container.ts) then turns into a definition. The command line is read from what
 * podman recorded in the container's configuration, never from its CreateCommand (containers made through
 * the API have none, and it can be stale). A value podman fills in itself (the image's environment, default
 * capabilities, tmpfs of --read-only, ulimits …) is told apart from one the container's creator chose by
 * comparing with a new container of the same image (`baseline`), created the same way but with no options.
 *
 * Every field of the configuration is either read below or named in PER_CONTAINER; a field this reader does
 * not know that differs from the baseline is reported, never silently lost.
 */
import { constants } from 'node:os';
import type { InspectedContainer, InspectedMount } from '../engine/inspected.js';
import { UsageError } from '../errors.js';
import { parseArgv } from './argv.js';
import { importRun, type ImportContext } from './container.js';
import { RUN_FLAGS } from './run-flags.js';
import type { Imported } from './definition.js';

export interface RunLine {
  /** `podman run` arguments (after `run`): options, image, command. */
  readonly argv: readonly string[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * The `podman create` arguments of the baseline to compare this container with: its image, and the options
 * that change what podman fills in itself (tmpfs of --read-only, the host's name with --network host).
 */
export function baselineArgs(c: InspectedContainer): string[] {
  const out: string[] = [];
  if (c.HostConfig.ReadonlyRootfs === true) out.push('--read-only');
  if (c.HostConfig.NetworkMode === 'host') out.push('--network', 'host');
  // A root file system has no command of its own to fall back on.
  if (c.Rootfs) return [...out, '--rootfs', c.Rootfs, 'true'];
  return [...out, c.Image || c.ImageName || ''];
}

type Json = unknown;
const same = (a: Json, b: Json): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const strings = (v: Json): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const record = (v: Json): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : {});
/** What `c` has that `base` has not (or has with another value). */
const added = (c: Json, base: Json): Array<[string, Json]> => Object.entries(record(c)).filter(([k, v]) => !same(record(base)[k], v));

/** A signal as podman wrote it (a number up to podman 4, a name after) → its name. */
function signalName(v: Json): string {
  if (typeof v === 'string') return v;
  const name = Object.entries(constants.signals).find(([, n]) => n === v)?.[0];
  return name ?? String(v);
}

/** Nanoseconds → a duration podman reads (`30s`, `1500ms`). */
function duration(ns: Json): string {
  const n = Number(ns);
  return n % 1e9 === 0 ? `${n / 1e9}s` : `${Math.round(n / 1e6)}ms`;
}

/** The container's entrypoint as a list. podman before 5 writes it joined by spaces: the list is then its process's argv without the command. */
function entrypointOf(c: InspectedContainer): string[] | undefined {
  const ep = c.Config.Entrypoint;
  if (Array.isArray(ep)) return strings(ep);
  if (typeof ep !== 'string' || ep === '') return [];
  if (!ep.includes(' ')) return [ep];
  const cmd = strings(c.Config.Cmd);
  let argv = [c.Path ?? '', ...(c.Args ?? [])];
  if (c.HostConfig.Init === true && argv[1] === '--') argv = argv.slice(2);
  const head = argv.slice(0, argv.length - cmd.length);
  return same(argv.slice(head.length), cmd) && head.join(' ') === ep ? head : undefined;
}

/** Podman's own options of every tmpfs it mounts: what is left is what was asked for. */
const TMPFS_DEFAULTS = new Set(['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']);
/** The same of mounts, by type (-v is a recursive bind; a named volume is nosuid and nodev unless told). */
const MOUNT_DEFAULTS: Readonly<Record<string, ReadonlySet<string>>> = { bind: new Set(['rbind']), volume: new Set(['rbind', 'nosuid', 'nodev']) };

function mountFlags(m: InspectedMount, base: readonly InspectedMount[], flags: string[], notes: string[], warnings: string[]): void {
  if (base.some((b) => same(b, m))) return;
  const opts = [...(m.RW === false ? ['ro'] : []), ...(m.Mode ? m.Mode.split(',') : []), ...(m.Propagation && m.Propagation !== 'rprivate' ? [m.Propagation] : []), ...strings(m.Options).filter((o) => !MOUNT_DEFAULTS[m.Type]?.has(o))];
  const suffix = opts.length > 0 ? `:${opts.join(',')}` : '';
  if (m.Type === 'bind' && m.Source) return void flags.push('--volume', `${m.Source}:${m.Destination}${suffix}`);
  if (m.Type === 'volume' && m.Name) {
    // An anonymous volume the image declares is made again by any new container of the image.
    if (/^[0-9a-f]{64}$/.test(m.Name)) {
      if (base.some((b) => b.Type === 'volume' && b.Destination === m.Destination)) return;
      notes.push(`the anonymous volume ${m.Name} at ${m.Destination} becomes a new anonymous volume: its data stays in the old one`);
      return void flags.push('--volume', `${m.Destination}${suffix}`);
    }
    return void flags.push('--volume', `${m.Name}:${m.Destination}${suffix}`);
  }
  if (m.Type === 'image' && m.Source) return void flags.push('--mount', `type=image,source=${m.Source},destination=${m.Destination}`);
  warnings.push(`the ${m.Type} mount at ${m.Destination} cannot be read back from inspect: add it by hand`);
}

/**
 * The fields read, each with what it adds to the command line given the container's and the baseline's
 * values; a reader returns nothing when the value is the baseline's.
 */
interface Context {
  readonly c: InspectedContainer;
  readonly base: InspectedContainer;
  readonly flags: string[];
  readonly notes: string[];
  readonly warnings: string[];
}
type Read = (v: Json, b: Json, x: Context) => unknown;
/** A field of the configuration: the flags it can become, and its reader. */
interface Field {
  readonly flags: readonly string[];
  readonly read: Read;
}
const field = (flags: readonly string[], read: Read): Field => ({ flags, read });

/** A one-value flag, written when the value differs from the baseline's. */
const single = (flag: string, show: (v: Json) => string = String): Field => field([flag], (v, b, x) => {
  if (!same(v, b)) x.flags.push(flag, show(v));
});
/** A list flag, each value the baseline has not. */
const list = (flag: string, show: (v: Json) => string = String): Field => field([flag], (v, b, x) => {
  const had = new Set(Array.isArray(b) ? b.map((e) => JSON.stringify(e)) : []);
  for (const e of Array.isArray(v) ? v : []) if (!had.has(JSON.stringify(e))) x.flags.push(flag, show(e));
});
/** A boolean flag, when true. */
const bool = (flag: string): Field => field([flag], (v, b, x) => {
  if (v === true && b !== true) x.flags.push(flag);
});
/** K=V from a map, each pair the baseline has not. */
const keyed = (flag: string, skip: (k: string) => boolean = () => false): Field => field([flag], (v, b, x) => {
  for (const [k, val] of added(v, b)) if (!skip(k)) x.flags.push(flag, `${k}=${String(val)}`);
  const gone = Object.keys(record(b)).filter((k) => !(k in record(v)) && !skip(k));
  if (gone.length > 0) x.warnings.push(`${flag} ${gone.join(', ')}: the image sets ${gone.length === 1 ? 'it' : 'them'}, this container has not, and a definition cannot remove ${gone.length === 1 ? 'it' : 'them'}`);
});
const bytes = (flag: string): Field => field([flag], (v, b, x) => {
  if (!same(v, b) && Number(v) > 0) x.flags.push(flag, String(v));
});
/** Read elsewhere (flags given), or not at all. */
const elsewhere = (...flags: string[]): Field => field(flags, () => {});

function capabilities(v: Json, b: Json, x: Context, flag: string, other: Json, baseOther: Json): void {
  if (x.c.HostConfig.Privileged === true) return;
  const name = (s: string) => s.replace(/^CAP_/i, '').toUpperCase();
  const mine = new Set(strings(v).map(name));
  const theirs = new Set(strings(b).map(name));
  // A default dropped by the baseline but not by the container was added back (and the other way round).
  const undone = strings(baseOther).map(name).filter((cap) => !strings(other).map(name).includes(cap));
  for (const cap of [...[...mine].filter((cap) => !theirs.has(cap)), ...undone]) x.flags.push(flag, cap);
}

const CONFIG: Readonly<Record<string, Field>> = {
  Env: field(['--env', '--unsetenv'], (v, b, x) => {
    const had = new Set(strings(b));
    const key = (e: string) => e.split('=')[0]!;
    // HOSTNAME is the container's own name, which podman sets.
    for (const e of strings(v)) if (!had.has(e) && key(e) !== 'HOSTNAME') x.flags.push('--env', e);
    const mine = new Set(strings(v).map(key));
    for (const e of strings(b)) if (!mine.has(key(e)) && key(e) !== 'HOSTNAME') x.flags.push('--unsetenv', key(e));
  }),
  Labels: keyed('--label'),
  // podman writes these from options read elsewhere (--init, --privileged, --rm, -P, -t).
  Annotations: keyed('--annotation', (k) => k.startsWith('io.podman.annotations.') || k === 'io.kubernetes.cri-o.TTY'),
  User: single('--user'),
  WorkingDir: single('--workdir'),
  StopSignal: single('--stop-signal', signalName),
  StopTimeout: single('--stop-timeout'),
  Timezone: single('--tz'),
  Umask: single('--umask'),
  Hostname: field(['--hostname'], (v, b, x) => {
    if (v !== x.c.Id.slice(0, 12) && !same(v, b)) x.flags.push('--hostname', String(v));
  }),
  Healthcheck: field(['--health-cmd', '--no-healthcheck', '--health-interval', '--health-timeout', '--health-retries', '--health-start-period'], (v, b, x) => {
    if (same(v, b)) return;
    const h = record(v);
    const test = strings(h.Test);
    if (test.length === 0 || test[0] === 'NONE') return void x.flags.push('--no-healthcheck');
    x.flags.push('--health-cmd', test[0] === 'CMD-SHELL' ? test.slice(1).join(' ') : JSON.stringify(test.slice(test[0] === 'CMD' ? 1 : 0)));
    if (h.Interval !== undefined && Number(h.Interval) !== 30e9) x.flags.push('--health-interval', Number(h.Interval) === 0 ? 'disable' : duration(h.Interval));
    if (h.Timeout !== undefined && Number(h.Timeout) !== 30e9 && Number(h.Timeout) !== 0) x.flags.push('--health-timeout', duration(h.Timeout));
    if (h.Retries !== undefined && Number(h.Retries) !== 3 && Number(h.Retries) !== 0) x.flags.push('--health-retries', String(h.Retries));
    if (Number(h.StartPeriod ?? 0) !== 0) x.flags.push('--health-start-period', duration(h.StartPeriod));
  }),
  HealthcheckOnFailureAction: single('--health-on-failure'),
  // Given to importRun, which drops them with a note: no terminal under systemd.
  Tty: bool('--tty'),
  OpenStdin: bool('--interactive'),
  Entrypoint: elsewhere('--entrypoint'),
  Cmd: elsewhere(),
  Image: elsewhere(),
};

const HOST_CONFIG: Readonly<Record<string, Field>> = {
  PortBindings: field(['--publish'], (v, b, x) => {
    for (const [port, binds] of added(v, b)) {
      const [number, proto] = port.split('/');
      for (const bind of Array.isArray(binds) ? binds.map(record) : []) {
        const ip = String(bind.HostIp ?? '');
        const host = String(bind.HostPort ?? '');
        const to = `${number}${proto && proto !== 'tcp' ? `/${proto}` : ''}`;
        x.flags.push('--publish', ip === '' && host === '' ? to : `${ip.includes(':') ? `[${ip}]` : ip}${ip ? ':' : ''}${host}:${to}`);
      }
    }
  }),
  PublishAllPorts: bool('--publish-all'),
  RestartPolicy: field(['--restart'], (v, b, x) => {
    const p = record(v);
    const name = String(p.Name ?? '');
    if (same(v, b) || name === '' || name === 'no') return;
    x.flags.push('--restart', name === 'on-failure' && Number(p.MaximumRetryCount) > 0 ? `${name}:${String(p.MaximumRetryCount)}` : name);
  }),
  CapAdd: field(['--cap-add'], (v, b, x) => capabilities(v, b, x, '--cap-add', x.c.HostConfig.CapDrop, x.base.HostConfig.CapDrop)),
  CapDrop: field(['--cap-drop'], (v, b, x) => capabilities(v, b, x, '--cap-drop', x.c.HostConfig.CapAdd, x.base.HostConfig.CapAdd)),
  Privileged: bool('--privileged'),
  ReadonlyRootfs: elsewhere('--read-only'),
  Init: bool('--init'),
  Tmpfs: field(['--tmpfs'], (v, b, x) => {
    for (const [dest, opts] of added(v, b)) {
      const asked = String(opts).split(',').filter((o) => o !== '' && !TMPFS_DEFAULTS.has(o));
      x.flags.push('--tmpfs', asked.length > 0 ? `${dest}:${asked.join(',')}` : dest);
    }
  }),
  NetworkMode: field(['--network'], (v, b, x) => {
    const nets = Object.entries(record(x.c.NetworkSettings?.Networks));
    const baseNets = Object.keys(record(x.base.NetworkSettings?.Networks));
    // The baseline of a container on the host's network is on it too (baselineArgs).
    if (v !== 'host' && same(v, b) && same(nets.map(([n]) => n).sort(), [...baseNets].sort())) return;
    if (v !== 'bridge' || nets.length === 0) {
      if (String(v).startsWith('container:')) x.warnings.push(`--network ${String(v)} names another container by its ID: write Network=NAME.container once it has a definition`);
      return void x.flags.push('--network', String(v));
    }
    for (const [net, settings] of nets) {
      const aliases = strings(record(settings).Aliases).filter((a) => a !== x.c.Id.slice(0, 12) && a !== x.c.Name);
      x.flags.push('--network', aliases.length > 0 ? `${net}:${aliases.map((a) => `alias=${a}`).join(',')}` : net);
    }
  }),
  Memory: bytes('--memory'),
  // podman makes the swap limit twice the memory limit unless told otherwise.
  MemorySwap: field(['--memory-swap'], (v, b, x) => {
    if (!same(v, b) && Number(v) > 0 && Number(v) !== 2 * Number(x.c.HostConfig.Memory)) x.flags.push('--memory-swap', String(v));
  }),
  MemoryReservation: bytes('--memory-reservation'),
  MemorySwappiness: field(['--memory-swappiness'], (v, b, x) => {
    if (!same(v, b) && Number(v) >= 0) x.flags.push('--memory-swappiness', String(v));
  }),
  NanoCpus: field(['--cpus'], (v, b, x) => {
    if (!same(v, b) && Number(v) > 0) x.flags.push('--cpus', String(Number(v) / 1e9));
  }),
  CpuShares: bytes('--cpu-shares'),
  // --cpus is a period and a quota to the kernel; podman shows both beside it.
  CpuPeriod: field(['--cpu-period'], (v, b, x) => Number(x.c.HostConfig.NanoCpus) > 0 || bytes('--cpu-period').read(v, b, x)),
  CpuQuota: field(['--cpu-quota'], (v, b, x) => Number(x.c.HostConfig.NanoCpus) > 0 || bytes('--cpu-quota').read(v, b, x)),
  CpuRealtimePeriod: bytes('--cpu-rt-period'),
  CpuRealtimeRuntime: bytes('--cpu-rt-runtime'),
  CpusetCpus: single('--cpuset-cpus'),
  CpusetMems: single('--cpuset-mems'),
  PidsLimit: single('--pids-limit'),
  BlkioWeight: bytes('--blkio-weight'),
  OomKillDisable: bool('--oom-kill-disable'),
  OomScoreAdj: single('--oom-score-adj'),
  ShmSize: single('--shm-size'),
  Ulimits: list('--ulimit', (u) => {
    const r = record(u);
    return `${String(r.Name).replace(/^RLIMIT_/, '').toLowerCase()}=${String(r.Soft)}:${String(r.Hard)}`;
  }),
  Devices: list('--device', (d) => {
    const r = record(d);
    return `${String(r.PathOnHost)}:${String(r.PathInContainer)}${r.CgroupPermissions ? `:${String(r.CgroupPermissions)}` : ''}`;
  }),
  Dns: list('--dns'),
  DnsSearch: list('--dns-search'),
  DnsOptions: list('--dns-option'),
  ExtraHosts: list('--add-host'),
  Sysctls: keyed('--sysctl'),
  SecurityOpt: list('--security-opt'),
  GroupAdd: list('--group-add'),
  LogConfig: field(['--log-driver', '--log-opt'], (v, b, x) => {
    const [log, baseLog] = [record(v), record(b)];
    if (!same(log.Type, baseLog.Type)) x.flags.push('--log-driver', String(log.Type));
    if (log.Tag && !same(log.Tag, baseLog.Tag)) x.flags.push('--log-opt', `tag=${String(log.Tag)}`);
    if (log.Size && !same(log.Size, baseLog.Size)) x.flags.push('--log-opt', `max-size=${String(log.Size)}`);
  }),
  IpcMode: single('--ipc'),
  PidMode: single('--pid'),
  UTSMode: single('--uts'),
  UsernsMode: single('--userns'),
  CgroupnsMode: single('--cgroupns'),
  CgroupParent: single('--cgroup-parent'),
  Runtime: elsewhere(),
  Binds: elsewhere('--volume', '--mount'),
};

/**
 * Fields that differ from one container to the next whatever its options (paths, IDs, its state), or that
 * berth's unit decides itself (cgroups, sd-notify, --rm): never compared.
 */
const PER_CONTAINER = new Set([
  'Config.CreateCommand', 'Config.sdNotifyMode', 'Config.sdNotifySocket', 'Config.Passwd', 'Config.Volumes', 'Config.Timeout',
  'Config.AttachStdin', 'Config.AttachStdout', 'Config.AttachStderr', 'Config.StdinOnce',
  'Config.Domainname', 'Config.OnBuild', 'Config.StartupHealthCheck', 'Config.ChrootDirs', 'Config.SystemdMode',
  'HostConfig.ContainerIDFile', 'HostConfig.AutoRemove', 'HostConfig.AutoRemoveImage', 'HostConfig.Cgroups', 'HostConfig.CgroupMode',
  'HostConfig.CgroupManager', 'HostConfig.Cgroup', 'HostConfig.ConsoleSize', 'HostConfig.VolumeDriver', 'HostConfig.Isolation',
  'HostConfig.Links', 'HostConfig.CpuCount', 'HostConfig.CpuPercent', 'HostConfig.DiskQuota', 'HostConfig.KernelMemory',
  'HostConfig.IOMaximumBandwidth', 'HostConfig.IOMaximumIOps', 'HostConfig.CgroupConf', 'HostConfig.VolumesFrom',
]);

/** The arguments of a `podman run` that makes the container again, with what could not be read back. */
export function runLineOf(c: InspectedContainer, base: InspectedContainer): RunLine {
  if (c.Pod) throw new UsageError(`${c.Name} is in a pod: import --container takes a container of its own (write the .pod and Pod= by hand)`);
  const x: Context = { c, base, flags: ['--name', c.Name], notes: [], warnings: [] };
  for (const [part, table] of [['Config', CONFIG], ['HostConfig', HOST_CONFIG]] as const) {
    const [mine, theirs] = [c[part], base[part]];
    for (const [name, { read }] of Object.entries(table)) read(mine[name], theirs[name], x);
    for (const name of Object.keys(mine)) {
      if (name in table || PER_CONTAINER.has(`${part}.${name}`) || same(mine[name], theirs[name])) continue;
      x.warnings.push(`${part}.${name} is ${JSON.stringify(mine[name])} (a new container has ${JSON.stringify(theirs[name] ?? null)}): berth import cannot read it back; add it by hand`);
    }
  }
  if (c.HostConfig.ReadonlyRootfs === true) x.flags.push('--read-only');
  for (const m of c.Mounts ?? []) mountFlags(m, base.Mounts ?? [], x.flags, x.notes, x.warnings);
  const image = c.Rootfs ? (x.flags.push('--rootfs'), c.Rootfs) : c.ImageName || c.Image;
  if (!image) throw new UsageError(`podman's inspect of ${c.Name} names no image`);
  const argv = [...x.flags, ...commandOf(c, base, x.warnings), image, ...argsOf(c, base)];
  return { argv, notes: x.notes, warnings: [...x.warnings, ...unread(c)] };
}

/**
 * The flags inspect shows as other flags (an env file as its variables), and those berth's unit decides
 * itself or that only matter while the container is created.
 */
const SHOWN = new Set([
  '--name', '--mount', '--tmpfs', '--env-file', '--env-host', '--env-merge', '--label-file', '--init-path',
  '--detach', '--tty', '--interactive', '--rm', '--replace', '--attach', '--detach-keys', '--sig-proxy', '--pull', '--quiet',
  '--cidfile', '--conmon-pidfile', '--pod-id-file', '--sdnotify', '--cgroups', '--authfile', '--tls-verify', '--creds',
  '--cert-dir', '--decryption-key', '--arch', '--os', '--platform', '--variant', '--disable-content-trust', '--rootfs',
]);
/**
 * The flags of the container's CreateCommand (when podman recorded one) that the command line read from
 * inspect lacks: podman does not show every setting (sysctls and --expose up to podman 4, for instance),
 * and what it does not show must not be lost silently.
 */
function unread(c: InspectedContainer): string[] {
  const words = strings(c.Config.CreateCommand);
  const verb = words.findIndex((w) => w === 'run' || w === 'create');
  if (verb < 0) return [];
  let theirs;
  try {
    theirs = parseArgv(RUN_FLAGS, words.slice(verb + 1)).options;
  } catch {
    return [];
  }
  // A field read above shows its flags only where this podman writes the field (podman 4.3 has no Sysctls).
  const present = (part: 'Config' | 'HostConfig', table: Readonly<Record<string, Field>>) => Object.entries(table).filter(([name]) => name in c[part]).flatMap(([, f]) => f.flags);
  const shown = new Set([...SHOWN, ...present('Config', CONFIG), ...present('HostConfig', HOST_CONFIG)]);
  const missing = theirs.filter((o) => !shown.has(o.flag) && !(RUN_FLAGS.flags.get(o.flag) === 'bool' && o.value === 'false'));
  return [...new Set(missing.map((o) => `${o.written} ${o.value}`))].map((w) => `the container was created with ${w}, which podman's inspect does not show: add it by hand if it matters`);
}

/** --entrypoint, when the container's is not the image's. */
function commandOf(c: InspectedContainer, base: InspectedContainer, warnings: string[]): string[] {
  const [ep, baseEp] = [entrypointOf(c), entrypointOf(base)];
  if (ep === undefined) {
    warnings.push(`the entrypoint "${String(c.Config.Entrypoint)}" cannot be split into words again: check Entrypoint=`);
    return ['--entrypoint', String(c.Config.Entrypoint)];
  }
  if (same(ep, baseEp)) return [];
  return ['--entrypoint', ep.length === 1 ? ep[0]! : ep.length === 0 ? '' : JSON.stringify(ep)];
}

/** The command after the image: the container's, unless it is the image's own and the entrypoint is too. */
function argsOf(c: InspectedContainer, base: InspectedContainer): string[] {
  const cmd = strings(c.Config.Cmd);
  return same(entrypointOf(c), entrypointOf(base)) && same(cmd, strings(base.Config.Cmd)) ? [] : cmd;
}

/**
 * The definition that makes the container again (its inspect, and that of a baseline made by baselineArgs),
 * with the caller's own sections after it.
 */
export function importInspected(c: InspectedContainer, base: InspectedContainer, more: Partial<Pick<ImportContext, 'notes' | 'sections'>> = {}): Imported {
  const line = runLineOf(c, base);
  const notes = [`Read from podman container inspect of ${c.Name} (${c.Id.slice(0, 12)}).`, ...(more.notes ?? []), ...line.notes];
  return importRun(line.argv, { notes, warnings: line.warnings, ...(more.sections ? { sections: more.sections } : {}) });
}
