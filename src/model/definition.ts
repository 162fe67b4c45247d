/** A definition: one Quadlet-language file (with its drop-ins merged), and what its name says. */
import type { UnitFile } from '../unit/unit-file.js';

export type UnitKind = 'container' | 'volume' | 'network' | 'pod' | 'kube' | 'image' | 'build' | 'artifact';

interface KindInfo {
  /** The section that holds the kind's own keys. */
  readonly section: string;
  /** Appended to the file's base name to name its service (Quadlet's convention). */
  readonly serviceSuffix: string;
}

export const KINDS: Readonly<Record<UnitKind, KindInfo>> = {
  container: { section: 'Container', serviceSuffix: '' },
  volume: { section: 'Volume', serviceSuffix: '-volume' },
  network: { section: 'Network', serviceSuffix: '-network' },
  pod: { section: 'Pod', serviceSuffix: '-pod' },
  kube: { section: 'Kube', serviceSuffix: '' },
  image: { section: 'Image', serviceSuffix: '-image' },
  build: { section: 'Build', serviceSuffix: '-build' },
  artifact: { section: 'Artifact', serviceSuffix: '-artifact' },
};

export function kindOf(fileName: string): UnitKind | undefined {
  const ext = fileName.slice(fileName.lastIndexOf('.') + 1);
  return Object.hasOwn(KINDS, ext) && fileName.lastIndexOf('.') > 0 ? (ext as UnitKind) : undefined;
}

export interface Definition {
  /** The file's name, e.g. web.container; unique across the search path. */
  readonly fileName: string;
  readonly kind: UnitKind;
  /** The definition with its drop-ins merged; path is the main file's. */
  readonly unit: UnitFile;
}

export interface TemplateParts {
  /** The name without extension and instance: foo for foo@bar.container. */
  readonly prefix: string;
  /** The instance, '' for a template itself (foo@.container). */
  readonly instance: string;
  readonly isTemplate: boolean;
}

export function templateParts(fileName: string): TemplateParts {
  const base = fileName.slice(0, fileName.lastIndexOf('.'));
  const at = base.indexOf('@');
  if (at < 0) return { prefix: base, instance: '', isTemplate: false };
  return { prefix: base.slice(0, at), instance: base.slice(at + 1), isTemplate: true };
}

export function baseName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}
