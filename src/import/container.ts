/**
 * `podman run …` → a .container definition, by CONTAINER_KEYS (keys.ts); the keys compiled by custom code
 * are read back by CUSTOM below, and what systemd makes meaningless is dropped with a note.
 */
import { UsageError } from '../errors.js';
import { CONTAINER_KEYS } from '../compile/container-keys.js';
import { joinCsv, literalValue, quoteArgvLiteral, splitCsv } from '../unit/quote.js';
import { parseArgv, type Option } from './argv.js';
import { definitionText, type Entries, type Imported } from './definition.js';
import { argWord, importKeys, strvWord, targetsOf, yesNo, type Custom, type ImportedKeys, type ImportSpec } from './keys.js';
import { importRestart } from './restart.js';
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

/** Referring to another definition (x.volume …) or relative to the definition's folder: not a literal value. */
const isReference = (v: string): boolean => /\.(volume|network|container|image|build|artifact|pod)$/.test(v) || v.startsWith('.');

/** Custom keys a pod shares with a container (shared.ts handles both), read back. */
export const SHARED_CUSTOM: readonly Custom[] = [
  { key: 'Network', flag: '--network', read: (v) => (isReference(v.split(':')[0]!) ? undefined : literalValue(v)) },
  { key: 'UserNS', flag: '--userns', read: literalValue },
  { key: 'UIDMap', flag: '--uidmap', read: strvWord },
  { key: 'GIDMap', flag: '--gidmap', read: strvWord },
  { key: 'SubUIDMap', flag: '--subuidname', read: literalValue },
  { key: 'SubGIDMap', flag: '--subgidname', read: literalValue },
  { key: 'Volume', flag: '--volume', read: (v) => readVolume(v) },
];

/** The keys the compiler's custom handlers turn into flags, read back. */
const CUSTOM: readonly Custom[] = [
  ...SHARED_CUSTOM,
  { key: 'ContainerName', flag: '--name', read: literalValue },
  { key: 'CgroupsMode', flag: '--cgroups', read: literalValue },
  // An empty Entrypoint= is kept: it clears the image's entrypoint, as `--entrypoint ""` does.
  { key: 'Entrypoint', flag: '--entrypoint', read: (v) => (v === '' ? '' : literalValue(v)) },
  { key: 'Notify', flag: '--sdnotify', read: (v) => ({ container: 'yes', healthy: 'healthy', conmon: 'no' } as Record<string, string>)[v] },
  // A leading `-` makes AddDevice= optional.
  { key: 'AddDevice', flag: '--device', read: (v) => (v.startsWith('-') ? undefined : strvWord(v)) },
  { key: 'SeccompProfile', flag: '--security-opt', prefix: 'seccomp=', read: literalValue },
  { key: 'ReadOnly', flag: '--read-only', read: yesNo },
  { key: 'User', flag: '--user', read: literalValue },
  { key: 'ExposeHostPort', flag: '--expose', read: (v) => (/^\d+(-\d+)?(\/udp|\/tcp)?$/.test(v) ? v : undefined) },
  { key: 'EnvironmentFile', flag: '--env-file', read: (v) => (v.startsWith('/') ? argWord(v) : undefined) },
  { key: 'Mount', flag: '--mount', read: (v) => readMount(v) },
];

const SPEC: ImportSpec = { flags: RUN_FLAGS, table: CONTAINER_KEYS, custom: CUSTOM, dropped: DROPPED };
const TARGETS = targetsOf(SPEC);

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

/** A `podman run` line's [Container] entries, in the order the definition writes them, with its notes and warnings. */
export interface RunKeys extends ImportedKeys {
  /** Image= (or Rootfs=): first. */
  readonly image: readonly [string, string];
  /** Exec=, when there is a command: after the table's keys, before PodmanArgs=. */
  readonly exec: Entries;
}

/**
 * Parsed `podman run` options and positionals → the keys. Also for callers that make the options
 * themselves (compose import), whose `written` names where each came from.
 */
export function runKeys(options: readonly Option[], positionals: readonly string[]): RunKeys {
  // --rootfs makes the positional word a folder: it is Rootfs= instead of Image=, and no flag of its own.
  const rootfs = options.findLast((o) => o.flag === '--rootfs')?.value === 'true';
  const keys = importKeys(SPEC, TARGETS, options.filter((o) => o.flag !== '--rootfs'));
  const [image, ...command] = positionals;
  if (image === undefined) throw new UsageError('podman run needs an image');
  const source = literalValue(image);
  if (source === undefined || (!rootfs && /\.(image|build)$/.test(image))) throw new UsageError(`the image "${image}" cannot be written as Image=`);
  return { ...keys, image: [rootfs ? 'Rootfs' : 'Image', source], exec: command.length > 0 ? [['Exec', quoteArgvLiteral(command)]] : [] };
}

/** What a caller of importRun adds: notes on where the command line came from, and sections of berth's own. */
export interface ImportContext {
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly sections?: ReadonlyArray<readonly [string, Entries]>;
}

/** `podman run` arguments (after `run`) → the definition; --restart becomes the unit's Restart= (restart.ts). */
export function importRun(argv: readonly string[], from: ImportContext = { notes: [], warnings: [] }): Imported {
  const { options, positionals } = parseArgv(RUN_FLAGS, argv);
  const restart = options.findLast((o) => o.flag === '--restart');
  const r = restart && importRestart(`${restart.written} ${restart.value}`, restart.value);
  const { image, entries, exec, podmanArgs, keys, notes, warnings } = runKeys(options.filter((o) => o.flag !== '--restart'), positionals);
  const name = keys.get('ContainerName')?.[0] !== undefined ? options.findLast((o) => o.flag === '--name')!.value : positionals[0]!.replace(/[@:].*$/, '').split('/').pop()!;
  return definitionText(
    'container', name,
    [['Container', [image, ...entries, ...exec, ...podmanArgs]], ['Service', r?.restart ? [['Restart', r.restart]] : []], ...(from.sections ?? [])],
    [...from.notes, ...notes, ...(r ? [r.note] : [])], [...from.warnings, ...warnings, ...(r?.warning ? [r.warning] : [])],
  );
}
