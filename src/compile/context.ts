/**
 * What one definition's compiler may know of the others: their service and resource names, so that a
 * .container naming web.network or data.volume gets the right podman name and unit dependency.
 */
import { KINDS, baseName, templateParts, type Definition } from '../model/definition.js';
import type { Version } from './version.js';

export interface UnitInfo {
  /** The generated service's name, without .service. */
  readonly serviceName: string;
  /** The podman object's name (container, volume, network, pod, image); '' when it needs specifiers. */
  readonly resourceName: string;
  /** For a pod: the definitions of the containers it starts (Pod= it, StartWithPod= not off, not templates). */
  readonly members: string[];
}

export interface CompileContext {
  /** The podman the units will run. */
  readonly target: Version;
  readonly user: boolean;
  /** The podman binary written into ExecStart. */
  readonly podman: string;
  /** The berth command (argv prefix) written into berth's own units, e.g. ['/usr/bin/berth']. */
  readonly berth: readonly string[];
  /** Checks a systemd calendar expression: systemd's complaint, or undefined when valid. */
  readonly validateCalendar: (expr: string) => string | undefined;
  /** Every definition on the search path, by file name. */
  readonly units: ReadonlyMap<string, UnitInfo>;
  /** Definitions refused so far: a pod does not start members that will have no unit. */
  readonly refused: ReadonlySet<string>;
}

export function serviceNameOf(def: Definition): string {
  const section = KINDS[def.kind].section;
  const explicit = def.unit.get(section, 'ServiceName');
  if (explicit) return explicit;
  let base = baseName(def.fileName);
  let suffix = KINDS[def.kind].serviceSuffix;
  if (base.endsWith('@')) {
    base = base.slice(0, -1);
    suffix += '@';
  }
  return base + suffix;
}

/** The container name before systemd expands it: ContainerName= or systemd-%N (systemd-%p_%i for templates). */
export function containerNameOf(def: Definition): string {
  const v = def.unit.get('Container', 'ContainerName');
  if (v) return v;
  return def.fileName.includes('@') ? 'systemd-%p_%i' : 'systemd-%N';
}

/** Default podman object name for volumes, networks and pods: systemd-<base>, -%i for templates. */
export function resourceNameOf(def: Definition, key: string): string {
  const v = def.unit.get(KINDS[def.kind].section, key);
  if (v) return v;
  const name = 'systemd-' + baseName(def.fileName);
  return def.fileName.includes('@') ? name.slice(0, name.length - 1) + '-%i' : name;
}

const UNIT_SPECIFIER = /%(.)/gs;

/**
 * Resolves the specifiers that name a unit (%n %N %p %P %i %I %j %J) as systemd would inside `unitName`,
 * so that another unit naming this one's podman object gets the same name and not its own. The others (%t,
 * %h, %u …) mean the same in every unit of one manager and stay for systemd; so do %i, %I (and %n, %N) of a
 * template, which only an instance knows.
 */
export function resolveUnitSpecifiers(text: string, unitName: string): string {
  if (!text.includes('%')) return text;
  const dot = unitName.lastIndexOf('.');
  const full = unitName.slice(0, dot);
  const at = full.indexOf('@');
  const prefix = at < 0 ? full : full.slice(0, at);
  const instance = at < 0 ? '' : full.slice(at + 1);
  const template = at >= 0 && instance === '';
  const dash = prefix.lastIndexOf('-');
  const values: Record<string, string> = { p: prefix, P: prefix, j: dash < 0 ? prefix : prefix.slice(dash + 1) };
  values['J'] = values['j']!;
  if (!template) Object.assign(values, { n: unitName, N: full, i: instance, I: instance });
  // A callback, not a replacement string: a value holding `$&` or `$$` must arrive as written.
  return text.replace(UNIT_SPECIFIER, (whole, c: string) => (c !== '%' && Object.hasOwn(values, c) ? values[c]! : whole));
}

/** podman's name for a container, with the unit-name specifiers resolved (others left, e.g. %H). */
export function resolvedContainerName(def: Definition, serviceName = serviceNameOf(def)): string {
  return resolveUnitSpecifiers(containerNameOf(def), `${serviceName}.service`);
}

function resolvedResourceName(def: Definition, serviceName: string): string {
  const unitName = `${serviceName}.service`;
  switch (def.kind) {
    case 'container':
      return resolvedContainerName(def, serviceName);
    case 'volume':
      return resolveUnitSpecifiers(resourceNameOf(def, 'VolumeName'), unitName);
    case 'network':
      return resolveUnitSpecifiers(resourceNameOf(def, 'NetworkName'), unitName);
    case 'pod':
      return resolveUnitSpecifiers(resourceNameOf(def, 'PodName'), unitName);
    case 'image':
      return def.unit.get('Image', 'ImageTag') || def.unit.get('Image', 'Image') || '';
    case 'build':
      return def.unit.list('Build', 'ImageTag')[0]?.value ?? '';
    case 'artifact':
      return def.unit.get('Artifact', 'Artifact') ?? '';
    default:
      return '';
  }
}

export function unitInfos(defs: readonly Definition[]): Map<string, UnitInfo> {
  const map = new Map<string, UnitInfo>();
  for (const def of defs) {
    const serviceName = serviceNameOf(def);
    map.set(def.fileName, { serviceName, resourceName: resolvedResourceName(def, serviceName), members: [] });
  }
  for (const def of defs) {
    const { isTemplate, instance } = templateParts(def.fileName);
    if (def.kind !== 'container' || (isTemplate && instance === '')) continue;
    const pod = map.get(def.unit.get('Container', 'Pod') ?? '');
    if (pod && (def.unit.bool('Container', 'StartWithPod') ?? true)) pod.members.push(def.fileName);
  }
  return map;
}
