/**
 * A private dbus-daemon (session configuration: anyone may own any name and call anything, and
 * org.freedesktop.DBus.Debug.Stats answers) on a socket in a fresh folder, for tests that need a real bus
 * but not systemd. kill() SIGKILLs it (its socket file stays, as after a crash); start() brings a new one
 * up on the same address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Bus } from '../../src/systemd/bus.js';

export interface PrivateBus {
  readonly address: string;
  readonly socket: string;
  readonly pid: number;
  /** SIGKILL: no goodbye to anyone. */
  kill(): Promise<void>;
  /** A new daemon on the same address (after kill()). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function accepts(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export async function startPrivateBus(t?: { teardown(fn: () => unknown): void }): Promise<PrivateBus> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bus-'));
  const socket = join(dir, 'bus');
  const address = `unix:path=${socket}`;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    rmSync(socket, { force: true });
    child = spawn('dbus-daemon', ['--session', `--address=${address}`, '--nofork', '--nopidfile', '--nosyslog'], { stdio: 'ignore' });
    const c = child;
    let exited = false;
    c.on('exit', () => (exited = true));
    await waitFor(() => exited || existsSync(socket), 10_000, 'dbus-daemon to bind its socket');
    // The socket file appears at bind(), a moment before listen(): connect until it is accepted.
    while (!exited && !(await accepts(socket))) await new Promise((r) => setTimeout(r, 10));
    if (exited) throw new Error('dbus-daemon exited at start');
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await gone;
  };

  await launch();
  const bus: PrivateBus = {
    address,
    socket,
    get pid() {
      return child?.pid ?? 0;
    },
    kill,
    start: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t?.teardown(() => bus.stop());
  return bus;
}

/** Match rules the bus holds for a connection (org.freedesktop.DBus.Debug.Stats; the session bus answers anyone). */
export async function matchRulesOf(observer: Bus, uniqueName: string): Promise<number> {
  const [stats] = await observer.call({
    destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus.Debug.Stats',
    member: 'GetConnectionStats', signature: 's', body: [uniqueName],
  });
  return Number((stats as Record<string, { value: unknown }>)['MatchRules']!.value);
}
