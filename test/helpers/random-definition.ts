/**
 * Seeded random Quadlet definitions for the differential tests (test/differential/random.test.ts): groups
 * of related files of every kind Podman 5.4.2 supports, with keys from shared/conformance/QUADLET-KEYS.md
 * whose "Since" is at most 5.4, and values that stress quoting and the unit-file syntax: spaces, quotes,
 * backslashes and C escapes (a few unknown ones), `%` specifiers and `%%`, `$VAR`, `$$`, `$&`, unicode,
 * empty assignments, repeated keys, continuation lines (with trailing blanks after the backslash and
 * comment lines inside), [Unit]/[Service]/[Install] and unknown sections, cross references, templates,
 * instances and drop-ins. Most definitions are valid; some are deliberately not.
 *
 * A batch is a pure function of (seed, batch index): `generateBatch(batchSeed(seed, i), i)`.
 */
import { prng } from './random-argv.js';


/** BERTH_DIFF_SEED replays a run; otherwise a fresh seed. */
export function diffSeedFromEnv(): number {
  const env = process.env['BERTH_DIFF_SEED'];
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return (Math.random() * 2 ** 32) >>> 0;
}

/** The seed of one batch, so a batch can be replayed alone (BERTH_DIFF_BATCH). */
export function batchSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export interface SourceFile {
  /** Path relative to the source folder (a drop-in: `NAME.container.d/10-x.conf`). */
  readonly path: string;
  readonly text: string;
  /** When set, the file is a symlink to this (relative) target instead. */
  readonly symlinkTo?: string;
}

export interface Batch {
  readonly index: number;
  readonly seed: number;
  readonly files: readonly SourceFile[];
  /** Number of definition files (drop-ins and symlinks not counted). */
  readonly definitions: number;
}

type Rnd = () => number;

class Gen {
  #names = 0;
  constructor(readonly rnd: Rnd) {}
  /**
   * A ServiceName= no other definition of the batch has: two definitions naming one unit is a case of its own
   * (Quadlet lets the later overwrite the earlier, berth refuses it), tested apart from the random runs.
   */
  serviceName(base: string): string {
    return `${base}${this.#names++}`;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
}

/* ------------------------------------------------------------------------------------------------------ */
/* Values                                                                                                  */

const PLAIN_WORDS = ['alpha', 'beta', 'web', 'data', 'x1', 'foo-bar', 'a.b', 'node_1', 'v2', '/srv/app', 'http://h:8080/p', 'k=v', 'UPPER'];
/** Pieces of a word that quoting and escaping must survive. */
const NASTY_PIECES = [
  '%%', '%n', '%N', '%i', '%t', '%h', '%p', '%%n', '$VAR', '$$', '$$HOME', '${X}', '$&', "$'", '$', '\\n', '\\t', '\\x41', '\\\\', '\\"', "\\'",
  '\\s', '\\101', '\\u00e9', 'é', '漢字', '😀', 'ß', '#', ';', '&', '|', '*', '?', '~', '!', ':', ',', '@', '+', '=', '(', ')', '<', '>', '`',
];
/** Unknown escapes: systemd keeps them (with a warning) in exec lines; Quadlet's splitter refuses them. */
const BAD_ESCAPES = ['\\d', '\\q', '\\z', '\\/'];
const UNICODE = ['é', 'ü', 'Ωmega', '日本', '🐳', 'naïve', 'ça'];

function plainWord(g: Gen): string {
  return g.pick(PLAIN_WORDS);
}

/** A word that may need quoting: built from plain and nasty pieces. */
function nastyWord(g: Gen, opts: { badEscapes?: boolean } = {}): string {
  const n = g.int(1, 3);
  let w = '';
  for (let i = 0; i < n; i++) {
    const r = g.rnd();
    if (r < 0.45) w += plainWord(g);
    else if (r < 0.9) w += g.pick(NASTY_PIECES);
    else if (r < 0.97 || !opts.badEscapes) w += g.pick(UNICODE);
    else w += g.pick(BAD_ESCAPES);
  }
  return w;
}

/** A word written for an exec-style (systemd-split) value: bare, double-quoted or single-quoted. */
function execWord(g: Gen, opts: { badEscapes?: boolean } = {}): string {
  const r = g.rnd();
  if (r < 0.45) return plainWord(g);
  if (r < 0.65) return nastyWord(g, opts).replace(/["' ]/g, '');
  const inner = [nastyWord(g, opts), nastyWord(g, opts)].join(g.pick([' ', '  ', '\\t']));
  if (r < 0.85) return `"${inner.replace(/(?<!\\)"/g, '\\"')}"`;
  if (r < 0.97) return `'${inner.replace(/(?<!\\)'/g, "\\'")}'`;
  // An empty quoted word.
  return g.pick(['""', "''"]);
}

function execLine(g: Gen, min = 1, max = 5, opts: { badEscapes?: boolean } = {}): string {
  const n = g.int(min, max);
  return Array.from({ length: n }, () => execWord(g, opts)).join(' ');
}

/** A free-form value (single string keys): anything, including quotes and specifiers. */
function freeValue(g: Gen): string {
  const r = g.rnd();
  if (r < 0.5) return plainWord(g);
  if (r < 0.8) return nastyWord(g);
  if (r < 0.9) return `"${nastyWord(g)} ${plainWord(g)}"`;
  return `${plainWord(g)} ${nastyWord(g)}`;
}

function kvValue(g: Gen): string {
  const names = ['FOO', 'BAR', 'A_B', 'LANG', 'com.example.label', 'k'];
  const n = g.int(1, 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = g.pick(names);
    const r = g.rnd();
    if (r < 0.4) parts.push(`${k}=${plainWord(g)}`);
    else if (r < 0.7) parts.push(`"${k}=${nastyWord(g).replace(/(?<!\\)"/g, '')} ${plainWord(g)}"`);
    else if (r < 0.8) parts.push(`'${k}=${plainWord(g)} ${plainWord(g)}'`);
    else if (r < 0.9) parts.push(`${k}=${nastyWord(g).replace(/["' ]/g, '')}`);
    else parts.push(`${k}=`);
  }
  return parts.join(' ');
}

function wordsValue(g: Gen, vocabulary: readonly string[]): string {
  const n = g.int(1, 3);
  return Array.from({ length: n }, () => g.pick(vocabulary)).join(g.pick([' ', '  ', '\t']));
}

const BOOLS = ['yes', 'no', 'true', 'false', '1', '0', 'on', 'off', 'True', 'YES', 'maybe'];
const DURATIONS = ['30s', '1m', '5', '2min 30s', '1h', '500ms'];

function portValue(g: Gen): string {
  return g.pick(['8080:80', '127.0.0.1:8443:443/tcp', '53:53/udp', '9000', '[::1]:80:80', '10000-10010:20000-20010']);
}

/* ------------------------------------------------------------------------------------------------------ */
/* A batch: related files                                                                                   */

interface Names {
  networks: string[];
  volumes: string[];
  images: string[];
  builds: string[];
  pods: string[];
  containers: string[];
}

type KeyGen = (g: Gen, n: Names) => string;

function ref(g: Gen, list: readonly string[], other: () => string): string {
  return list.length > 0 && g.chance(0.7) ? g.pick(list) : other();
}

const imageValue: KeyGen = (g, n) => {
  const r = g.rnd();
  if (r < 0.25 && n.images.length > 0) return g.pick(n.images);
  if (r < 0.4 && n.builds.length > 0) return g.pick(n.builds);
  if (r < 0.45) return 'missing.image';
  return g.pick(['docker.io/library/busybox:latest', 'quay.io/podman/hello', 'localhost/app:1.0', 'busybox', 'registry.example.com/ns/img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']);
};

const networkValue: KeyGen = (g, n) =>
  ref(g, n.networks, () => g.pick(['host', 'none', 'bridge', 'slirp4netns:port_handler=slirp4netns', 'pasta', 'missing.network', 'mynet:ip=10.89.0.5', 'container:other']));

const volumeValue: KeyGen = (g, n) => {
  const dst = g.pick(['/data', '/var/lib/x', '/srv', '/a b']);
  const opts = g.pick(['', ':ro', ':Z', ':rw,z', ':U']);
  const r = g.rnd();
  if (r < 0.35 && n.volumes.length > 0) return `${g.pick(n.volumes)}:${dst}${opts}`;
  if (r < 0.5) return `./rel-${g.int(0, 9)}:${dst}${opts}`;
  if (r < 0.7) return `/srv/host path ${g.int(0, 9)}:${dst}${opts}`.replace(/ /g, g.chance(0.5) ? '-' : ' ');
  if (r < 0.8) return `named-${g.int(0, 9)}:${dst}`;
  if (r < 0.85) return dst;
  if (r < 0.9) return `%h/data:${dst}`;
  return `missing.volume:${dst}`;
};

const mountValue: KeyGen = (g, n) => {
  const r = g.rnd();
  if (r < 0.3 && n.volumes.length > 0) return `type=volume,source=${g.pick(n.volumes)},destination=/m${g.int(0, 9)}`;
  if (r < 0.5) return `type=bind,source=/srv/m${g.int(0, 9)},destination=/m,ro=true`;
  if (r < 0.6) return `type=tmpfs,destination=/tmp${g.int(0, 9)},tmpfs-size=64m`;
  if (r < 0.7) return `destination=/x,type=bind,src=./local,relabel=private`;
  if (r < 0.8) return `"type=bind,source=/a b,destination=/c"`;
  if (r < 0.9 && n.images.length > 0) return `type=image,source=${g.pick(n.images)},destination=/img`;
  return `type=devpts,destination=/dev/pts`;
};

const podValue: KeyGen = (g, n) => (n.pods.length > 0 && g.chance(0.9) ? g.pick(n.pods) : 'missing.pod');

const CONTAINER_KEYS: Record<string, KeyGen> = {
  AddCapability: (g) => wordsValue(g, ['CAP_NET_ADMIN', 'cap_sys_time', 'NET_RAW', 'SYS_PTRACE']),
  AddDevice: (g) => g.pick(['/dev/fuse', '-/dev/maybe', '/dev/net/tun:/dev/net/tun:rwm', '/dev/dri']),
  AddHost: (g) => g.pick(['db:10.0.0.2', 'host.example:192.168.1.1', 'a b:1.2.3.4']),
  Annotation: kvValue,
  AutoUpdate: (g) => g.pick(['registry', 'local', 'bogus']),
  CgroupsMode: (g) => g.pick(['split', 'no-conmon', 'enabled', 'disabled']),
  ContainerName: (g) => g.pick(['web', 'my-%N', 'name with space', '%p_%i', 'c-$$x']),
  ContainersConfModule: (g) => g.pick(['/etc/containers/m.conf', '%h/mod.conf', 'rel.conf']),
  DNS: (g) => g.pick(['1.1.1.1', '8.8.8.8', 'none']),
  DNSOption: (g) => g.pick(['ndots:2', 'timeout:3']),
  DNSSearch: (g) => g.pick(['example.com', '.']),
  DropCapability: (g) => wordsValue(g, ['all', 'CAP_CHOWN', 'NET_RAW']),
  Entrypoint: (g) => g.pick(['/bin/sh', '["/bin/sh","-c"]', '', '/entry point']),
  Environment: kvValue,
  EnvironmentFile: (g) => g.pick(['/etc/app.env', './local.env', '%h/app.env', 'rel dir/x.env']),
  EnvironmentHost: (g) => g.pick(BOOLS),
  Exec: (g) => execLine(g, 1, 5, { badEscapes: true }),
  ExposeHostPort: (g) => g.pick(['80', '8000-8010', '53/udp', '443/tcp', 'http', '99999x']),
  GIDMap: (g) => g.pick(['0:1:1000', '0:100000:65536 1000:1:1']),
  GlobalArgs: (g) => g.pick(['--log-level=debug', '--log-level debug', '--root "/var/lib/my root"', '--events-backend=file --cgroup-manager=cgroupfs']),
  Group: (g) => g.pick(['100', 'users', '0']),
  GroupAdd: (g) => g.pick(['keep-groups', 'wheel', '10']),
  HealthCmd: (g) => g.pick(['curl -f http://localhost/ || exit 1', '"CMD-SHELL" "test -e /x"', 'none', `/bin/check ${nastyWord(g)}`]),
  HealthInterval: (g) => g.pick(DURATIONS),
  HealthLogDestination: (g) => g.pick(['local', 'events_logger', '/var/log/h']),
  HealthMaxLogCount: (g) => String(g.int(0, 10)),
  HealthMaxLogSize: (g) => String(g.int(0, 1000)),
  HealthOnFailure: (g) => g.pick(['none', 'kill', 'restart', 'stop']),
  HealthRetries: (g) => String(g.int(1, 5)),
  HealthStartPeriod: (g) => g.pick(DURATIONS),
  HealthStartupCmd: (g) => g.pick(['/bin/true', 'sh -c "exit 0"']),
  HealthStartupInterval: (g) => g.pick(DURATIONS),
  HealthStartupRetries: (g) => String(g.int(1, 5)),
  HealthStartupSuccess: (g) => String(g.int(1, 5)),
  HealthStartupTimeout: (g) => g.pick(DURATIONS),
  HealthTimeout: (g) => g.pick(DURATIONS),
  HostName: (g) => g.pick(['web', 'host.example.com', '%H']),
  IP: (g) => g.pick(['10.88.0.5', '192.168.10.2']),
  IP6: (g) => g.pick(['fd00::5', '2001:db8::1']),
  Label: kvValue,
  LogDriver: (g) => g.pick(['journald', 'k8s-file', 'none', 'passthrough']),
  LogOpt: (g) => wordsValue(g, ['path=/var/log/x', 'max-size=10m', 'tag=%N']),
  Mask: (g) => g.pick(['/proc/kcore', '/proc/a:/proc/b', '/sys/x /sys/y']),
  Mount: mountValue,
  Network: networkValue,
  NetworkAlias: (g) => g.pick(['web', 'api', 'a.b']),
  NoNewPrivileges: (g) => g.pick(BOOLS),
  Notify: (g) => g.pick(['true', 'false', 'healthy', 'yes', 'no']),
  PidsLimit: (g) => g.pick(['100', '-1', '0']),
  Pod: podValue,
  PodmanArgs: (g) => g.pick(['--cpus 2', '--memory=512m', '--env "X=a b"', `--label ${execWord(g)}`, '--privileged', '--tty', '-e A=1', '--network-alias=x']),
  PublishPort: portValue,
  Pull: (g) => g.pick(['always', 'missing', 'never', 'newer']),
  ReadOnly: (g) => g.pick(BOOLS),
  ReadOnlyTmpfs: (g) => g.pick(BOOLS),
  RunInit: (g) => g.pick(BOOLS),
  SeccompProfile: (g) => g.pick(['/etc/seccomp.json', 'unconfined', '']),
  Secret: (g) => g.pick(['mysecret', 'tok,type=env,target=TOKEN', 'a b']),
  SecurityLabelDisable: (g) => g.pick(BOOLS),
  SecurityLabelFileType: (g) => g.pick(['usr_t', 'container_file_t']),
  SecurityLabelLevel: (g) => g.pick(['s0:c1,c2', 's0']),
  SecurityLabelNested: (g) => g.pick(BOOLS),
  SecurityLabelType: (g) => g.pick(['spc_t', 'container_t']),
  ServiceName: (g) => g.serviceName(g.pick(['custom-svc', 'other@x', 'svc%i'])),
  ShmSize: (g) => g.pick(['64m', '1g']),
  StartWithPod: (g) => g.pick(BOOLS),
  StopSignal: (g) => g.pick(['SIGTERM', 'SIGINT', '9']),
  StopTimeout: (g) => g.pick(['10', '0', '60']),
  SubGIDMap: (g) => g.pick(['containers', 'me']),
  SubUIDMap: (g) => g.pick(['containers', 'me']),
  Sysctl: (g) => wordsValue(g, ['net.ipv4.ip_forward=1', 'net.core.somaxconn=1024', 'kernel.msgmax=65536']),
  Timezone: (g) => g.pick(['UTC', 'local', 'Europe/Berlin']),
  Tmpfs: (g) => g.pick(['/tmp', '/run:rw,size=64m', '/var/cache:mode=1777']),
  UIDMap: (g) => g.pick(['0:1:1000', '0:100000:65536']),
  Ulimit: (g) => g.pick(['nofile=1024:2048', 'nproc=512', 'host']),
  Unmask: (g) => g.pick(['ALL', '/proc/acpi', '/sys/a:/sys/b']),
  User: (g) => g.pick(['1000', 'nobody', 'app', '0']),
  UserNS: (g) => g.pick(['keep-id', 'auto', 'host', 'keep-id:uid=1000,gid=1000', 'auto:size=1000']),
  VolatileTmp: (g) => g.pick(BOOLS),
  Volume: volumeValue,
  WorkingDir: (g) => g.pick(['/app', '/srv/my app', '%h']),
  RemapUsers: (g) => g.pick(['auto', 'keep-id', 'manual']),
  RemapUid: (g) => g.pick(['0:1000:1', '1000']),
  RemapGid: (g) => g.pick(['0:1000:1', '1000']),
  RemapUidSize: (g) => g.pick(['1000', '65536']),
};
/** Container keys used rarely (exclusive or deprecated ones). */
const RARE_CONTAINER_KEYS = new Set(['RemapUsers', 'RemapUid', 'RemapGid', 'RemapUidSize', 'Group', 'Pod', 'ServiceName', 'Entrypoint', 'ExposeHostPort']);

const VOLUME_KEYS: Record<string, KeyGen> = {
  ContainersConfModule: CONTAINER_KEYS['ContainersConfModule']!,
  Copy: (g) => g.pick(BOOLS),
  Device: (g) => g.pick(['/dev/sdb1', 'tmpfs', '//server/share', '/srv/dev path']),
  Driver: (g) => g.pick(['local', 'image', 'other']),
  GlobalArgs: CONTAINER_KEYS['GlobalArgs']!,
  Group: (g) => g.pick(['100', 'users', '0']),
  Image: imageValue,
  Label: kvValue,
  Options: (g) => g.pick(['size=10m', 'uid=1000,gid=1000', 'nodev,noexec', 'a b']),
  PodmanArgs: (g) => g.pick(['--opt o=x', '--label a=b', '--ignore']),
  ServiceName: (g) => g.serviceName(g.pick(['volsvc', 'v%i'])),
  Type: (g) => g.pick(['tmpfs', 'bind', 'nfs', 'ext4']),
  User: (g) => g.pick(['1000', 'bin', '0']),
  VolumeName: (g) => g.pick(['myvol', 'vol with space', 'v-%i', 'v$$x']),
};

const NETWORK_KEYS: Record<string, KeyGen> = {
  ContainersConfModule: CONTAINER_KEYS['ContainersConfModule']!,
  DNS: (g) => g.pick(['1.1.1.1', '9.9.9.9']),
  DisableDNS: (g) => g.pick(BOOLS),
  Driver: (g) => g.pick(['bridge', 'macvlan', 'ipvlan']),
  Gateway: (g) => g.pick(['10.89.0.1', '192.168.77.1', 'fd00::1']),
  GlobalArgs: CONTAINER_KEYS['GlobalArgs']!,
  IPAMDriver: (g) => g.pick(['host-local', 'dhcp', 'none']),
  IPRange: (g) => g.pick(['10.89.0.128/25', '192.168.77.0/28']),
  IPv6: (g) => g.pick(BOOLS),
  Internal: (g) => g.pick(BOOLS),
  Label: kvValue,
  NetworkName: (g) => g.pick(['mynet', 'net with space', 'n-%i']),
  Options: (g) => g.pick(['isolate=true', 'mtu=1400', 'parent=eth0 mode=bridge']),
  PodmanArgs: (g) => g.pick(['--ipv6', '--opt mtu=1500', '--route 10.0.0.0/8,10.89.0.1']),
  ServiceName: (g) => g.serviceName(g.pick(['netsvc', 'n%i'])),
  Subnet: (g) => g.pick(['10.89.0.0/24', '192.168.77.0/24', 'fd00::/64']),
};

const KUBE_KEYS: Record<string, KeyGen> = {
  AutoUpdate: (g) => g.pick(['registry', 'local', 'ctr/registry', 'a/local b/registry']),
  ConfigMap: (g) => g.pick(['/etc/cm.yaml', './cm.yaml', 'rel dir/cm.yml']),
  ContainersConfModule: CONTAINER_KEYS['ContainersConfModule']!,
  ExitCodePropagation: (g) => g.pick(['all', 'any', 'none', 'bogus']),
  GlobalArgs: CONTAINER_KEYS['GlobalArgs']!,
  KubeDownForce: (g) => g.pick(BOOLS),
  LogDriver: CONTAINER_KEYS['LogDriver']!,
  LogOpt: CONTAINER_KEYS['LogOpt']!,
  Network: networkValue,
  PodmanArgs: (g) => g.pick(['--log-level=debug', '--annotation a=b', '--build']),
  PublishPort: portValue,
  ServiceName: (g) => g.serviceName(g.pick(['kubesvc'])),
  SetWorkingDirectory: (g) => g.pick(['yaml', 'unit', 'bogus']),
  UserNS: CONTAINER_KEYS['UserNS']!,
  Yaml: (g) => g.pick(['/etc/kube/app.yaml', './app.yaml', 'sub dir/app.yml', '%h/k.yaml']),
};

const IMAGE_KEYS: Record<string, KeyGen> = {
  AllTags: (g) => g.pick(BOOLS),
  Arch: (g) => g.pick(['amd64', 'arm64']),
  AuthFile: (g) => g.pick(['/etc/auth.json', '%h/auth.json']),
  CertDir: (g) => g.pick(['/etc/certs', '/cert dir']),
  ContainersConfModule: CONTAINER_KEYS['ContainersConfModule']!,
  Creds: (g) => g.pick(['user:pass', 'u:p$$w']),
  DecryptionKey: (g) => g.pick(['/k.pem', '/k.pem:pass']),
  GlobalArgs: CONTAINER_KEYS['GlobalArgs']!,
  Image: (g) => g.pick(['docker.io/library/alpine:3', 'quay.io/x/y', 'alpine', 'registry.example.com/ns/img:tag']),
  ImageTag: (g) => g.pick(['localhost/tagged:1', 'my/tag']),
  OS: (g) => g.pick(['linux', 'windows']),
  PodmanArgs: (g) => g.pick(['--quiet', '--platform linux/amd64']),
  ServiceName: (g) => g.serviceName(g.pick(['imgsvc'])),
  TLSVerify: (g) => g.pick(BOOLS),
  Variant: (g) => g.pick(['v8', 'v7']),
};

const BUILD_KEYS: Record<string, KeyGen> = {
  Annotation: kvValue,
  Arch: IMAGE_KEYS['Arch']!,
  AuthFile: IMAGE_KEYS['AuthFile']!,
  ContainersConfModule: CONTAINER_KEYS['ContainersConfModule']!,
  DNS: CONTAINER_KEYS['DNS']!,
  DNSOption: CONTAINER_KEYS['DNSOption']!,
  DNSSearch: CONTAINER_KEYS['DNSSearch']!,
  Environment: kvValue,
  File: (g) => g.pick(['/src/Containerfile', 'Containerfile', './sub/Dockerfile', 'https://example.com/Containerfile']),
  ForceRM: (g) => g.pick(BOOLS),
  GlobalArgs: CONTAINER_KEYS['GlobalArgs']!,
  GroupAdd: CONTAINER_KEYS['GroupAdd']!,
  ImageTag: (g) => g.pick(['localhost/built:1', 'my/built', 'localhost/built:%i']),
  Label: kvValue,
  Network: networkValue,
  PodmanArgs: (g) => g.pick(['--squash', '--layers=false', '--format docker']),
  Pull: (g) => g.pick(['always', 'missing', 'never', 'newer']),
  Secret: (g) => g.pick(['id=mysecret,src=/s', 'id=a']),
  ServiceName: (g) => g.serviceName(g.pick(['buildsvc'])),
  SetWorkingDirectory: (g) => g.pick(['unit', 'file', '/srv/ctx', 'https://github.com/x/y.git', 'github.com/x/y', '/srv/ctx.tar.gz']),
  TLSVerify: (g) => g.pick(BOOLS),
  Target: (g) => g.pick(['prod', 'build stage']),
  Variant: IMAGE_KEYS['Variant']!,
  Volume: volumeValue,
};

const POD_KEYS: Record<string, KeyGen> = {
  AddHost: CONTAINER_KEYS['AddHost']!,
  ContainersConfModule: CONTAINER_KEYS['ContainersConfModule']!,
  DNS: CONTAINER_KEYS['DNS']!,
  DNSOption: CONTAINER_KEYS['DNSOption']!,
  DNSSearch: CONTAINER_KEYS['DNSSearch']!,
  GIDMap: CONTAINER_KEYS['GIDMap']!,
  GlobalArgs: CONTAINER_KEYS['GlobalArgs']!,
  IP: CONTAINER_KEYS['IP']!,
  IP6: CONTAINER_KEYS['IP6']!,
  Network: networkValue,
  NetworkAlias: CONTAINER_KEYS['NetworkAlias']!,
  PodName: (g) => g.pick(['mypod', 'pod with space', 'p-%i']),
  PodmanArgs: (g) => g.pick(['--infra=false', '--share net', '--cpus=1']),
  PublishPort: portValue,
  ServiceName: (g) => g.serviceName(g.pick(['podsvc'])),
  ShmSize: CONTAINER_KEYS['ShmSize']!,
  SubGIDMap: CONTAINER_KEYS['SubGIDMap']!,
  SubUIDMap: CONTAINER_KEYS['SubUIDMap']!,
  UIDMap: CONTAINER_KEYS['UIDMap']!,
  UserNS: CONTAINER_KEYS['UserNS']!,
  Volume: volumeValue,
};

/** Keys that may repeat (one flag per line) or that an empty assignment clears. */
const LIST_KEYS = new Set([
  'AddCapability', 'AddDevice', 'AddHost', 'Annotation', 'DNS', 'DNSOption', 'DNSSearch', 'DropCapability', 'Environment', 'EnvironmentFile',
  'ExposeHostPort', 'GIDMap', 'GlobalArgs', 'GroupAdd', 'Label', 'LogOpt', 'Mask', 'Mount', 'NetworkAlias', 'PodmanArgs', 'PublishPort', 'Secret',
  'Sysctl', 'Tmpfs', 'UIDMap', 'Ulimit', 'Unmask', 'Volume', 'Network', 'Subnet', 'Gateway', 'IPRange', 'Options', 'ContainersConfModule',
  'Yaml', 'ConfigMap', 'AutoUpdate', 'ImageTag', 'Exec',
]);

/* ------------------------------------------------------------------------------------------------------ */
/* Writing lines                                                                                           */

/** `Key=value`, sometimes written over several lines with continuations (and comments inside). */
function assignment(g: Gen, key: string, value: string): string {
  const spaceAt = value.indexOf(' ', 1);
  if (spaceAt > 0 && g.chance(0.12)) {
    const a = value.slice(0, spaceAt);
    const b = value.slice(spaceAt + 1);
    const style = g.int(0, 4);
    if (style === 0) return `${key}=${a} \\\n  ${b}`;
    if (style === 1) return `${key}=${a}\\\n${b}`;
    if (style === 2) return `${key}=${a} \\\n# a comment inside the continuation\n; another\n  ${b}`;
    if (style === 3) return `${key}=${a} \\ \n${b}`; // blanks after the backslash
    return `${key}=${a} \\\n\t${b} \\\n# the continuation runs on into the next line`;
  }
  if (g.chance(0.03)) return `${key} = ${value}  `; // blanks around '=' and at the end
  return `${key}=${value}`;
}

function sectionLines(g: Gen, keys: Record<string, KeyGen>, names: Names, required: string[], count: number, rare = new Set<string>()): string[] {
  const lines: string[] = [];
  const all = Object.keys(keys).filter((k) => !required.includes(k));
  for (const k of required) lines.push(assignment(g, k, keys[k]!(g, names)));
  for (let i = 0; i < count; i++) {
    const k = g.pick(all);
    if (rare.has(k) && !g.chance(0.25)) continue;
    const repeat = LIST_KEYS.has(k) && g.chance(0.25) ? 2 : 1;
    for (let j = 0; j < repeat; j++) lines.push(assignment(g, k, keys[k]!(g, names)));
    if (LIST_KEYS.has(k) && g.chance(0.06)) {
      lines.push(`${k}=`); // clears the list so far
      lines.push(assignment(g, k, keys[k]!(g, names)));
    }
  }
  if (g.chance(0.1)) lines.splice(g.int(0, lines.length), 0, g.pick(['# comment', '; comment', '   # indented comment', '']));
  return lines;
}

function unitSection(g: Gen, names: Names, self: string): string[] {
  const lines = ['[Unit]'];
  if (g.chance(0.7)) lines.push(assignment(g, 'Description', g.pick(['My service', `Desc ${nastyWord(g)}`, 'Web "front" end', 'Ünïcode %n'])));
  const others = [...names.networks, ...names.volumes, ...names.containers, ...names.images, ...names.pods].filter((x) => x !== self);
  for (const key of ['After', 'Requires', 'Wants', 'Before', 'BindsTo']) {
    if (!g.chance(0.25)) continue;
    const vals: string[] = [];
    const n = g.int(1, 2);
    for (let i = 0; i < n; i++) vals.push(others.length > 0 && g.chance(0.5) ? g.pick(others) : g.pick(['network-online.target', 'local-fs.target', 'other.service', 'foo@bar.service', '%p-helper.service']));
    lines.push(assignment(g, key, vals.join(' ')));
  }
  if (g.chance(0.1)) lines.push('RequiresMountsFor=/srv/data "/mnt/with space"');
  if (g.chance(0.1)) lines.push('Documentation=man:podman(1) https://example.com');
  return lines.length > 1 ? lines : [];
}

function serviceSection(g: Gen, kind: string): string[] {
  const lines = ['[Service]'];
  if (g.chance(0.3)) lines.push(`Restart=${g.pick(['always', 'on-failure', 'no'])}`);
  if (g.chance(0.2)) lines.push(`TimeoutStartSec=${g.pick(['900', '5min', 'infinity'])}`);
  if (g.chance(0.15)) lines.push(assignment(g, 'Environment', kvValue(g)));
  if (g.chance(0.1)) lines.push(assignment(g, 'ExecStartPre', g.pick(['/bin/true', `-/usr/bin/mkdir -p "/srv/a b" %t/x`, `/bin/sh -c "echo $$HOME > /tmp/%n"`])));
  if (g.chance(0.08)) lines.push(assignment(g, 'ExecStartPost', `/bin/echo ${execLine(g, 1, 3)}`));
  if (g.chance(0.08)) lines.push(`Type=${g.pick(kind === 'container' || kind === 'kube' ? ['notify', 'oneshot', 'forking', 'simple'] : ['oneshot', 'simple', 'exec'])}`);
  if (g.chance(0.05)) lines.push(`KillMode=${g.pick(['mixed', 'control-group', 'process'])}`);
  if (g.chance(0.05)) lines.push(`RemainAfterExit=${g.pick(BOOLS)}`);
  if (g.chance(0.05)) lines.push(`SyslogIdentifier=${g.pick(['app', '%p'])}`);
  if (g.chance(0.05)) lines.push(`WorkingDirectory=${g.pick(['/srv', '%h'])}`);
  if (g.chance(0.04)) lines.push(`User=${g.pick(['app', '1000'])}`);
  return lines.length > 1 ? lines : [];
}

function installSection(g: Gen, template: boolean): string[] {
  if (!g.chance(0.45)) return [];
  const lines = ['[Install]'];
  lines.push(assignment(g, 'WantedBy', g.pick(['multi-user.target', 'default.target', 'multi-user.target default.target', 'graphical.target', 'foo/bar.target', 'other@x.service'])));
  if (g.chance(0.15)) lines.push(`RequiredBy=${g.pick(['x.target', 'a.service b.service'])}`);
  if (g.chance(0.12)) lines.push(`Alias=${g.pick(['alias-name.service', 'alias-%p.service', 'wrong-suffix.target'])}`);
  if (template && g.chance(0.6)) lines.push(`DefaultInstance=${g.pick(['one', 'inst2', 'a-b'])}`);
  return lines;
}

function extraSections(g: Gen): string[] {
  const lines: string[] = [];
  if (g.chance(0.1)) lines.push('', '[X-Foo]', `Bar=${freeValue(g)}`, 'Baz=1');
  if (g.chance(0.06)) lines.push('', '[Quadlet]', `DefaultDependencies=${g.pick(['false', 'no', 'true'])}`);
  if (g.chance(0.03)) lines.push('', '[Custom]', 'Key=value');
  return lines;
}

/** Deliberate mistakes (about one definition in ten). */
function breakIt(g: Gen, lines: string[], typeSection: string): void {
  const r = g.int(0, 8);
  const at = lines.indexOf(`[${typeSection}]`) + 1;
  if (r === 0) lines.splice(at, 0, 'UnknownKeyX=1');
  else if (r === 1) lines.splice(at, 0, 'this line has no equals sign');
  else if (r === 2) lines.splice(at, 0, '[Broken');
  else if (r === 3) lines.splice(at, 0, 'Exec=echo "unbalanced');
  else if (r === 4) lines.splice(at, 0, 'PodmanArgs=--x \\d');
  else if (r === 5) lines.splice(at, 0, 'ContainersConfModule=');
  else if (r === 6) lines.push('', '[Service]', 'Type=forking');
  else if (r === 7) lines.splice(at, 0, 'GlobalArgs="--a b');
  else lines.splice(at, 0, `${typeSection === 'Container' ? 'Image' : 'Label'}=`);
}

/* ------------------------------------------------------------------------------------------------------ */

function definition(g: Gen, kind: string, names: Names, self: string, template: boolean): string {
  const typeSection = kind[0]!.toUpperCase() + kind.slice(1);
  const lines: string[] = [];
  const unit = unitSection(g, names, self);
  const service = serviceSection(g, kind);
  const install = installSection(g, template);
  const put = (block: string[]) => {
    if (block.length === 0) return;
    if (lines.length > 0) lines.push('');
    lines.push(...block);
  };
  const order = g.rnd();
  if (order < 0.8) put(unit);
  const typed = [`[${typeSection}]`];
  switch (kind) {
    case 'container':
      if (g.chance(0.95)) typed.push(assignment(g, 'Image', imageValue(g, names)));
      else typed.push(assignment(g, 'Rootfs', g.pick(['/srv/rootfs', '/srv/rootfs:O'])));
      typed.push(...sectionLines(g, template ? withoutServiceName(CONTAINER_KEYS) : CONTAINER_KEYS, names, [], g.int(1, 9), RARE_CONTAINER_KEYS));
      break;
    case 'volume':
      typed.push(...sectionLines(g, VOLUME_KEYS, names, [], g.int(0, 4)));
      break;
    case 'network':
      typed.push(...sectionLines(g, NETWORK_KEYS, names, [], g.int(0, 4)));
      break;
    case 'kube':
      typed.push(...sectionLines(g, KUBE_KEYS, names, ['Yaml'], g.int(0, 4)));
      break;
    case 'image':
      typed.push(...sectionLines(g, IMAGE_KEYS, names, ['Image'], g.int(0, 4)));
      break;
    case 'build':
      typed.push(...sectionLines(g, BUILD_KEYS, names, ['ImageTag'], g.int(0, 4)));
      if (g.chance(0.8)) typed.push(assignment(g, 'SetWorkingDirectory', BUILD_KEYS['SetWorkingDirectory']!(g, names)));
      break;
    case 'pod':
      typed.push(...sectionLines(g, POD_KEYS, names, [], g.int(0, 4)));
      break;
  }
  put(typed);
  if (order >= 0.8) put(unit);
  put(service);
  put(install);
  lines.push(...extraSections(g));
  if (g.chance(0.08)) breakIt(g, lines, typeSection);
  // A blank line inside a continuation (Quadlet runs on past it, systemd stops): only in .kube files, which
  // nothing references, so that the difference stays with this definition.
  if (kind === 'kube' && g.chance(0.3)) lines.splice(1, 0, `Description=a \\`, '', `After=${g.pick(['x.service', 'network-online.target'])}`);
  let text = `${lines.join('\n')}\n`;
  if (g.chance(0.03)) text = `# leading comment\n${text}`;
  if (g.chance(0.02)) text = text.replace(/\n$/, ''); // no final newline
  return text;
}

/**
 * The keys without ServiceName=: a template's (or a drop-in's, which may serve several definitions) would give
 * its instances one unit name, the case of two definitions naming one unit, which is tested on its own.
 */
function withoutServiceName(keys: Record<string, KeyGen>): Record<string, KeyGen> {
  const { ServiceName: _, ...rest } = keys;
  return rest;
}

function dropin(g: Gen, kind: string, names: Names): string {
  const typeSection = kind[0]!.toUpperCase() + kind.slice(1);
  const keys = withoutServiceName({ container: CONTAINER_KEYS, volume: VOLUME_KEYS, network: NETWORK_KEYS, kube: KUBE_KEYS, image: IMAGE_KEYS, build: BUILD_KEYS, pod: POD_KEYS }[kind]!);
  const lines = [`[${typeSection}]`, ...sectionLines(g, keys, names, [], g.int(1, 3), RARE_CONTAINER_KEYS)];
  if (g.chance(0.3)) lines.push('', '[Service]', `Restart=${g.pick(['always', 'no'])}`);
  if (g.chance(0.2)) lines.push('', '[Unit]', `Description=from a drop-in ${nastyWord(g)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One batch: a few networks, volumes, images, builds and pods, some containers (sometimes a template with
 * instances) and sometimes a kube, with drop-ins; the containers reference the others.
 */
export function generateBatch(seed: number, index: number): Batch {
  const g = new Gen(prng(seed));
  const files: SourceFile[] = [];
  const tag = `b${index}`;
  const names: Names = { networks: [], volumes: [], images: [], builds: [], pods: [], containers: [] };
  const count = (k: string) => (g.chance(0.6) ? 1 : 0) + (k === 'network' && g.chance(0.2) ? 1 : 0);
  const base: Array<[string, keyof Names]> = [['network', 'networks'], ['volume', 'volumes'], ['image', 'images'], ['build', 'builds'], ['pod', 'pods']];
  for (const [kind, list] of base) {
    const n = kind === 'build' || kind === 'pod' ? (g.chance(0.35) ? 1 : 0) : count(kind);
    for (let i = 0; i < n; i++) names[list].push(`${tag}-${kind.slice(0, 3)}${i}.${kind}`);
  }
  const nContainers = g.int(1, 4);
  for (let i = 0; i < nContainers; i++) names.containers.push(`${tag}-c${i}.container`);
  let definitions = 0;
  for (const [kind, list] of base) {
    for (const name of names[list]) {
      files.push({ path: name, text: definition(g, kind, names, name, false) });
      definitions++;
      if (g.chance(0.08)) files.push({ path: `${name}.d/10-x.conf`, text: dropin(g, kind, names) });
    }
  }
  for (const name of names.containers) {
    files.push({ path: name, text: definition(g, 'container', names, name, false) });
    definitions++;
    if (g.chance(0.15)) files.push({ path: `${name}.d/${g.pick(['10-x.conf', '50-override.conf'])}`, text: dropin(g, 'container', names) });
    if (g.chance(0.05)) files.push({ path: `${name}.d/20-y.conf`, text: dropin(g, 'container', names) });
  }
  if (g.chance(0.05)) files.push({ path: `${tag}-.container.d/05-prefix.conf`, text: dropin(g, 'container', names) });
  if (g.chance(0.03)) files.push({ path: `container.d/01-all.conf`, text: dropin(g, 'container', names) });
  if (g.chance(0.25)) {
    const tpl = `${tag}-t@.container`;
    files.push({ path: tpl, text: definition(g, 'container', names, tpl, true) });
    definitions++;
    const instances = g.int(0, 2);
    for (let i = 0; i < instances; i++) {
      const inst = `${tag}-t@i${i}.container`;
      const r = g.rnd();
      if (r < 0.4) files.push({ path: inst, text: '', symlinkTo: tpl });
      else if (r < 0.7) files.push({ path: inst, text: '' });
      else files.push({ path: inst, text: definition(g, 'container', names, inst, false) });
      definitions++;
      if (g.chance(0.2)) files.push({ path: `${inst}.d/10-i.conf`, text: dropin(g, 'container', names) });
    }
    if (g.chance(0.3)) files.push({ path: `${tpl}.d/10-t.conf`, text: dropin(g, 'container', names) });
  }
  if (g.chance(0.12)) {
    const kube = `${tag}-k.kube`;
    files.push({ path: kube, text: definition(g, 'kube', names, kube, false) });
    definitions++;
  }
  if (g.chance(0.06)) {
    const tplVol = `${tag}-tv@.volume`;
    files.push({ path: tplVol, text: definition(g, 'volume', names, tplVol, true) });
    definitions++;
  }
  return { index, seed, files, definitions };
}
