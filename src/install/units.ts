/** The systemd side of `berth install` and `berth rm`, over D-Bus (systemd/manager.ts), in a shape tests can fake. */
import type { SystemdManager } from '../systemd/manager.js';
import { MANAGER_IFACE, SYSTEMD_NAME, SYSTEMD_PATH } from '../systemd/properties.js';

export interface UnitState {
  readonly unit: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
}

export interface Units {
  /** daemon-reload: the generator runs again; returns when systemd is done. */
  reload(): Promise<void>;
  /** Each unit's states, loading it when need be (a unit without a file is not-found). */
  states(units: readonly string[]): Promise<UnitState[]>;
  /** Stops a unit and waits for the job: its result (done, failed, canceled …). */
  stop(unit: string): Promise<string>;
  loadState(unit: string): Promise<string>;
  /** Forgets a failed unit's failure (ResetFailedUnit), so that nothing of it stays listed. */
  resetFailed(unit: string): Promise<void>;
  close(): Promise<void>;
}

export function managerUnits(manager: SystemdManager): Units {
  return {
    reload: () => manager.reload(),
    states: async (units) => (await manager.listUnitsByNames(units)).map((e) => ({ unit: e.name, loadState: e.loadState, activeState: e.activeState, subState: e.subState })),
    stop: (unit) => manager.stopUnit(unit),
    loadState: (unit) => manager.loadState(unit),
    resetFailed: async (unit) => {
      await manager.bus.call({ destination: SYSTEMD_NAME, path: SYSTEMD_PATH, interface: MANAGER_IFACE, member: 'ResetFailedUnit', signature: 's', body: [unit] });
    },
    close: () => manager.close(),
  };
}

/** The system manager, or the user's (on the session bus) with `user`. */
export async function connectUnits(user: boolean): Promise<Units> {
  const { SystemdManager } = await import('../systemd/manager.js');
  return managerUnits(await SystemdManager.connect({ user }));
}
