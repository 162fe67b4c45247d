/**
 * io.berth.Manager1 at /io/berth/Manager1, the agent's D-Bus interface (dbus-next, configured with
 * configureMembers rather than decorators):
 *
 *   properties (read-only)
 *     Version     s
 *     Scheduler   s                 "systemd" (timers run the schedules) or "cron" (the agent does)
 *     Containers  a(ssssssutus)     name, unit, load state, active state, sub-state, result, main PID,
 *                                   since (µs since the epoch, 0 = never), restarts, health ("" = no check)
 *     Definitions a(ssssss)          every definition on the search path, as `berth list` shows it: file name,
 *                                   kind, source file, unit ("" for a template), state (systemd's ActiveState,
 *                                   or "not loaded", …), reason it is not loaded ("" = none)
 *   methods
 *     ListContainers()               → a(ssssssutus)   the same as Containers
 *     GetContainer(s name)           → a{sv}           everything `berth status` shows of one container
 *     GetStatus(as names)            → s               the rows `berth status --json` prints of the named
 *                                                      containers (every one for none), as that JSON text
 *     ListDefinitions()              → s               the rows `berth list --json` prints, as that JSON text
 *     ListCheckpoints(s name)        → a(ttbss)        created (µs), size, valid, path, problem; newest first
 *     Checkpoint(s name)             → s               the new archive's path
 *     Restore(s name, s archive)     → s               the archive restored ("" = the newest valid one)
 *   signals
 *     ContainerStateChanged(s name, s active_state, s sub_state, s result, u main_pid)
 *     CheckpointFinished(s name, b success, s archive, s error)
 *     PropertiesChanged on org.freedesktop.DBus.Properties invalidating Containers, or Definitions (when the
 *     generator's record of its last run or a definition's state changed)
 *
 * Errors: io.berth.Manager1.Error.NoSuchContainer, .NoCheckpointSection, .Busy (a checkpoint of that
 * container is running), .NotSupported, .Failed. Who may call what is the bus policy's business
 * (packaging/dbus/io.berth.Manager1.conf): Checkpoint and Restore are root's.
 */
import type * as DBus from 'dbus-next';
import { CheckpointError, UsageError } from '../errors.js';
import { dbusNext } from '../systemd/dbus-next.js';
import { AGENT_IFACE } from './names.js';

export { AGENT_IFACE, AGENT_NAME, AGENT_PATH } from './names.js';
export const CONTAINER_STRUCT = '(ssssssutus)';
export const DEFINITION_STRUCT = '(ssssss)';

export const ERRORS = {
  noSuchContainer: `${AGENT_IFACE}.Error.NoSuchContainer`,
  noCheckpointSection: `${AGENT_IFACE}.Error.NoCheckpointSection`,
  busy: `${AGENT_IFACE}.Error.Busy`,
  notSupported: `${AGENT_IFACE}.Error.NotSupported`,
  failed: `${AGENT_IFACE}.Error.Failed`,
} as const;

/** A D-Bus error the agent means to send (its name reaches the caller). */
export class AgentError extends Error {
  constructor(
    readonly dbusName: string,
    message: string,
  ) {
    super(message);
  }
}

/** The definition's container, the only one a checkpoint or restore may act on; refused when berth cannot tell it. */
export function ownContainer(entry: { readonly name: string; readonly container: string | null }): string {
  if (!entry.container) throw new AgentError(ERRORS.failed, `${entry.name}: its ContainerName uses specifiers berth cannot resolve outside systemd`);
  return entry.container;
}

export type ContainerStruct = [string, string, string, string, string, string, number, bigint, number, string];
export type CheckpointStruct = [bigint, bigint, boolean, string, string];
export type DefinitionStruct = [string, string, string, string, string, string];

/** What the interface asks of the agent. */
export interface AgentBackend {
  readonly version: string;
  scheduler(): string;
  containers(): ContainerStruct[];
  getContainer(name: string): Promise<Record<string, DBus.Variant>>;
  status(names: string[]): Promise<string>;
  definitions(): DefinitionStruct[];
  listDefinitions(): Promise<string>;
  listCheckpoints(name: string): Promise<CheckpointStruct[]>;
  checkpoint(name: string): Promise<string>;
  restore(name: string, archive: string): Promise<string>;
}

export interface ManagerInterface extends DBus.interface.Interface {
  ContainerStateChanged(name: string, active: string, sub: string, result: string, mainPid: number): void;
  CheckpointFinished(name: string, success: boolean, archive: string, error: string): void;
}

/** Turns what the backend throws into the D-Bus error the caller sees. */
function toDBusError(err: unknown): Error {
  const { DBusError } = dbusNext();
  if (err instanceof AgentError) return new DBusError(err.dbusName, err.message);
  if (err instanceof UsageError) return new DBusError(ERRORS.noSuchContainer, err.message);
  if (err instanceof CheckpointError && err.code === 'locked') return new DBusError(ERRORS.busy, err.message);
  return new DBusError(ERRORS.failed, (err as Error)?.message ?? String(err));
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDBusError(err);
  }
}

let interfaceClass: (new (backend: AgentBackend) => ManagerInterface) | undefined;

/** The exported object; one per agent, exported again on each new connection after the bus restarts. */
export function createManagerInterface(backend: AgentBackend): ManagerInterface {
  interfaceClass ??= defineInterface();
  return new interfaceClass(backend);
}

function defineInterface(): new (backend: AgentBackend) => ManagerInterface {
  const { Interface } = dbusNext().interface;
  const { ACCESS_READ } = dbusNext().interface;

  class Manager1 extends Interface {
    readonly #backend: AgentBackend;

    constructor(backend: AgentBackend) {
      super(AGENT_IFACE);
      this.#backend = backend;
    }

    get Version(): string {
      return this.#backend.version;
    }

    get Scheduler(): string {
      return this.#backend.scheduler();
    }

    get Containers(): ContainerStruct[] {
      return this.#backend.containers();
    }

    ListContainers(): ContainerStruct[] {
      return this.#backend.containers();
    }

    get Definitions(): DefinitionStruct[] {
      return this.#backend.definitions();
    }

    ListDefinitions(): Promise<string> {
      return guarded(() => this.#backend.listDefinitions());
    }

    GetContainer(name: string): Promise<Record<string, DBus.Variant>> {
      return guarded(() => this.#backend.getContainer(name));
    }

    GetStatus(names: string[]): Promise<string> {
      return guarded(() => this.#backend.status(names));
    }

    ListCheckpoints(name: string): Promise<CheckpointStruct[]> {
      return guarded(() => this.#backend.listCheckpoints(name));
    }

    Checkpoint(name: string): Promise<string> {
      return guarded(() => this.#backend.checkpoint(name));
    }

    Restore(name: string, archive: string): Promise<string> {
      return guarded(() => this.#backend.restore(name, archive));
    }

    // Signals: calling one sends it (configureMembers wraps them); they return the signal's body.
    ContainerStateChanged(name: string, active: string, sub: string, result: string, mainPid: number): unknown[] {
      return [name, active, sub, result, mainPid];
    }

    CheckpointFinished(name: string, success: boolean, archive: string, error: string): unknown[] {
      return [name, success, archive, error];
    }
  }

  Manager1.configureMembers({
    properties: {
      Version: { signature: 's', access: ACCESS_READ },
      Scheduler: { signature: 's', access: ACCESS_READ },
      Containers: { signature: `a${CONTAINER_STRUCT}`, access: ACCESS_READ },
      Definitions: { signature: `a${DEFINITION_STRUCT}`, access: ACCESS_READ },
    },
    methods: {
      ListContainers: { inSignature: '', outSignature: `a${CONTAINER_STRUCT}` },
      GetContainer: { inSignature: 's', outSignature: 'a{sv}' },
      GetStatus: { inSignature: 'as', outSignature: 's' },
      ListDefinitions: { inSignature: '', outSignature: 's' },
      ListCheckpoints: { inSignature: 's', outSignature: 'a(ttbss)' },
      Checkpoint: { inSignature: 's', outSignature: 's' },
      Restore: { inSignature: 'ss', outSignature: 's' },
    },
    signals: {
      ContainerStateChanged: { signature: 'ssssu' },
      CheckpointFinished: { signature: 'sbss' },
    },
  });
  return Manager1 as unknown as new (backend: AgentBackend) => ManagerInterface;
}

/** Sends PropertiesChanged with properties invalidated (clients re-read them; no list goes out per change). */
export function invalidateProperties(iface: ManagerInterface, names: readonly ('Containers' | 'Definitions')[]): void {
  dbusNext().interface.Interface.emitPropertiesChanged(iface, {}, [...names]);
}
