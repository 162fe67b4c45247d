/**
 * `podman run …` → a .container definition. Flags whose Quadlet key berth's key table (CONTAINER_KEYS)
 * turns into that flag become the key, read back from the table's own rules; the keys compiled by custom
 * code are read back by CUSTOM below. What has no key, or a value its key cannot carry unchanged, is passed
 * on in PodmanArgs= with a note; what systemd makes meaningless is dropped with a note.
 */
import { UsageError } from '../errors.js';
import { CONTAINER_KEYS } from '../compile/container-keys.js';
import type { Rule } from '../compile/rules.js';
import { joinCsv, literalValue, quoteArgvLiteral, splitCsv } from '../unit/quote.js';
import { parseArgv, type Option } from './argv.js';
import { definitionText, type Imported } from './definition.js';
import { RUN_FLAGS } from './run-flags.js';

/** Flags for an interactive terminal or for podman's own detaching: berth's unit runs the container under systemd. */
const DROPPED = new Map([
  ['--detach', 'the unit runs it in the background'],
  ['--rm', 'the unit removes the container itself'],
  ['--replace', 'the unit replaces the container itself'],
  ['--tty', 'no terminal under systemd'],
  ['--interactive', 'no terminal under systemd'],
  ['--attach', 'no terminal under systemd'],
  ['--detach-keys', 'no terminal under systemd'],
  ['--sig-proxy', 'systemd signals the container'],
]);

/** A key's value as the definition writes it, or undefined when the key cannot carry this value. */
type Reader = (value: string) => string | undefined;

/** Yes/no from a parsed boolean. */
const yesNo: Reader = (v) => (v === 'true' ? 'yes' : 'no');
/** One word of a strv key (systemd's strv rules keep backslashes and group by quotes): only plain words. */
const strvWord: Reader = (v) => (/^[^\s"'\\]+$/u.test(v) ? literalValue(v) : undefined);
/** One word of an exec-style key: quoted, and every `%` and `$` literal. */
const argWord: Reader = (v) => quoteArgvLiteral([v]);

/** What a table rule reads back, by its kind; the flag's value is given without the rule's format prefix. */
const BY_RULE: Partial<Record<Rule['kind'], Reader>> = {
  string: literalValue,
  lines: literalValue,
  bool: yesNo,
  words: strvWord,
  args: argWord,
  keyval: argWord,
};

/** Referring to another definition (x.volume …) or relative to the definition's folder: not a literal value. */
const isReference = (v: string): boolean => /\.(volume|network|container|image|build|artifact|pod)$/.test(v) || v.startsWith('.');

/** The keys the compiler's custom handlers turn into flags, read back: flag, optional value prefix, reader. */
const CUSTOM: ReadonlyArray<{ key: string; flag: string; prefix?: string; read: Reader }> = [
  { key: 'ContainerName', flag: '--name', read: literalValue },
  { key: 'CgroupsMode', flag: '--cgroups', read: literalValue },
  // An empty Entrypoint= is kept: it clears the image's entrypoint, as `--entrypoint ""` does.
  { key: 'Entrypoint', flag: '--entrypoint', read: (v) => (v === '' ? '' : literalValue(v)) },
  { key: 'Network', flag: '--network', read: (v) => (isReference(v.split(':')[0]!) ? undefined : literalValue(v)) },
  { key: 'Notify', flag: '--sdnotify', read: (v) => ({ container: 'yes', healthy: 'healthy', conmon: 'no' } as Record<string, string>)[v] },
  // A leading `-` makes AddDevice= optional.
  { key: 'AddDevice', flag: '--device', read: (v) => (v.startsWith('-') ? undefined : strvWord(v)) },
  { key: 'SeccompProfile', flag: '--security-opt', prefix: 'seccomp=', read: literalValue },
  { key: 'ReadOnly', flag: '--read-only', read: yesNo },
  { key: 'User', flag: '--user', read: literalValue },
  { key: 'UserNS', flag: '--userns', read: literalValue },
  { key: 'UIDMap', flag: '--uidmap', read: strvWord },
  { key: 'GIDMap', flag: '--gidmap', read: strvWord },
  { key: 'SubUIDMap', flag: '--subuidname', read: literalValue },
  { key: 'SubGIDMap', flag: '--subgidname', read: literalValue },
  { key: 'Volume', flag: '--volume', read: (v) => readVolume(v) },
  { key: 'ExposeHostPort', flag: '--expose', read: (v) => (/^\d+(-\d+)?(\/udp|\/tcp)?$/.test(v) ? v : undefined) },
  { key: 'EnvironmentFile', flag: '--env-file', read: (v) => (v.startsWith('/') ? argWord(v) : undefined) },
  { key: 'Mount', flag: '--mount', read: (v) => readMount(v) },
];

/** -v [SOURCE:]DEST[:OPTIONS]: the source must be a path or a volume's name, as Volume= reads it. */
function readVolume(v: string): string | undefined {
  const parts = v.split(':');
  if (parts.length >= 2 && (parts[0] === '' || isReference(parts[0]!))) return undefined;
  return literalValue(v);
}

/** Mount types whose source Mount= resolves (container.ts resolveMount). */
const MOUNT_SOURCES = new Set(['volume', 'bind', 'glob', 'image', 'artifact']);

/** --mount CSV that Mount= passes on unchanged: type= first, and a source written `source=` that is no reference. */
function readMount(v: string): string | undefined {
  const fields = splitCsv(v);
  if (joinCsv(fields) !== v || !fields[0]!.startsWith('type=')) return undefined;
  if (MOUNT_SOURCES.has(fields[0]!.slice('type='.length))) {
    const sources = fields.filter((f) => /^(source|src)(=|$)/.test(f));
    if (sources.some((s) => !s.startsWith('source=') || s === 'source=' || isReference(s.slice('source='.length)))) return undefined;
  }
  return argWord(v);
}

interface Target {
  readonly key: string;
  /** The value must start with this; the key gets the rest (a rule's format, e.g. `label=type:`). */
  readonly prefix: string;
  /** For if-true rules: the whole value that means the key is true. */
  readonly exact?: string;
  readonly read: Reader;
  /** The key holds one value: a second occurrence of the flag goes to PodmanArgs=. */
  readonly single: boolean;
}

/** flag → the keys it can become, derived from the key table (and CUSTOM for custom keys). */
const TARGETS = ((): ReadonlyMap<string, readonly Target[]> => {
  const out = new Map<string, Target[]>();
  const add = (flag: string, t: Target): void => void out.set(flag, [...(out.get(flag) ?? []), t]);
  for (const [key, def] of Object.entries(CONTAINER_KEYS)) {
    const rule = def.rule;
    if (rule.kind === 'if-true') {
      const [flag, value] = rule.args.length === 1 ? rule.args[0]!.split('=') : rule.args;
      add(flag!, { key, prefix: '', exact: value!, read: () => 'yes', single: true });
    } else if ('flag' in rule) {
      const format = 'format' in rule ? rule.format : undefined;
      // Formats put the value last (label=type:%s); a prefix is what the flag's value must start with.
      if (format !== undefined && !format.endsWith('%s')) throw new Error(`${key}: format ${format} does not end in %s`);
      add(rule.flag, { key, prefix: format?.slice(0, -2) ?? '', read: BY_RULE[rule.kind]!, single: rule.kind === 'string' || rule.kind === 'bool' });
      if (rule.kind === 'lines' && rule.legacy) add(rule.legacy, { key, prefix: '', read: BY_RULE.lines!, single: false });
    }
  }
  for (const c of CUSTOM) {
    if (!['custom', 'none'].includes(CONTAINER_KEYS[c.key]?.rule.kind ?? '')) throw new Error(`import: ${c.key} is not a custom key of CONTAINER_KEYS`);
    add(c.flag, { key: c.key, prefix: c.prefix ?? '', read: c.read, single: c.prefix !== undefined || RUN_FLAGS.flags.get(c.flag) !== 'list' });
  }
  return out;
})();

/** The key an option becomes with its value as written, or undefined (PodmanArgs=). */
function asKey(o: Option, keys: ReadonlyMap<string, readonly string[]>): { key: string; value: string } | undefined {
  for (const t of TARGETS.get(o.flag) ?? []) {
    if (t.exact !== undefined ? o.value !== t.exact : !o.value.startsWith(t.prefix)) continue;
    const value = t.read(o.value.slice(t.prefix.length));
    return value === undefined || (t.single && keys.has(t.key)) ? undefined : { key: t.key, value };
  }
  return undefined;
}

/** `podman run` arguments (after `run`) → the definition. */
export function importRun(argv: readonly string[]): Imported {
  const { options, positionals } = parseArgv(RUN_FLAGS, argv);
  const notes: string[] = [];
  const warnings: string[] = [];
  const keys = new Map<string, string[]>();
  const podmanArgs: string[] = [];
  // Of a flag that holds one value only the last counts: podman reads the others and drops them.
  const lastOf = new Map<string, number>();
  options.forEach((o, i) => lastOf.set(o.flag, i));
  let rootfs = false;
  options.forEach((o, i) => {
    if (RUN_FLAGS.flags.get(o.flag) !== 'list' && lastOf.get(o.flag) !== i) return;
    const dropped = DROPPED.get(o.flag);
    if (dropped) return void notes.push(`${o.written} dropped: ${dropped}`);
    if (o.flag === '--rootfs') return void (rootfs = o.value === 'true');
    const k = asKey(o, keys);
    if (k) return void keys.set(k.key, [...(keys.get(k.key) ?? []), k.value]);
    podmanArgs.push(...(RUN_FLAGS.flags.get(o.flag) === 'bool' ? [o.value === 'true' ? o.flag : `${o.flag}=false`] : [o.flag, o.value]));
    const why = TARGETS.has(o.flag) ? 'this value has no Quadlet key that passes it on unchanged' : 'no Quadlet key';
    notes.push(`${o.written} passed on in PodmanArgs= (${why})`);
    warnings.push(`${o.written} has ${why === 'no Quadlet key' ? 'no Quadlet key' : 'a value no Quadlet key passes on unchanged'}: it goes into PodmanArgs=`);
  });
  const [image, ...command] = positionals;
  if (image === undefined) throw new UsageError('podman run needs an image');
  const source = literalValue(image);
  if (source === undefined || (!rootfs && /\.(image|build)$/.test(image))) throw new UsageError(`the image "${image}" cannot be written as Image=`);
  const name = keys.get('ContainerName')?.[0] !== undefined ? options.findLast((o) => o.flag === '--name')!.value : image.replace(/[@:].*$/, '').split('/').pop()!;
  const entries: Array<[string, string]> = [[rootfs ? 'Rootfs' : 'Image', source]];
  for (const key of Object.keys(CONTAINER_KEYS)) for (const v of keys.get(key) ?? []) entries.push([key, v]);
  if (command.length > 0) entries.push(['Exec', quoteArgvLiteral(command)]);
  if (podmanArgs.length > 0) entries.push(['PodmanArgs', quoteArgvLiteral(podmanArgs)]);
  return definitionText('container', name, 'Container', entries, notes, warnings);
}
