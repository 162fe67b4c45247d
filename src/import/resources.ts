/**
 * `podman network create …` and `podman volume create …` → a .network or .volume definition, by
 * NETWORK_KEYS and VOLUME_KEYS (keys.ts). The one argument names the network or volume, and the file.
 */
import { NETWORK_KEYS } from '../compile/network-keys.js';
import { VOLUME_KEYS } from '../compile/volume-keys.js';
import { UsageError } from '../errors.js';
import { literalValue } from '../unit/quote.js';
import { parseArgv, type FlagSpec, type Option } from './argv.js';
import { NETWORK_CREATE_FLAGS, VOLUME_CREATE_FLAGS } from './create-flags.js';
import { definitionText, type Imported } from './definition.js';
import { importKeys, targetsOf, type Custom, type ImportSpec } from './keys.js';

/** The unit creates the resource unless it exists: podman's --ignore, or a check before it on older podmans. */
const DROPPED = new Map([['--ignore', 'the unit keeps an existing one itself']]);

/** What `podman NOUN create` becomes: its flags, and the import spec for the options given (volumes differ by driver). */
interface Resource {
  readonly noun: 'network' | 'volume';
  readonly section: 'Network' | 'Volume';
  readonly flags: FlagSpec;
  readonly spec: (options: readonly Option[]) => ImportSpec;
}

/**
 * Parsed options and the name → the definition, named after the network or volume. Also for callers that
 * make the options themselves (compose import), with notes of their own to add.
 */
function createDefinition(r: Resource, options: readonly Option[], name: string, more: Notes = NO_NOTES): Imported {
  const value = literalValue(name);
  if (value === undefined) throw new UsageError(`the ${r.noun} name "${name}" cannot be written as ${r.section}Name=`);
  const spec = r.spec(options);
  const { entries, podmanArgs, notes, warnings } = importKeys(spec, targetsOf(spec), options);
  return definitionText(r.noun, name, [[r.section, [[`${r.section}Name`, value], ...entries, ...podmanArgs]]], [...more.notes, ...notes], [...more.warnings, ...warnings]);
}

/** Notes and warnings a caller adds to a definition's own. */
export interface Notes {
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}
const NO_NOTES: Notes = { notes: [], warnings: [] };

function importCreate(r: Resource, argv: readonly string[]): Imported {
  const { options, positionals } = parseArgv(r.flags, argv);
  if (positionals.length !== 1) throw new UsageError(`podman ${r.noun} create needs one name for the definition, not ${positionals.length} words`);
  return createDefinition(r, options, positionals[0]!);
}

const NETWORK_SPEC: ImportSpec = {
  flags: NETWORK_CREATE_FLAGS,
  table: NETWORK_KEYS,
  // The compiler pairs the Nth Gateway= and IPRange= with the Nth Subnet=, as podman pairs the flags.
  custom: [
    { key: 'Subnet', flag: '--subnet', read: literalValue },
    { key: 'Gateway', flag: '--gateway', read: literalValue },
    { key: 'IPRange', flag: '--ip-range', read: literalValue },
  ],
  dropped: DROPPED,
};

const NETWORK: Resource = { noun: 'network', section: 'Network', flags: NETWORK_CREATE_FLAGS, spec: () => NETWORK_SPEC };
export const importNetworkCreate = (argv: readonly string[]): Imported => importCreate(NETWORK, argv);
/** `podman network create` options (long flags) and the network's name → its definition. */
export const networkDefinition = (options: readonly Option[], name: string, notes?: Notes): Imported => createDefinition(NETWORK, options, name, notes);

/** Image= may name a .image or .build definition: a plain image reference only. */
const imageRef = (v: string): string | undefined => (/\.(image|build)$/.test(v) ? undefined : literalValue(v));

/**
 * The volume's --opt keys depend on its driver: the image driver takes image= (Image=) and the compiler
 * ignores the mount keys then; any other takes device=, type= (only beside a device=), o= and copy/nocopy.
 */
function volumeSpec(options: readonly Option[]): ImportSpec {
  const opt = (prefix: string, key: string, read: Custom['read'] = literalValue): Custom => ({ key, flag: '--opt', prefix, read });
  const image = options.findLast((o) => o.flag === '--driver')?.value === 'image';
  const device = options.some((o) => o.flag === '--opt' && o.value.startsWith('device=') && literalValue(o.value.slice(7)) !== undefined);
  const mount = [
    opt('device=', 'Device'),
    ...(device ? [opt('type=', 'Type')] : []),
    opt('o=', 'Options'),
    opt('copy', 'Copy', (v) => (v === '' ? 'yes' : undefined)),
    opt('nocopy', 'Copy', (v) => (v === '' ? 'no' : undefined)),
  ];
  return {
    flags: VOLUME_CREATE_FLAGS,
    table: VOLUME_KEYS,
    custom: [{ key: 'Driver', flag: '--driver', read: literalValue }, ...(image ? [opt('image=', 'Image', imageRef)] : mount)],
    dropped: DROPPED,
  };
}

const VOLUME: Resource = { noun: 'volume', section: 'Volume', flags: VOLUME_CREATE_FLAGS, spec: volumeSpec };
export const importVolumeCreate = (argv: readonly string[]): Imported => importCreate(VOLUME, argv);
/** `podman volume create` options (long flags) and the volume's name → its definition. */
export const volumeDefinition = (options: readonly Option[], name: string, notes?: Notes): Imported => createDefinition(VOLUME, options, name, notes);
