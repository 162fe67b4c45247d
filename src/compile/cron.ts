/**
 * Translates a cron expression ([sec] min hour dom mon dow) into a systemd OnCalendar= expression, so a
 * [Checkpoint] Cron= schedule runs from a systemd timer like any other.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SYSTEMD_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The first value of the field's range, for `*` with a step (`*\/15` starts at 0, days at 1). */
  readonly start: number;
}

const FIELDS: Record<string, Field> = {
  second: { name: 'second', min: 0, max: 59, start: 0 },
  minute: { name: 'minute', min: 0, max: 59, start: 0 },
  hour: { name: 'hour', min: 0, max: 23, start: 0 },
  day: { name: 'day of month', min: 1, max: 31, start: 1 },
  month: { name: 'month', min: 1, max: 12, names: MONTHS, start: 1 },
  weekday: { name: 'day of week', min: 0, max: 7, names: DAYS, start: 0 },
};

export class CronError extends Error {
  override readonly name = 'CronError';
}

function value(text: string, f: Field): number {
  const lower = text.toLowerCase();
  const named = f.names?.findIndex((n) => n === lower.slice(0, 3) && lower.length === 3) ?? -1;
  const n = named >= 0 ? named + (f === FIELDS['month'] ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(n) || n < f.min || n > f.max) throw new CronError(`"${text}" is not a valid ${f.name} (${f.min}-${f.max})`);
  return n;
}

/** One comma-separated item of a numeric field, in systemd syntax. */
function item(text: string, f: Field, pad: boolean): string {
  const fmt = (n: number): string => (pad ? String(n).padStart(2, '0') : String(n));
  const [range, step, extra] = text.split('/');
  if (extra !== undefined || range === undefined || range === '') throw new CronError(`"${text}" is not a valid ${f.name}`);
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) throw new CronError(`"${step}" is not a valid step in ${f.name}`);
  const suffix = step ? `/${step}` : '';
  if (range === '*') return step ? `${fmt(f.start)}${suffix}` : '*';
  const dash = range.indexOf('-');
  if (dash < 0) return `${fmt(value(range, f))}${suffix}`;
  const a = value(range.slice(0, dash), f);
  const b = value(range.slice(dash + 1), f);
  if (a > b) throw new CronError(`"${range}" is not an ascending ${f.name} range`);
  return `${fmt(a)}..${fmt(b)}${suffix}`;
}

function field(text: string, f: Field, pad: boolean): string {
  const items = text.split(',').map((i) => item(i, f, pad));
  return items.includes('*') ? '*' : items.join(',');
}

function weekdays(text: string): string | undefined {
  if (text === '*' || text === '?') return undefined;
  const f = FIELDS['weekday']!;
  return text
    .split(',')
    .map((part) => {
      if (part.includes('/')) throw new CronError(`steps are not supported in the day of week ("${part}")`);
      const dash = part.indexOf('-');
      const day = (s: string): string => SYSTEMD_DAYS[value(s, f) % 7]!;
      if (dash < 0) return day(part);
      const a = value(part.slice(0, dash), f);
      const b = value(part.slice(dash + 1), f);
      if (a > b) throw new CronError(`"${part}" is not an ascending day-of-week range`);
      // Sunday is both 0 and 7 in cron; systemd's weeks start on Monday, so a range through Sunday splits.
      if (b === 7 && a > 0) return a === 6 ? 'Sat,Sun' : `${SYSTEMD_DAYS[a]}..Sat,Sun`;
      return `${SYSTEMD_DAYS[a % 7]}..${SYSTEMD_DAYS[b % 7]}`;
    })
    .join(',');
}

/** Cron → OnCalendar. Throws CronError for what cron allows but one systemd calendar cannot say. */
export function cronToOnCalendar(expr: string): string {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new CronError(`"${expr}" has ${parts.length} fields; cron takes 5 (minute hour day month weekday) or 6 (with seconds first)`);
  }
  const [sec, min, hour, dom, mon, dow] = parts.length === 6 ? parts : ['0', ...parts];
  if (dom !== '*' && dom !== '?' && dow !== '*' && dow !== '?') {
    // cron runs when EITHER matches; a systemd calendar needs both to match, so the meaning would change.
    throw new CronError('a day of month together with a day of week means "either" in cron, which OnCalendar cannot express; use two definitions or OnCalendar=');
  }
  const date = `*-${field(mon!, FIELDS['month']!, true)}-${dom === '?' ? '*' : field(dom!, FIELDS['day']!, true)}`;
  const time = `${field(hour!, FIELDS['hour']!, true)}:${field(min!, FIELDS['minute']!, true)}:${field(sec!, FIELDS['second']!, true)}`;
  const days = weekdays(dow!);
  return days ? `${days} ${date} ${time}` : `${date} ${time}`;
}
