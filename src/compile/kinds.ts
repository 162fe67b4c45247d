/**
 * The one table of unit kinds: for each, the file extension (its key), the section of its own keys, the
 * key table and podman subcommand, its compiler, how its service and podman object are named, and when it
 * is compiled. Nothing else lists the kinds.
 */
import { ARTIFACT_KEYS } from './artifact-keys.js';
import { compileArtifact } from './artifact.js';
import { BUILD_KEYS } from './build-keys.js';
import { compileBuild } from './build.js';
import { CONTAINER_KEYS } from './container-keys.js';
import { compileContainer } from './container.js';
import { containerNameOf, resolveUnitSpecifiers, resourceNameOf, type UnitInfo } from './context.js';
import { baseName, isBareTemplate, type Definition } from './definition.js';
import { IMAGE_KEYS } from './image-keys.js';
import { compileImage } from './image.js';
import type { KindCompiler } from './job.js';
import type { KeyCheckSpec } from './key-checks.js';
import { KUBE_KEYS } from './kube-keys.js';
import { compileKube, requireKubeGate } from './kube.js';
import { NETWORK_KEYS } from './network-keys.js';
import { compileNetwork } from './network.js';
import { POD_KEYS } from './pod-keys.js';
import { compilePod } from './pod.js';
import { VOLUME_KEYS } from './volume-keys.js';
import { compileVolume } from './volume.js';

export interface KindSpec extends KeyCheckSpec {
  /** Appended to the file's base name to name its service (Quadlet's convention): web.volume → web-volume.service. */
  readonly serviceSuffix: string;
  readonly compile: KindCompiler;
  /** podman's name for what the unit creates, as other definitions refer to it ('' for none). */
  readonly resourceName: (def: Definition, serviceName: string) => string;
  /** Kinds are compiled in this order: pods after the containers that join them, to leave out refused ones. */
  readonly order: number;
}

/** podman's name for a volume, network or pod: its NAME= key or systemd-<base>, resolved for its own unit. */
const named = (section: string, key: string) => (def: Definition, serviceName: string): string =>
  resolveUnitSpecifiers(resourceNameOf(def, section, key), `${serviceName}.service`);

export const KINDS = {
  container: {
    section: 'Container', serviceSuffix: '', subcommand: 'run', keys: CONTAINER_KEYS, compile: compileContainer, order: 3,
    resourceName: (def, serviceName) => resolveUnitSpecifiers(containerNameOf(def), `${serviceName}.service`),
  },
  volume: { section: 'Volume', serviceSuffix: '-volume', subcommand: 'volume create', keys: VOLUME_KEYS, compile: compileVolume, order: 1, resourceName: named('Volume', 'VolumeName') },
  network: { section: 'Network', serviceSuffix: '-network', subcommand: 'network create', keys: NETWORK_KEYS, compile: compileNetwork, order: 1, resourceName: named('Network', 'NetworkName') },
  pod: { section: 'Pod', serviceSuffix: '-pod', subcommand: 'pod create', keys: POD_KEYS, compile: compilePod, order: 4, resourceName: named('Pod', 'PodName') },
  kube: { section: 'Kube', serviceSuffix: '', subcommand: 'kube play', keys: KUBE_KEYS, compile: compileKube, order: 3, resourceName: () => '', requireGate: requireKubeGate },
  image: {
    section: 'Image', serviceSuffix: '-image', subcommand: 'image pull', keys: IMAGE_KEYS, compile: compileImage, order: 2,
    resourceName: (def) => def.unit.get('Image', 'ImageTag') || def.unit.get('Image', 'Image') || '',
  },
  build: {
    section: 'Build', serviceSuffix: '-build', subcommand: 'build', keys: BUILD_KEYS, compile: compileBuild, order: 2,
    // Other definitions name the built image by its first tag.
    resourceName: (def) => def.unit.list('Build', 'ImageTag')[0]?.value ?? '',
  },
  artifact: {
    section: 'Artifact', serviceSuffix: '-artifact', subcommand: 'artifact pull', keys: ARTIFACT_KEYS, compile: compileArtifact, order: 2,
    resourceName: (def) => def.unit.get('Artifact', 'Artifact') ?? '',
  },
} as const satisfies Record<string, KindSpec>;

export type UnitKind = keyof typeof KINDS;

/** The kind a file name says (web.container → container), or undefined for any other file. */
export function kindOf(fileName: string): UnitKind | undefined {
  const dot = fileName.lastIndexOf('.');
  const ext = fileName.slice(dot + 1);
  return dot > 0 && Object.hasOwn(KINDS, ext) ? (ext as UnitKind) : undefined;
}

export function kindSpec(def: Definition): KindSpec {
  const kind = kindOf(def.fileName);
  if (kind === undefined || kind !== def.kind) throw new Error(`${def.fileName} is not a definition of kind ${def.kind}`);
  return KINDS[kind];
}

/** The service's name without .service: ServiceName=, or the base name with the kind's suffix (before any @). */
export function serviceNameOf(def: Definition): string {
  const explicit = def.unit.get(kindSpec(def).section, 'ServiceName');
  return explicit || fileServiceName(def.fileName, def.kind as UnitKind);
}

/** The service's name a file's name gives (ServiceName= aside): web.volume → web-volume, web@.volume → web-volume@. */
export function fileServiceName(fileName: string, kind: UnitKind): string {
  const suffix = KINDS[kind].serviceSuffix;
  const base = baseName(fileName);
  return base.endsWith('@') ? `${base.slice(0, -1)}${suffix}@` : base + suffix;
}

/** podman's name for a container, unit-name specifiers resolved (others, such as %H, left). */
export function resolvedContainerName(def: Definition, serviceName = serviceNameOf(def)): string {
  return KINDS.container.resourceName(def, serviceName);
}

/** What each definition's compiler may know of the others, by file name. */
export function unitInfos(defs: readonly Definition[]): Map<string, UnitInfo> {
  const map = new Map<string, UnitInfo>();
  for (const def of defs) {
    const serviceName = serviceNameOf(def);
    map.set(def.fileName, { serviceName, resourceName: kindSpec(def).resourceName(def, serviceName), members: [] });
  }
  for (const def of defs) {
    if (def.kind !== 'container' || isBareTemplate(def.fileName)) continue;
    const pod = map.get(def.unit.get('Container', 'Pod') ?? '');
    if (pod && (def.unit.bool('Container', 'StartWithPod') ?? true)) pod.members.push(def.fileName);
  }
  return map;
}
