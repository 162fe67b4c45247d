/**
 * `podman run` command lines for the import round trip (test/import/round-trip.test.ts): seeded random ones
 * built from podman's flag table (src/import/run-flags.ts), and what two command lines mean (of `run`, or
 * of any podman command by its flag table), so that the original and the command berth compiles from the
 * imported definition can be compared.
 */
import { parseArgv, type FlagSpec, type Option } from '../../src/import/argv.js';
import { RUN_FLAGS } from '../../src/import/run-flags.js';
import { randomWord } from './random-argv.js';

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const LONG = [...RUN_FLAGS.flags.keys()].filter((f) => f !== '--help');
const SHORT = new Map([...RUN_FLAGS.shorts].map(([s, l]) => [l, s]));
const ALIAS = new Map([...RUN_FLAGS.aliases].map(([a, l]) => [l, a]));

/** Values that look like what each flag takes, so that keys get them; anything else goes on as well. */
const TYPICAL: Readonly<Record<string, readonly string[]>> = {
  '--volume': ['/srv/a:/a', '/srv/b:/b:ro,Z', 'data:/data', '/c', './rel:/r', 'x.volume:/x', ':/empty'],
  '--mount': ['type=bind,source=/srv,destination=/s', 'type=tmpfs,destination=/t', 'type=volume,src=v,dst=/v', 'destination=/d,type=bind,source=/a', 'type=bind,source=./rel,target=/r'],
  '--publish': ['8080:80', '127.0.0.1:53:53/udp', '9000'],
  '--expose': ['80', '1000-1010/udp', '80/sctp'],
  '--env': ['A=1', 'B=two words', 'C', 'D=$HOME %n', 'A=again'],
  '--label': ['app=web', 'io.containers.autoupdate=registry', 'x="q"'],
  '--security-opt': ['no-new-privileges', 'label=disable', 'label=nested', 'label=type:svirt_t', 'label=level:s0', 'label=filetype:f_t', 'apparmor=unconfined', 'seccomp=/etc/s.json', 'mask=/proc/kcore', 'unmask=ALL', 'seccomp=unconfined'],
  '--network': ['host', 'bridge', 'net1:ip=10.0.0.2', 'x.network', 'pasta', 'other.container'],
  '--sdnotify': ['container', 'conmon', 'healthy', 'ignore'],
  '--cap-add': ['NET_ADMIN', 'sys_time', 'CAP_CHOWN,CAP_KILL'],
  '--cap-drop': ['ALL', 'net_raw'],
  '--device': ['/dev/fuse', '/dev/sda:/dev/xvda:rwm', '-/dev/x'],
  '--env-file': ['/etc/app.env', 'rel.env'],
  '--user': ['1000', 'mysql', '1000:1000'],
  '--userns': ['keep-id', 'auto', 'host', 'keep-id:uid=999,gid=999'],
  '--uidmap': ['0:30000:7000'],
  '--gidmap': ['0:30000:7000'],
  '--tmpfs': ['/tmp', '/run:rw,size=64m'],
  '--entrypoint': ['', '/bin/sh', '["/bin/sh","-c"]'],
  '--health-cmd': ['curl -f http://localhost/ || exit 1', 'none'],
  '--hostname': ['web', ''],
  '--restart': ['no', 'always', 'on-failure', 'on-failure:5', 'unless-stopped'],
};

/** Flags whose other values import refuses, as podman does. */
const CHECKED = new Set(['--restart']);

function value(rnd: Rnd, flag: string): string {
  const typical = TYPICAL[flag];
  if (typical && (rnd() < 0.6 || CHECKED.has(flag))) return pick(rnd, typical);
  return rnd() < 0.5 ? pick(rnd, ['x', 'web', '10', '/srv/p', 'a b', '%n', '$X', '"q"', 'k=v']) : randomWord(rnd, { maxArgs: 1 });
}

/** One option as a user might write it: `--flag value`, `--flag=value`, the short form, an alias. */
function option(rnd: Rnd, flag: string): string[] {
  const kind = RUN_FLAGS.flags.get(flag)!;
  const written = SHORT.has(flag) && rnd() < 0.5 ? SHORT.get(flag)! : ALIAS.has(flag) && rnd() < 0.5 ? ALIAS.get(flag)! : flag;
  if (kind === 'bool') return [rnd() < 0.7 ? written : `${written}=${pick(rnd, ['true', 'false', '1', '0', 'True', 'f'])}`];
  const v = value(rnd, flag);
  // `-pVALUE` only where pflag reads VALUE back: not empty, not starting with `=`.
  if (written.length === 2) return rnd() < 0.5 || v === '' || v.startsWith('=') ? [written, v] : [`${written}${v}`];
  return rnd() < 0.5 ? [written, v] : [`${written}=${v}`];
}

const IMAGES = ['nginx', 'docker.io/library/nginx:1.27', 'quay.io/x/y@sha256:0123', 'localhost/busybox:latest', 'fedora'];

/** A random `podman run` argv (after `run`): options, sometimes bundled short booleans and `--`, image and command. */
export function randomRunArgv(rnd: Rnd): string[] {
  const argv: string[] = [];
  const n = Math.floor(rnd() * 14);
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.08) argv.push(pick(rnd, ['-dt', '-it', '-ti', '-dit', '-itp8080:80', '-de', '-d=false']).replace(/-de$/, '-deA=1'));
    else argv.push(...option(rnd, pick(rnd, LONG.filter((f) => f !== '--rootfs'))));
  }
  if (rnd() < 0.2) argv.push('--');
  argv.push(pick(rnd, IMAGES));
  const command = Math.floor(rnd() * 4);
  for (let i = 0; i < command; i++) argv.push(rnd() < 0.5 ? pick(rnd, ['sh', '-c', 'echo $HOME', '--flag', '%n', '']) : randomWord(rnd));
  return argv;
}

/**
 * Flags berth's unit sets itself, or drops on import because systemd makes them meaningless; --restart
 * becomes the unit's Restart= (test/import/container.test.ts).
 */
const IGNORED = new Set(['--restart', '--cidfile', '--replace', '--rm', '--detach', '--sdnotify', '--cgroups', '--tty', '--interactive', '--attach', '--detach-keys', '--sig-proxy']);
/** K=V lists podman merges by key (a later K wins), in any order. */
const KEYED = new Set(['--env', '--label', '--annotation', '--opt']);
/** Capability names are case-insensitive (and CAP_ optional, which the key table does not touch). */
const CASELESS = new Set(['--cap-add', '--cap-drop']);

/**
 * What a podman argv (after the subcommand) means, as a sorted list of `flag value` lines and the positionals:
 * - spellings unified: `--flag=value` and `--flag value`, short flags and bundles, aliases (`--net`, `--dns-opt`),
 *   boolean values (`--init`, `--init=1` → `--init true`), all by podman's own parsing rules (src/import/argv.ts);
 * - a flag that holds one value: only the last occurrence; a list flag: every value, in any order (podman
 *   sorts mounts by destination and merges the rest); K=V lists (--env, --label, --annotation, --opt): the
 *   last value of each key; capability names in lower case;
 * - the options `ignore` picks left out (what berth's unit sets itself).
 */
export function argvMeaning(spec: FlagSpec, argv: readonly string[], ignore: (o: Option) => boolean): { options: string[]; positionals: string[] } {
  const { options, positionals } = parseArgv(spec, argv);
  const single = new Map<string, string>();
  const lists: string[] = [];
  const keyed = new Map<string, string>();
  for (const o of options) {
    if (ignore(o)) continue;
    const v = CASELESS.has(o.flag) ? o.value.toLowerCase() : o.value;
    if (KEYED.has(o.flag)) keyed.set(`${o.flag} ${v.split('=')[0]}`, `${o.flag} ${v}`);
    else if (spec.flags.get(o.flag) === 'list') lists.push(`${o.flag} ${v}`);
    else single.set(o.flag, `${o.flag} ${v}`);
  }
  return { options: [...single.values(), ...lists, ...keyed.values()].sort(), positionals: [...positionals] };
}

/**
 * What a `podman run` argv (after `run`) means (argvMeaning), without berth's fixed flags (--cidfile,
 * --replace, --rm, -d, --sdnotify, --cgroups), the terminal flags import drops (-t, -i, -a, --detach-keys,
 * --sig-proxy), `--rootfs=false` (the default) and, when `name` is false (the original names no container),
 * --name, which berth then sets itself.
 */
export function runMeaning(argv: readonly string[], name: boolean): { options: string[]; positionals: string[] } {
  return argvMeaning(RUN_FLAGS, argv, (o) => IGNORED.has(o.flag) || (o.flag === '--name' && !name) || (o.flag === '--rootfs' && o.value === 'false'));
}
