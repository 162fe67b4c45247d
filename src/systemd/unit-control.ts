/**
 * The unit commands `berth restore` needs (stop, start and wait for the job, is-active), answered over
 * D-Bus by SystemdManager instead of by running systemctl, in the shape restoreUnit takes
 * (checkpoint/restore.ts, UnitControl).
 */
import { BusError, EngineError } from '../errors.js';
import type { UnitControl } from '../checkpoint/restore.js';
import type { SystemdManager } from './manager.js';
import { SERVICE_IFACE, UNIT_IFACE } from './properties.js';

const JOBS = { start: 'startUnit', stop: 'stopUnit', restart: 'restartUnit' } as const;

export class BusUnitControl implements UnitControl {
  constructor(readonly manager: SystemdManager) {}

  get user(): boolean {
    return this.manager.user;
  }

  /**
   * `start|stop|restart UNIT` and `is-active [--quiet] UNIT`, as systemctl would answer them: exit status 0
   * when the job ended "done" (or the unit is active), else 1 with systemctl's kind of message.
   */
  async run(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const words = args.filter((a) => a !== '--quiet' && a !== '--no-block');
    const [verb, unit] = words;
    if (!verb || !unit || words.length !== 2) throw new Error(`BusUnitControl cannot run "${args.join(' ')}"`);
    if (verb === 'is-active') {
      const active = await this.isActive(unit);
      return { exitCode: active ? 0 : 3, stdout: args.includes('--quiet') ? '' : active ? 'active\n' : 'inactive\n', stderr: '' };
    }
    if (!(verb in JOBS)) throw new Error(`BusUnitControl cannot run "${verb}"`);
    try {
      const result = await this.manager[JOBS[verb as keyof typeof JOBS]](unit);
      if (result === 'done') return { exitCode: 0, stdout: '', stderr: '' };
      return { exitCode: 1, stdout: '', stderr: await this.#failure(verb, unit, result) };
    } catch (err) {
      if (err instanceof BusError && err.code === 'remote') return { exitCode: 1, stdout: '', stderr: `Failed to ${verb} ${unit}: ${err.message}` };
      throw err;
    }
  }

  async must(...args: string[]): Promise<void> {
    const r = await this.run(...args);
    if (r.exitCode !== 0) throw new EngineError(['systemctl', ...(this.user ? ['--user'] : []), ...args], r.exitCode, r.stderr, `${args.join(' ')} failed: ${r.stderr.trim()}`);
  }

  async isActive(unit: string): Promise<boolean> {
    const path = await this.manager.unitPath(unit);
    if (!path) return false;
    const state = (await this.manager.getProperty(path, UNIT_IFACE, 'ActiveState')) as string;
    return state === 'active' || state === 'reloading';
  }

  async runArgv(unit: string): Promise<string[] | undefined> {
    const path = await this.manager.unitPath(unit);
    if (!path) return undefined;
    // ExecStart is a(sasbttttuii): per command its path, argv, and how it ran.
    const commands = (await this.manager.getProperty(path, SERVICE_IFACE, 'ExecStart')) as Array<[string, string[], ...unknown[]]>;
    const argv = commands?.[0]?.[1];
    const dashes = argv ? argv.indexOf('--') : -1;
    return argv && dashes >= 0 ? argv.slice(dashes + 1) : undefined;
  }

  /** daemon-reload, over the bus. */
  reload(): Promise<void> {
    return this.manager.reload();
  }

  loadState(unit: string): Promise<string> {
    return this.manager.loadState(unit);
  }

  /** The unit's main process (its container's conmon), 0 when it has none. */
  async mainPid(unit: string): Promise<number> {
    const path = await this.manager.unitPath(unit);
    return path ? Number(await this.manager.getProperty(path, SERVICE_IFACE, 'MainPID')) : 0;
  }

  /** systemctl's wording for a job that did not end "done", with the unit's Result when it has one. */
  async #failure(verb: string, unit: string, result: string): Promise<string> {
    let detail = '';
    try {
      const path = await this.manager.unitPath(unit);
      if (path && unit.endsWith('.service')) detail = ` (Result: ${String(await this.manager.getProperty(path, SERVICE_IFACE, 'Result'))})`;
    } catch {
      /* the job's result says enough */
    }
    return `Job for ${unit} ${result === 'failed' ? 'failed' : `ended with result "${result}"`}${detail}; the ${verb} did not complete.`;
  }
}
