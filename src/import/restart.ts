/**
 * podman's --restart policy → systemd's Restart=: under a unit, systemd restarts the container, and podman's
 * own restarting would fight it (Quadlet's documentation says the same).
 */
import { UsageError } from '../errors.js';

export interface RestartImport {
  /** Restart= of [Service], or undefined when systemd's default (no restart) is what the policy means. */
  readonly restart?: string;
  readonly note: string;
  /** For stderr when the meaning changes. */
  readonly warning?: string;
}

export function importRestart(written: string, policy: string): RestartImport {
  const [name, count, ...rest] = policy.split(':');
  if (rest.length > 0 || (count !== undefined && (name !== 'on-failure' || !/^\d+$/.test(count)))) throw new UsageError(`${written}: not a restart policy podman accepts`);
  switch (name) {
    case '':
    case 'no':
      return { note: `${written} dropped: a unit is not restarted unless Restart= says so` };
    case 'always':
      return { restart: 'always', note: `${written} is Restart=always of the unit` };
    // systemd never restarts a unit an admin stopped: that is what unless-stopped means.
    case 'unless-stopped':
      return { restart: 'always', note: `${written} is Restart=always of the unit (systemd does not restart a unit that was stopped)` };
    case 'on-failure': {
      if (count === undefined || count === '0') return { restart: 'on-failure', note: `${written} is Restart=on-failure of the unit` };
      const why = `the engine gives up after ${count} restarts, systemd after StartLimitBurst= starts within StartLimitIntervalSec= (5 in 10 s unless set in [Unit])`;
      return { restart: 'on-failure', note: `${written} is Restart=on-failure of the unit; ${why}`, warning: `${written} becomes Restart=on-failure without its count: ${why}` };
    }
    default:
      throw new UsageError(`${written}: not a restart policy podman accepts (no, always, on-failure[:N], unless-stopped)`);
  }
}
