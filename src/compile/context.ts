/**
 * What one definition's compiler may know of the others: their service and resource names, so that a
 * .container naming web.network or data.volume gets the right podman name and unit dependency; and the
 * names berth gives podman objects.
 */
import { baseName, type Definition } from './definition.js';
import type { Version } from './version.js';

export interface UnitInfo {
  /** The generated service's name, without .service. */
  readonly serviceName: string;
  /** The podman object's name (container, volume, network, pod, image), unit specifiers resolved; '' for none. */
  readonly resourceName: string;
  /** For a pod: the definitions of the containers it starts (Pod= it, StartWithPod= not off, not templates). */
  readonly members: string[];
}

/** The host's cgroups as podman sees them (engine/cgroup-version.ts), for units run on this host. */
export interface HostCgroups {
  /** 'v1' on legacy and hybrid hosts (RHEL 8's default), 'v2' on unified ones. */
  readonly version: 'v1' | 'v2';
}

export interface CompileContext {
  /** The podman the units will run. */
  readonly target: Version;
  readonly user: boolean;
  /**
   * The uid whose user manager runs the units (user scope; undefined in system scope or when unknown). Only
   * root's own user manager (0) runs podman as root, which [Checkpoint] needs. Given by the edge (plan.ts),
   * so the core never asks the process who it is.
   */
  readonly uid?: number;
  /** The cgroups podman sees where the units will run; undefined when unknown (compiling for another host). */
  readonly cgroups?: HostCgroups | undefined;
  /** The podman binary written into ExecStart. */
  readonly podman: string;
  /** The berth command (argv prefix) written into berth's own units, e.g. ['/usr/bin/berth']. */
  readonly berth: readonly string[];
  /** Checks a systemd calendar expression: systemd's complaint, or undefined when valid. */
  readonly validateCalendar: (expr: string) => string | undefined;
  /** Every definition on the search path, by file name. */
  readonly units: ReadonlyMap<string, UnitInfo>;
  /** Whether a name is a definition's file name (x.container, y.network …), whether or not one exists. */
  readonly isDefinitionName: (name: string) => boolean;
  /** Definitions refused so far: a pod does not start members that will have no unit. */
  readonly refused: ReadonlySet<string>;
}

/** The container name before systemd expands it: ContainerName= or systemd-%N (systemd-%p_%i for templates). */
export function containerNameOf(def: Definition): string {
  const v = def.unit.get('Container', 'ContainerName');
  if (v) return v;
  return def.fileName.includes('@') ? 'systemd-%p_%i' : 'systemd-%N';
}

/** Default podman object name for volumes, networks and pods: systemd-<base>, -%i for templates. */
export function resourceNameOf(def: Definition, section: string, key: string): string {
  const v = def.unit.get(section, key);
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
