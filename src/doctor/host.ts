/**
 * What `berth doctor` asks of the machine, behind one interface: the checks (checks.ts) only read facts
 * through it, so tests give them a made-up host. systemHost() is the real one.
 */
import { accessSync, constants, lstatSync, readFileSync, readlinkSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { runCommand, type CommandResult } from '../engine/command.js';
import { Podman } from '../engine/podman.js';
import { podmanPath } from '../engine/podman-version.js';

export type { CommandResult };

export interface FileFacts {
  readonly kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface Space {
  /** Bytes an unprivileged writer may still use. */
  readonly free: number;
  readonly total: number;
}

export interface BusAnswer {
  /** Why the bus could not be asked (no bus, refused); undefined when it answered. */
  readonly error?: string;
  /** The unique name that owns it now, when one does. */
  readonly owner?: string;
  /** Whether the bus daemon knows how to start it (a D-Bus activation file). */
  readonly activatable: boolean;
}

export interface Account {
  readonly name: string;
  readonly home: string;
}

export interface DoctorHost {
  readonly env: NodeJS.ProcessEnv;
  /** Effective uid of the doctor. */
  readonly uid: number;
  /** The user the doctor runs as (getpwuid), when the account database knows it. */
  readonly account?: Account;
  /** Runs a program; a bare name is looked up on env.PATH. Never throws. */
  run(file: string, args: readonly string[], timeoutMs?: number): Promise<CommandResult>;
  /** Runs podman ($PODMAN, default /usr/bin/podman). Never throws. */
  podman(args: readonly string[], timeoutMs?: number): Promise<CommandResult>;
  /** The first executable `command` on `path` (default env.PATH), or undefined. */
  which(command: string, path?: string): string | undefined;
  /** Facts about a path (without following a final symlink when `follow` is false), or undefined. */
  stat(path: string, follow?: boolean): FileFacts | undefined;
  readlink(path: string): string | undefined;
  realpath(path: string): string | undefined;
  isExecutable(path: string): boolean;
  readFile(path: string): string | undefined;
  space(path: string): Space | undefined;
  /** Asks the system bus (the user's bus when `user`) who owns `name` and whether it can be activated. Never throws. */
  busName(name: string, timeoutMs?: number, user?: boolean): Promise<BusAnswer>;
}

function kindOf(st: import('node:fs').Stats): FileFacts['kind'] {
  return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

function account(): Account | undefined {
  try {
    const { username, homedir } = userInfo();
    return { name: username, home: homedir };
  } catch {
    return undefined; // a uid the account database does not know
  }
}

export function systemHost(env: NodeJS.ProcessEnv = process.env): DoctorHost {
  const known = account();
  const host: DoctorHost = {
    env,
    uid: process.geteuid?.() ?? 0,
    ...(known ? { account: known } : {}),

    run: (file, args, timeoutMs = 30_000) => runCommand([file, ...args], { env, timeoutMs }),

    podman: (args, timeoutMs = 30_000) => new Podman(podmanPath(env), env).probe(args, timeoutMs),

    which(command, path = env['PATH'] ?? '') {
      if (command.includes('/')) return host.isExecutable(command) ? command : undefined;
      for (const dir of path.split(delimiter)) {
        if (!dir) continue;
        const candidate = join(dir, command);
        if (host.stat(candidate)?.kind === 'file' && host.isExecutable(candidate)) return candidate;
      }
      return undefined;
    },

    stat(path, follow = true) {
      try {
        const st = follow ? statSync(path) : lstatSync(path);
        return { kind: kindOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      } catch {
        return undefined;
      }
    },

    readlink(path) {
      try {
        return readlinkSync(path);
      } catch {
        return undefined;
      }
    },

    realpath(path) {
      try {
        return realpathSync(path);
      } catch {
        return undefined;
      }
    },

    isExecutable(path) {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },

    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },

    space(path) {
      try {
        const s = statfsSync(path);
        return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
      } catch {
        return undefined;
      }
    },

    busName: (name, timeoutMs = 5_000, user = false) => askBus(name, env, timeoutMs, user),
  };
  return host;
}

/** GetNameOwner and ListActivatableNames on the system (or user's) bus, through the bus wrapper the agent uses. */
async function askBus(name: string, env: NodeJS.ProcessEnv, timeoutMs: number, user: boolean): Promise<BusAnswer> {
  const { Bus, DBUS_IFACE, DBUS_NAME, DBUS_PATH } = await import('../systemd/bus.js');
  let bus: import('../systemd/bus.js').Bus | undefined;
  try {
    bus = await Bus.connect({ env, user, timeoutMs, connectTimeoutMs: timeoutMs });
    const [owner, [names]] = await Promise.all([
      bus.nameOwner(name),
      bus.call({ destination: DBUS_NAME, path: DBUS_PATH, interface: DBUS_IFACE, member: 'ListActivatableNames' }),
    ]);
    return { ...(owner ? { owner } : {}), activatable: Array.isArray(names) && names.includes(name) };
  } catch (err) {
    return { error: (err as Error).message || String(err), activatable: false };
  } finally {
    await bus?.close().catch(() => undefined);
  }
}
