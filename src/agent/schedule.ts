/**
 * The agent's own checkpoint schedules, for hosts where no systemd runs the NAME-checkpoint.timer units (a
 * container, some WSL setups): the same [Checkpoint] sections, run with node-cron, one task per container,
 * never overlapping itself (noOverlap). Cron= lines run as written; OnCalendar= lines are translated where
 * cron can say the same thing (onCalendarToCron), and reported otherwise.
 */
import type { ScheduledTask } from 'node-cron';
import type { ContainerEntry } from '../containers/inventory.js';

const SHORTHANDS: Record<string, string> = {
  minutely: '0 * * * * *',
  hourly: '0 0 * * * *',
  daily: '0 0 0 * * *',
  weekly: '0 0 0 * * 1',
  monthly: '0 0 0 1 * *',
  yearly: '0 0 0 1 1 *',
  annually: '0 0 0 1 1 *',
  quarterly: '0 0 0 1 1,4,7,10 *',
  semiannually: '0 0 0 1 1,7 *',
};

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function dayNumber(text: string): number | undefined {
  const i = DAYS.indexOf(text.slice(0, 3).toLowerCase());
  return i < 0 ? undefined : i;
}

/** One calendar component (`*`, `5`, `1,3`, `1..5`, `0/15`, `*\/2`) as a cron field; undefined when cron cannot say it. */
function component(text: string, max: number): string | undefined {
  const items: string[] = [];
  for (const item of text.split(',')) {
    const m = /^(\*|\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const [, from, to, step] = m;
    const n = (s: string): number => Number(s);
    if (from !== '*' && n(from!) > max) return undefined;
    if (to !== undefined && (from === '*' || n(to) > max || n(to) < n(from!))) return undefined;
    let out = from === '*' ? '*' : String(n(from!));
    if (to !== undefined) out += `-${n(to)}`;
    if (step !== undefined) {
      if (n(step) === 0) return undefined;
      // cron steps need a range: 0/15 means 0-max/15.
      if (from !== '*' && to === undefined) out += `-${max}`;
      out += `/${n(step)}`;
    }
    items.push(out);
  }
  return items.join(',');
}

function weekdays(text: string): string | undefined {
  const out: string[] = [];
  for (const item of text.split(',')) {
    const [a, b, extra] = item.split('..');
    if (extra !== undefined) return undefined;
    const x = dayNumber(a!);
    if (x === undefined) return undefined;
    if (b === undefined) {
      out.push(String(x));
      continue;
    }
    const y = dayNumber(b);
    if (y === undefined) return undefined;
    // systemd weeks run Monday..Sunday: Fri..Sun is 5-6,0 in cron.
    const yy = y === 0 ? 7 : y;
    const xx = x === 0 ? 7 : x;
    if (yy < xx) return undefined;
    out.push(yy === 7 ? (xx === 7 ? '0' : `${xx}-6,0`) : `${xx}-${yy}`);
  }
  return out.join(',');
}

/**
 * A systemd calendar expression as a 6-field cron expression (seconds first), or undefined when cron cannot
 * express it (years, time zones, `~` last days, fractional seconds, …).
 */
export function onCalendarToCron(expr: string): string | undefined {
  const text = expr.trim();
  const shorthand = SHORTHANDS[text.toLowerCase()];
  if (shorthand) return shorthand;
  let parts = text.split(/\s+/);
  let dow = '*';
  if (parts.length > 0 && /^[A-Za-z]/.test(parts[0]!)) {
    const w = weekdays(parts[0]!);
    if (w === undefined) return undefined;
    dow = w;
    parts = parts.slice(1);
  }
  if (parts.length === 0 || parts.length > 2) return undefined;
  let date = '*-*-*';
  let time = '00:00:00';
  if (parts.length === 2) [date, time] = parts as [string, string];
  else if (parts[0]!.includes(':')) time = parts[0]!;
  else date = parts[0]!;

  const d = date.split('-');
  if (d.length === 2) d.unshift('*');
  if (d.length !== 3 || (d[0] !== '*' && d[0] !== '')) return undefined; // cron has no years
  const t = time.split(':');
  if (t.length === 2) t.push('00');
  if (t.length !== 3) return undefined;
  const fields = [component(t[2]!, 59), component(t[1]!, 59), component(t[0]!, 23), component(d[2]!, 31), component(d[1]!, 12)];
  if (fields.some((f) => f === undefined)) return undefined;
  return [...fields, dow].join(' ');
}

/** The cron expressions a container's [Checkpoint] asks for, and the OnCalendar= lines cron cannot run. */
export function cronSchedules(entry: Pick<ContainerEntry, 'cron' | 'onCalendar'>): { expressions: string[]; unsupported: string[] } {
  const expressions = [...entry.cron];
  const unsupported: string[] = [];
  for (const expr of entry.onCalendar) {
    const cron = onCalendarToCron(expr);
    if (cron) expressions.push(cron);
    else unsupported.push(expr);
  }
  return { expressions, unsupported };
}

export interface SchedulerEvents {
  /** Runs one checkpoint; the scheduler never starts it again while it runs. */
  run(entry: ContainerEntry): Promise<void>;
  log(line: string): void;
}

/** One node-cron task per schedule line; each container's runs are also serialized across its lines. */
export class CronScheduler {
  #tasks: { entry: ContainerEntry; task: ScheduledTask }[] = [];
  readonly #busy = new Set<string>();

  /** node-cron's messages (e.g. a run skipped by noOverlap) go to the agent's log, not to stdout. */
  readonly #logger = {
    info: (): void => undefined,
    debug: (): void => undefined,
    warn: (m: string): void => this.events.log(`node-cron: ${m}`),
    error: (m: string | Error): void => this.events.log(`node-cron: ${m instanceof Error ? m.message : m}`),
  };

  constructor(private readonly events: SchedulerEvents) {}

  /** Replaces every task with tasks for these containers ([Checkpoint] with schedules). */
  async schedule(entries: readonly ContainerEntry[]): Promise<void> {
    await this.stop();
    const cron = (await import('node-cron')).default;
    for (const entry of entries) {
      if (!entry.checkpoint) continue;
      const { expressions, unsupported } = cronSchedules(entry);
      for (const expr of unsupported) this.events.log(`${entry.name}: OnCalendar=${expr} has no cron equivalent; not scheduled (use Cron=)`);
      for (const expr of expressions) {
        if (!cron.validate(expr)) {
          this.events.log(`${entry.name}: "${expr}" is not a cron expression node-cron accepts; not scheduled`);
          continue;
        }
        const task = cron.schedule(expr, () => this.#run(entry), { name: `${entry.name}: ${expr}`, noOverlap: true, logger: this.#logger });
        this.#tasks.push({ entry, task });
      }
    }
  }

  async #run(entry: ContainerEntry): Promise<void> {
    if (this.#busy.has(entry.name)) {
      this.events.log(`${entry.name}: a checkpoint is still running; this run is skipped`);
      return;
    }
    this.#busy.add(entry.name);
    try {
      await this.events.run(entry);
    } finally {
      this.#busy.delete(entry.name);
    }
  }

  /** The next run of a container's schedules, or null when it has none. */
  next(name: string): Date | null {
    let best: Date | null = null;
    for (const { entry, task } of this.#tasks) {
      if (entry.name !== name) continue;
      const n = task.getNextRun();
      if (n && (!best || n < best)) best = n;
    }
    return best;
  }

  /** Whether the container has a schedule here. */
  has(name: string): boolean {
    return this.#tasks.some((t) => t.entry.name === name);
  }

  get count(): number {
    return this.#tasks.length;
  }

  async stop(): Promise<void> {
    const tasks = this.#tasks;
    this.#tasks = [];
    for (const { task } of tasks) await task.destroy();
  }
}
