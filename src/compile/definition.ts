/** A definition: one Quadlet-language file (with its drop-ins merged), and what its name says. */
import type { UnitFile } from '../unit/unit-file.js';

export interface Definition {
  /** The file's name, e.g. web.container; unique across the search path. */
  readonly fileName: string;
  /** Its kind, a key of KINDS (kinds.ts): the file name's extension. */
  readonly kind: string;
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
  const base = baseName(fileName);
  const at = base.indexOf('@');
  if (at < 0) return { prefix: base, instance: '', isTemplate: false };
  return { prefix: base.slice(0, at), instance: base.slice(at + 1), isTemplate: true };
}

/** A template without an instance (foo@.container): only its instances are units. */
export function isBareTemplate(fileName: string): boolean {
  const { isTemplate, instance } = templateParts(fileName);
  return isTemplate && instance === '';
}

export function baseName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}
