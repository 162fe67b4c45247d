/**
 * Unit start/stop for `berth restore`. A thin use of systemctl, which waits for the job's result;
 * status reading goes over D-Bus (systemd/…).
 */
import { execa } from 'execa';
import { EngineError } from '../errors.js';

export class Systemctl {
  constructor(readonly user: boolean) {}

  async run(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const argv = [...(this.user ? ['--user'] : []), ...args];
    const r = await execa('systemctl', argv, { reject: false, timeout: 600_000 });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  async must(...args: string[]): Promise<void> {
    const r = await this.run(...args);
    if (r.exitCode !== 0) throw new EngineError(['systemctl', ...(this.user ? ['--user'] : []), ...args], r.exitCode, r.stderr);
  }

  async isActive(unit: string): Promise<boolean> {
    return (await this.run('is-active', '--quiet', unit)).exitCode === 0;
  }
}
