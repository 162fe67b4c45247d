/**
 * What one definition's compiler may know of the others: their service and resource names, so that a
 * .container naming web.network or data.volume gets the right podman name and unit dependency.
 */
import { KINDS, baseName, type Definition } from '../model/definition.js';
import type { Version } from './version.js';

export interface UnitInfo {
  /** The generated service's name, without .service. */
  readonly serviceName: string;
  /** The podman object's name (container, volume, network, pod, image); '' when it needs specifiers. */
  readonly resourceName: string;
  /** Services of containers that a pod starts (filled in while compiling). */
  readonly containersToStart: string[];
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

function resolvedResourceName(def: Definition, serviceName: string): string {
  switch (def.kind) {
    case 'container': {
      // Only %N can be resolved here; other specifiers need systemd.
      const name = containerNameOf(def).replaceAll('%N', serviceName);
      return name.includes('%') ? '' : name;
    }
    case 'volume':
      return resourceNameOf(def, 'VolumeName');
    case 'network':
      return resourceNameOf(def, 'NetworkName');
    case 'pod':
      return resourceNameOf(def, 'PodName');
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
    map.set(def.fileName, { serviceName, resourceName: resolvedResourceName(def, serviceName), containersToStart: [] });
  }
  return map;
}
