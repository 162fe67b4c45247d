/**
 * berth's own [Checkpoint] section of a .container definition: when to export a CRIU checkpoint of the
 * running container, where to keep the archives, and how many.
 *
 *   OnCalendar=     systemd calendar expression(s); each line one more trigger
 *   Cron=           cron expression(s), translated to OnCalendar (5 fields, or 6 with seconds first)
 *   Directory=      absolute folder for archives; each container gets its own subfolder
 *                   (default /var/lib/berth/checkpoints)
 *   Keep=           how many valid archives to keep, newest first (default 24)
 *   MaxTotalSize=   optional cap per container, e.g. 10G (K, M, G, T: powers of 1024)
 *   Compress=       zstd | gzip | none (default zstd)
 *   LeaveRunning=   keep the container running while it is checkpointed (default yes)
 *   TCPEstablished= checkpoint established TCP connections (default no)
 *   FileLocks=      checkpoint file locks (default no)
 *   RestoreOnStart= no | latest: start from the newest valid archive when there is one (default no)
 *   OnStop=         take a last checkpoint whenever the unit stops (stop, restart, shutdown; default no)
 *   OnStopTimeoutSec= how long that checkpoint may take before the unit stops without it (default 90s)
 *   AccuracySec=, RandomizedDelaySec=, Persistent=   passed to the timer (defaults 10s, unset, yes)
 */
import type { DefinitionError } from '../errors.js';
import { isBooleanWord, type UnitFile } from '../unit/unit-file.js';
import { CronError, cronToOnCalendar } from './cron.js';
import type { Problems } from './problems.js';

export const CHECKPOINT_SECTION = 'Checkpoint';
export const DEFAULT_CHECKPOINT_DIR = '/var/lib/berth/checkpoints';

export type Compression = 'zstd' | 'gzip' | 'none';

export interface CheckpointSettings {
  /** OnCalendar= expressions, Cron= ones already translated; empty means on demand only. */
  readonly schedules: readonly string[];
  readonly directory: string;
  readonly keep: number;
  readonly maxTotalSize?: number;
  readonly compress: Compression;
  readonly leaveRunning: boolean;
  readonly tcpEstablished: boolean;
  readonly fileLocks: boolean;
  readonly restoreOnStart: 'no' | 'latest';
  readonly onStop: boolean;
  /** Seconds (maybe fractional) the checkpoint at stop may take. */
  readonly onStopTimeoutSec: number;
  readonly accuracySec: string;
  readonly randomizedDelaySec?: string;
  readonly persistent: boolean;
}

/** Checks a calendar expression; returns systemd's complaint, or undefined when it is valid. */
export type CalendarValidator = (expr: string) => string | undefined;

export const CHECKPOINT_KEYS = new Set([
  'OnCalendar', 'Cron', 'Directory', 'Keep', 'MaxTotalSize', 'Compress', 'LeaveRunning', 'TCPEstablished',
  'FileLocks', 'RestoreOnStart', 'OnStop', 'OnStopTimeoutSec', 'AccuracySec', 'RandomizedDelaySec', 'Persistent',
]);

export const DEFAULT_ON_STOP_TIMEOUT_SEC = 90;

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([BKMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!);
}

/** systemd's time-span units (systemd.time(7)), in seconds; a bare number is seconds. */
const SPAN_UNITS: Record<string, number> = {
  usec: 1e-6, us: 1e-6, 'µs': 1e-6, msec: 1e-3, ms: 1e-3,
  seconds: 1, second: 1, sec: 1, s: 1, '': 1,
  minutes: 60, minute: 60, min: 60, m: 60,
  hours: 3600, hour: 3600, hr: 3600, h: 3600,
  days: 86400, day: 86400, d: 86400,
  weeks: 604800, week: 604800, w: 604800,
  months: 2629800, month: 2629800, M: 2629800,
  years: 31557600, year: 31557600, y: 31557600,
};

/** A systemd time span ("90", "1min 30s", "1.5s") in seconds, or undefined when it is not one. */
export function parseTimeSpan(text: string): number | undefined {
  const input = text.trim();
  // Each component is a number and a unit (case-sensitive, as in systemd: M is months, m minutes).
  const component = /(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Zµ]*)\s*/y;
  let total = 0;
  let m: RegExpExecArray | null;
  while (component.lastIndex < input.length && (m = component.exec(input))) {
    if (!Object.hasOwn(SPAN_UNITS, m[2]!)) return undefined;
    total += Number(m[1]) * SPAN_UNITS[m[2]!]!;
  }
  return input !== '' && component.lastIndex === input.length ? total : undefined;
}

/** A definition has a few schedules; a limit keeps one with thousands from costing the generator its time. */
export const MAX_SCHEDULES = 32;

/** The calendar expressions a definition's [Checkpoint] asks systemd about (OnCalendar=, and Cron= translated). */
export function calendarExpressions(unit: UnitFile): string[] {
  if (!unit.hasSection(CHECKPOINT_SECTION)) return [];
  const out = unit.list(CHECKPOINT_SECTION, 'OnCalendar').map((e) => e.value);
  for (const e of unit.list(CHECKPOINT_SECTION, 'Cron')) {
    try {
      out.push(cronToOnCalendar(e.value));
    } catch (x) {
      if (!(x instanceof CronError)) throw x;
    }
  }
  return out.slice(0, MAX_SCHEDULES);
}

/** Reads the section, or undefined when the definition has none. Problems go to `problems`. */
export function readCheckpoint(unit: UnitFile, validate: CalendarValidator, problems: Problems): CheckpointSettings | undefined {
  const S = CHECKPOINT_SECTION;
  if (!unit.hasSection(S)) return undefined;
  const err = (key: string, detail: string): void => {
    const e = unit.last(S, key);
    if (e) problems.errors.push(unit.error(e, detail));
  };
  for (const e of unit.entries(S)) {
    if (!CHECKPOINT_KEYS.has(e.key)) problems.errors.push(unit.error(e, `unknown key in [${S}]`));
  }

  const schedules: string[] = [];
  const lines = [...unit.list(S, 'OnCalendar'), ...unit.list(S, 'Cron')];
  if (lines.length > MAX_SCHEDULES) {
    problems.errors.push(unit.error(lines[MAX_SCHEDULES]!, `a [${S}] section takes at most ${MAX_SCHEDULES} OnCalendar= and Cron= lines`));
    return undefined;
  }
  for (const e of unit.list(S, 'OnCalendar')) {
    const complaint = validate(e.value);
    if (complaint) problems.errors.push(unit.error(e, `"${e.value}" is not a systemd calendar expression: ${complaint}`));
    else schedules.push(e.value);
  }
  for (const e of unit.list(S, 'Cron')) {
    try {
      const onCalendar = cronToOnCalendar(e.value);
      const complaint = validate(onCalendar);
      if (complaint) throw new CronError(`its translation "${onCalendar}" is refused by systemd: ${complaint}`);
      schedules.push(onCalendar);
    } catch (x) {
      if (!(x instanceof CronError)) throw x;
      problems.errors.push(unit.error(e, `"${e.value}" is not a usable cron expression: ${x.message}`));
    }
  }

  const directory = unit.get(S, 'Directory') || DEFAULT_CHECKPOINT_DIR;
  if (!directory.startsWith('/')) err('Directory', `"${directory}" is not an absolute path`);

  let keep = 24;
  const keepText = unit.get(S, 'Keep');
  if (keepText !== undefined) {
    keep = /^\d+$/.test(keepText) ? Number(keepText) : NaN;
    if (!(keep >= 1)) err('Keep', `"${keepText}" is not a whole number of archives of at least 1`);
  }

  const sizeText = unit.get(S, 'MaxTotalSize');
  const maxTotalSize = sizeText ? parseSize(sizeText) : undefined;
  if (sizeText && !maxTotalSize) err('MaxTotalSize', `"${sizeText}" is not a size (e.g. 500M, 10G)`);

  const compress = (unit.get(S, 'Compress') || 'zstd').toLowerCase();
  if (!['zstd', 'gzip', 'none'].includes(compress)) err('Compress', `"${compress}" is not one of zstd, gzip, none`);

  const restore = (unit.get(S, 'RestoreOnStart') || 'no').toLowerCase();
  if (!['no', 'latest'].includes(restore)) err('RestoreOnStart', `"${restore}" is not one of no, latest`);

  let onStopTimeoutSec = DEFAULT_ON_STOP_TIMEOUT_SEC;
  const spanText = unit.get(S, 'OnStopTimeoutSec');
  if (spanText !== undefined) {
    onStopTimeoutSec = parseTimeSpan(spanText) ?? NaN;
    if (!(onStopTimeoutSec > 0)) err('OnStopTimeoutSec', `"${spanText}" is not a time span above zero (e.g. 90, 90s, 2min)`);
  }

  // berth's own section is strict: a value that is not a boolean is an error, not a silent false.
  const bool = (key: string, dflt: boolean): boolean => {
    const e = unit.last(S, key);
    if (e && !isBooleanWord(e.value)) err(key, `"${e.value}" is not a boolean (use yes or no)`);
    return unit.bool(S, key) ?? dflt;
  };

  return {
    schedules,
    directory,
    keep,
    ...(maxTotalSize ? { maxTotalSize } : {}),
    compress: compress as Compression,
    leaveRunning: bool('LeaveRunning', true),
    tcpEstablished: bool('TCPEstablished', false),
    fileLocks: bool('FileLocks', false),
    restoreOnStart: restore as 'no' | 'latest',
    onStop: bool('OnStop', false),
    onStopTimeoutSec,
    accuracySec: unit.get(S, 'AccuracySec') || '10s',
    ...(unit.get(S, 'RandomizedDelaySec') ? { randomizedDelaySec: unit.get(S, 'RandomizedDelaySec')! } : {}),
    persistent: bool('Persistent', true),
  };
}

export type { DefinitionError };
