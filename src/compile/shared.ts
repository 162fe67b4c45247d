/**
 * What several kinds of definition share: paths relative to the definition, references to other
 * definitions (x.volume, x.network, x.image …), each resolved to the podman object's name plus a dependency
 * on the service that creates it, and the user-mapping keys.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { quoteListWord } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { gate, supports, valueGate, type Gate } from './gates.js';
import { fail, type Job } from './job.js';
import type { TemplateValues } from './template.js';

/** Systemd specifiers start with % (but %% is a literal percent). */
const startsWithSpecifier = (p: string): boolean => p.startsWith('%') && !p.startsWith('%%');

/** Relative paths are relative to the definition's own folder. */
export function absolutePath(unit: UnitFile, p: string): string {
  if (startsWithSpecifier(p) || isAbsolute(p)) return p;
  return join(dirname(unit.path), p);
}

/** Makes the service require and start after the service of another definition; returns its info. */
export function dependOn(t: Job, e: Entry, ref: string, notFound = `${ref} is not defined on the search path`) {
  const info = t.ctx.units.get(ref);
  if (!info) throw t.unit.error(e, notFound);
  t.service.add('Unit', 'Requires', `${info.serviceName}.service`, e);
  t.service.add('Unit', 'After', `${info.serviceName}.service`, e);
  return info;
}

/** A volume or mount source: ./rel resolved, /abs wanted mounted first, x.volume resolved to its volume. */
export function storageSource(t: Job, e: Entry, source: string, allowImage: boolean): string {
  if (source === '') throw t.unit.error(e, 'source cannot be empty');
  const src = source.startsWith('.') ? absolutePath(t.unit, source) : source;
  if (src.startsWith('/')) {
    t.service.add('Unit', 'RequiresMountsFor', quoteListWord(src), e);
    return src;
  }
  if (src.endsWith('.volume') || (allowImage && src.endsWith('.image')) || src.endsWith('.artifact')) {
    const info = dependOn(t, e, src, `requested Quadlet source ${src} was not found`);
    return info.resourceName;
  }
  return src;
}

/** Image=x.image or x.build: the image that definition pulls or builds, after its service. */
export function imageSource(t: Job, e: Entry, image: string): string {
  if (!image.endsWith('.image') && !image.endsWith('.build')) return image;
  return dependOn(t, e, image, `requested Quadlet image ${image} was not found`).resourceName;
}

/** Network= lines: x.network resolves to its network, x.container to container:<name>. */
export function addNetworks(t: Job): ValueNeed[] {
  for (const e of t.unit.list(t.section, 'Network')) {
    let network = e.value;
    const colon = network.indexOf(':');
    const ref = colon < 0 ? network : network.slice(0, colon);
    const isNetwork = ref.endsWith('.network');
    const isContainer = ref.endsWith('.container');
    if (isNetwork || isContainer) {
      const info = dependOn(t, e, ref, `requested Quadlet unit ${ref} was not found`);
      if (!info.resourceName) throw t.unit.error(e, `cannot get the resource name of ${ref}`);
      if (isContainer) {
        if (colon >= 0) throw t.unit.error(e, "extra options are not supported when joining another container's network");
        network = `container:${info.resourceName}`;
      } else {
        network = colon < 0 ? info.resourceName : `${info.resourceName}${network.slice(colon)}`;
      }
    }
    t.cmd.add('--network', network);
  }
  // pasta (4.4) needs more than the --network flag itself.
  return t.unit.list(t.section, 'Network')
    .filter((e) => e.value === 'pasta' || e.value.startsWith('pasta:'))
    .map((entry) => ({ entry, gate: valueGate('run --network=pasta') }));
}

/** Volume= lines: [SOURCE:]DEST[:OPTIONS], the source resolved as storageSource does. */
export function addVolumes(t: Job): void {
  for (const e of t.unit.list(t.section, 'Volume')) {
    const parts = e.value.split(':');
    let source = parts.length >= 2 ? parts[0]! : '';
    const dest = parts.length >= 2 ? parts[1]! : parts[0]!;
    const options = parts.length >= 3 ? ':' + parts.slice(2).join(':') : '';
    if (source) source = storageSource(t, e, source, false);
    t.cmd.add('-v', source ? `${source}:${dest}${options}` : dest);
  }
}

/**
 * UserNS, UIDMap, GIDMap, SubUIDMap, SubGIDMap, and the deprecated Remap* keys; returns what the flags it
 * added need of the target podman beyond the flags themselves.
 */
export function userMappings(t: Job, supportManual: boolean): ValueNeed[] {
  const mark = t.cmd.args.length;
  addUserMappings(t, supportManual);
  return userMappingNeeds(t, t.cmd.args.slice(mark));
}

function addUserMappings(t: Job, supportManual: boolean): void {
  const { unit, cmd, section: S } = t;
  let defined = false;
  const userns = unit.get(S, 'UserNS');
  if (userns) {
    cmd.add('--userns', userns);
    defined = true;
  }
  for (const [key, flag] of [['UIDMap', '--uidmap'], ['GIDMap', '--gidmap']] as const) {
    for (const m of unit.strv(S, key)) {
      cmd.add(flag, m);
      defined = true;
    }
  }
  for (const [key, flag] of [['SubUIDMap', '--subuidname'], ['SubGIDMap', '--subgidname']] as const) {
    const v = unit.get(S, key);
    if (v) {
      cmd.add(flag, v);
      defined = true;
    }
  }
  const remap = unit.last(S, 'RemapUsers');
  const uidMaps = unit.strv(S, 'RemapUid');
  const gidMaps = unit.strv(S, 'RemapGid');
  if (defined) {
    if (remap || unit.has(S, 'RemapUid') || unit.has(S, 'RemapGid')) {
      throw fail(t, remap ?? unit.last(S, 'RemapUid') ?? unit.last(S, 'RemapGid'),
        'deprecated Remap keys are set along with explicit mapping keys');
    }
    return;
  }
  switch (remap?.value ?? '') {
    case '':
      if (uidMaps.length) throw fail(t, unit.last(S, 'RemapUid'), 'RemapUid= needs RemapUsers=');
      if (gidMaps.length) throw fail(t, unit.last(S, 'RemapGid'), 'RemapGid= needs RemapUsers=');
      return;
    case 'manual':
      if (!supportManual) throw fail(t, remap, 'RemapUsers=manual is not supported');
      for (const m of uidMaps) cmd.add('--uidmap', m);
      for (const m of gidMaps) cmd.add('--gidmap', m);
      return;
    case 'auto': {
      const opts = [...uidMaps.map((m) => `uidmapping=${m}`), ...gidMaps.map((m) => `gidmapping=${m}`)];
      const size = Number(unit.get(S, 'RemapUidSize') ?? 0);
      if (size > 0) opts.push(`size=${size}`);
      cmd.add('--userns', opts.length ? `auto:${opts.join(',')}` : 'auto');
      return;
    }
    case 'keep-id': {
      if (uidMaps.length > 1 || gidMaps.length > 1) throw fail(t, remap, 'RemapUsers=keep-id takes a single UID and a single GID mapping');
      const opts = [...uidMaps.map((m) => `uid=${m}`), ...gidMaps.map((m) => `gid=${m}`)];
      cmd.add('--userns', opts.length ? `keep-id:${opts.join(',')}` : 'keep-id');
      return;
    }
    default:
      throw fail(t, remap, `"${remap?.value}" is not a RemapUsers mode (manual, auto, keep-id)`);
  }
}

/** One word for /bin/sh: plain when it is only safe characters, else single-quoted (`%` too, for specifiers' backslashes). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A /bin/sh script that runs `create` only when `exists` fails: for podmans whose `create` lacks --ignore,
 * so that a service creating a volume or network still succeeds when it exists already.
 */
export function unlessExists(exists: readonly string[], create: readonly string[]): string {
  const sh = (argv: readonly string[]): string => argv.map(shellWord).join(' ');
  return `${sh(exists)} || exec ${sh(create)}`;
}

const IGNORE = { volume: gate('volume create --ignore'), network: gate('network create --ignore') };

/**
 * The values of a volume's or network's create line. Quadlet passes --ignore so that an existing object
 * counts as created; podman before 4.4 has no such flag and fails on an existing one: there the create
 * runs only when `exists` says it is missing.
 */
export function createValues(job: Job, noun: 'volume' | 'network', name: string): TemplateValues {
  if (supports(job.ctx.target, IGNORE[noun])) return { name, arguments: job.cmd.args, ignore: ['--ignore'], 'create-unless-exists': undefined };
  const create = [...job.podman, noun, 'create', ...job.cmd.args, name];
  return { name, arguments: job.cmd.args, ignore: undefined, 'create-unless-exists': unlessExists([...job.podman, noun, 'exists', name], create) };
}

/** What a value needs of podman beyond its flag (undefined: nothing), with the entry that asked for it. */
export interface ValueNeed {
  readonly entry: Entry;
  readonly gate: Gate | undefined;
}

/**
 * What the user-mapping flags that userMappings() added (`args`) need beyond the flags themselves: --userns
 * modes and their options, keep-id for root (4.5), `@`/flag syntax in --uidmap/--gidmap. The value parsers
 * are shared by run, pod create and kube play, so the needs are FLAG_SINCE's `run` entries.
 */
function userMappingNeeds(t: Job, args: readonly string[]): ValueNeed[] {
  const { unit, section } = t;
  const needs: ValueNeed[] = [];
  const at = (keys: readonly string[]): Entry | undefined => keys.map((k) => unit.last(section, k)).find((e) => e && e.value !== '');
  for (let i = 0; i + 1 < args.length; i++) {
    const [flag, value] = [args[i]!, args[i + 1]!];
    if (flag === '--userns') {
      const entry = at(['UserNS', 'RemapUsers']);
      if (!entry) continue;
      const colon = value.indexOf(':');
      const mode = colon < 0 ? value : value.slice(0, colon);
      const options = colon < 0 ? [] : value.slice(colon + 1).split(',').map((o) => o.split('=')[0]!);
      if (mode === 'auto' || mode === 'keep-id' || mode === 'nomap') needs.push({ entry, gate: valueGate(`run --userns=${mode}`) });
      if (mode === 'keep-id' && !t.ctx.user) needs.push({ entry, gate: valueGate('run --userns=keep-id (root)') });
      if (mode === 'auto' || mode === 'keep-id') for (const o of options) needs.push({ entry, gate: valueGate(`run --userns=${mode}:${o}`) });
    } else if ((flag === '--uidmap' || flag === '--gidmap') && /^[+ug]|@/.test(value)) {
      const entry = at(flag === '--uidmap' ? ['UIDMap', 'RemapUid'] : ['GIDMap', 'RemapGid']);
      if (entry) needs.push({ entry, gate: valueGate(`run ${flag} @`) });
    }
  }
  return needs;
}
