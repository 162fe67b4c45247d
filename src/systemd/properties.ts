/**
 * systemd's D-Bus names and the decoding of its property values (dbus-next gives Variants, BigInt for
 * 64-bit numbers) into plain values: timestamps in µs since the epoch become Dates (0 and "infinity" are
 * "never"), numbers become numbers.
 */

export const SYSTEMD_NAME = 'org.freedesktop.systemd1';
export const SYSTEMD_PATH = '/org/freedesktop/systemd1';
export const MANAGER_IFACE = 'org.freedesktop.systemd1.Manager';
export const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
export const SERVICE_IFACE = 'org.freedesktop.systemd1.Service';
export const TIMER_IFACE = 'org.freedesktop.systemd1.Timer';
export const UNIT_PATH_PREFIX = '/org/freedesktop/systemd1/unit/';

export const USEC_INFINITY = 0xffff_ffff_ffff_ffffn;

/** The object path systemd gives a unit (bus_label_escape: every byte but [A-Za-z] and non-leading digits as _xx). */
export function unitObjectPath(unit: string): string {
  if (unit === '') return UNIT_PATH_PREFIX + '_';
  let out = '';
  const bytes = Buffer.from(unit, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    const digit = c >= 0x30 && c <= 0x39;
    out += alpha || (digit && i > 0) ? String.fromCharCode(c) : '_' + c.toString(16).padStart(2, '0');
  }
  return UNIT_PATH_PREFIX + out;
}

/** The inverse of unitObjectPath, or undefined for a path outside systemd's unit namespace. */
export function unitNameOfPath(path: string): string | undefined {
  if (!path.startsWith(UNIT_PATH_PREFIX)) return undefined;
  const label = path.slice(UNIT_PATH_PREFIX.length);
  if (label === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < label.length; i++) {
    if (label[i] === '_' && /^[0-9a-f]{2}$/.test(label.slice(i + 1, i + 3))) {
      bytes.push(parseInt(label.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(label.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A Variant's value (or the value itself when it is not a Variant). */
export function unwrap(v: unknown): unknown {
  return v !== null && typeof v === 'object' && 'signature' in v && 'value' in v ? (v as { value: unknown }).value : v;
}

/** µs since the epoch → Date; 0 and infinity (never, not scheduled) → null. */
export function usecToDate(v: unknown): Date | null {
  const raw = unwrap(v);
  if (raw === undefined || raw === null) return null;
  const us = typeof raw === 'bigint' ? raw : BigInt(Math.trunc(Number(raw)));
  if (us === 0n || us === USEC_INFINITY) return null;
  return new Date(Number(us / 1000n));
}

export function toNumber(v: unknown): number {
  const raw = unwrap(v);
  if (typeof raw === 'bigint') return Number(raw);
  return typeof raw === 'number' ? raw : 0;
}

export function toStr(v: unknown): string {
  const raw = unwrap(v);
  return typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
}

/** One row of ListUnits*: a(ssssssouso). */
export interface UnitListEntry {
  readonly name: string;
  readonly description: string;
  /** loaded, not-found, bad-setting, error, masked, merged, stub */
  readonly loadState: string;
  /** active, reloading, inactive, failed, activating, deactivating, maintenance */
  readonly activeState: string;
  readonly subState: string;
  readonly following: string;
  readonly path: string;
  readonly jobId: number;
  readonly jobType: string;
  readonly jobPath: string;
}

export function decodeUnitList(rows: unknown): UnitListEntry[] {
  return (rows as unknown[][]).map((r) => ({
    name: toStr(r[0]),
    description: toStr(r[1]),
    loadState: toStr(r[2]),
    activeState: toStr(r[3]),
    subState: toStr(r[4]),
    following: toStr(r[5]),
    path: toStr(r[6]),
    jobId: toNumber(r[7]),
    jobType: toStr(r[8]),
    jobPath: toStr(r[9]),
  }));
}

/** The Unit-interface timestamp that says since when a unit is in its active state (as systemctl status shows it). */
export function sinceProperty(activeState: string): string {
  switch (activeState) {
    case 'active':
    case 'reloading':
      return 'ActiveEnterTimestamp';
    case 'inactive':
    case 'failed':
      return 'InactiveEnterTimestamp';
    case 'activating':
      return 'InactiveExitTimestamp';
    case 'deactivating':
      return 'ActiveExitTimestamp';
    default:
      return 'StateChangeTimestamp';
  }
}

/**
 * Which properties to read for a service in a given active state. systemd handles one message at a time,
 * so each Get counts: a dead service has no main PID, and its Result is "success" unless it failed (a
 * start resets it, and so does reset-failed), so those are read only where they can say something else.
 */
export function servicePropertyPlan(activeState: string): { unit: string[]; service: string[] } {
  const unit = [sinceProperty(activeState)];
  switch (activeState) {
    case 'active':
    case 'reloading':
      return { unit, service: ['MainPID', 'NRestarts'] };
    case 'inactive':
      return { unit, service: ['NRestarts'] };
    case 'failed':
      return { unit, service: ['NRestarts', 'Result'] };
    default:
      return { unit, service: ['MainPID', 'NRestarts', 'Result'] };
  }
}

export const TIMER_PROPERTIES = ['NextElapseUSecRealtime', 'LastTriggerUSec'] as const;

export interface ServiceStatus {
  readonly unit: string;
  readonly path: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
  /** success, exit-code, signal, core-dump, timeout, … ('' when systemd does not know the unit) */
  readonly result: string;
  readonly mainPid: number;
  readonly restarts: number;
  /** Since when the unit is in its active state; null if never. */
  readonly since: Date | null;
}

export interface TimerStatus {
  readonly unit: string;
  readonly path: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
  readonly nextElapse: Date | null;
  readonly lastTrigger: Date | null;
}

type ListState = Pick<UnitListEntry, 'name' | 'path' | 'loadState' | 'activeState' | 'subState'>;

/**
 * A service from its list row and the properties read (or received) for it; what was not read takes the
 * value its state implies (servicePropertyPlan).
 */
export function serviceStatus(entry: ListState, props: Record<string, unknown>): ServiceStatus {
  const known = isKnown(entry.loadState);
  return {
    unit: entry.name,
    path: entry.path,
    loadState: entry.loadState,
    activeState: entry.activeState,
    subState: entry.subState,
    result: props['Result'] !== undefined ? toStr(props['Result']) : known ? 'success' : '',
    mainPid: toNumber(props['MainPID']),
    restarts: toNumber(props['NRestarts']),
    since: usecToDate(props[sinceProperty(entry.activeState)]),
  };
}

export function timerStatus(entry: ListState, props: Record<string, unknown>): TimerStatus {
  return {
    unit: entry.name,
    path: entry.path,
    loadState: entry.loadState,
    activeState: entry.activeState,
    subState: entry.subState,
    nextElapse: usecToDate(props['NextElapseUSecRealtime']),
    lastTrigger: usecToDate(props['LastTriggerUSec']),
  };
}

/** Whether systemd knows the unit at all (a unit file, even a masked or broken one): its properties mean something. */
export function isKnown(loadState: string): boolean {
  return loadState !== 'not-found' && loadState !== '';
}
