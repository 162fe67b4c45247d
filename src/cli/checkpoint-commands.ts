/** `berth checkpoint`, `checkpoints`, `prune`, `restore` and the units' `berth start`. */
import { DEFAULT_ON_STOP_TIMEOUT_SEC, parseTimeSpan, type CheckpointSettings } from '../compile/checkpoint-settings.js';
import { CheckpointStore, type ArchiveInfo } from '../checkpoint/store.js';
import { restoreUnit, startContainer } from '../checkpoint/restore.js';
import { CheckpointLock } from '../checkpoint/lock.js';
import { lockDir, mib, runtimeDir, takeCheckpoint } from '../checkpoint/take.js';
import { UsageError } from '../errors.js';
import { findContainer, type ContainerDefinition } from '../generator/lookup.js';

export interface ScopeFlags {
  user?: boolean;
}

function checkpointable(name: string, flags: ScopeFlags): ContainerDefinition & { checkpoint: CheckpointSettings } {
  const found = findContainer(name, flags.user ?? false);
  if (!found.checkpoint) throw new UsageError(`${found.serviceName} has no [Checkpoint] section in ${found.definition.unit.path}`);
  return found as ContainerDefinition & { checkpoint: CheckpointSettings };
}

export interface CheckpointFlags extends ScopeFlags {
  /** The unit's ExecStop (OnStop=yes): the container's last checkpoint, which ends it. */
  onStop?: boolean;
  /** With onStop: how long it may take (a systemd time span; OnStopTimeoutSec=). */
  timeout?: string;
}

export async function runCheckpoint(name: string, flags: CheckpointFlags): Promise<number> {
  if (flags.onStop) return checkpointAtStop(name, flags);
  if (flags.timeout !== undefined) throw new UsageError('--timeout goes with --on-stop');
  const c = checkpointable(name, flags);
  const { archive, removed } = await takeCheckpoint({ name: c.serviceName, container: c.containerName, settings: c.checkpoint, user: flags.user ?? false });
  process.stdout.write(`${archive.path} (${mib(archive.size)}, sha256 ${archive.manifest?.sha256.slice(0, 12)}…, ${archive.manifest?.durationMs} ms)\n`);
  for (const path of removed) process.stdout.write(`removed ${path}\n`);
  return 0;
}

/**
 * OnStop=yes: a checkpoint without --leave-running (the container is going away: nothing it does after the
 * checkpoint is lost, and its stop is then nothing to do), bounded by OnStopTimeoutSec=. A failure is one
 * line in the journal, and the unit's stop goes on as without the checkpoint (its ExecStop ignores the exit
 * status).
 */
async function checkpointAtStop(name: string, flags: CheckpointFlags): Promise<number> {
  const seconds = flags.timeout === undefined ? DEFAULT_ON_STOP_TIMEOUT_SEC : parseTimeSpan(flags.timeout);
  if (!(seconds! > 0)) throw new UsageError(`--timeout ${flags.timeout}: not a time span above zero (e.g. 90, 90s, 2min)`);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), seconds! * 1000);
  try {
    const c = checkpointable(name, flags);
    const settings = { ...c.checkpoint, leaveRunning: false };
    const { archive } = await takeCheckpoint({ name: c.serviceName, container: c.containerName, settings, user: flags.user ?? false, signal: deadline.signal });
    process.stdout.write(`checkpoint at stop: ${archive.path} (${mib(archive.size)}, ${archive.manifest?.durationMs} ms)\n`);
    return 0;
  } catch (err) {
    const why = deadline.signal.aborted ? `it took longer than OnStopTimeoutSec= (${seconds} s)` : (err as Error).message.replace(/\s+/g, ' ').trim();
    process.stderr.write(`berth: no checkpoint of ${name} at stop: ${why}; it stops without one\n`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

const age = (from: Date, now: Date): string => {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
};

function row(a: ArchiveInfo, now: Date) {
  return {
    path: a.path,
    createdAt: a.createdAt.toISOString(),
    ageSeconds: Math.round((now.getTime() - a.createdAt.getTime()) / 1000),
    size: a.size,
    valid: a.valid,
    ...(a.problem ? { problem: a.problem } : {}),
    ...(a.manifest ? { sha256: a.manifest.sha256, container: a.manifest.container, durationMs: a.manifest.durationMs } : {}),
  };
}

export async function runCheckpoints(name: string, flags: ScopeFlags & { json?: boolean; verify?: boolean }): Promise<number> {
  const c = checkpointable(name, flags);
  const archives = await new CheckpointStore(c.checkpoint.directory, c.serviceName).list({ verify: true, deep: flags.verify ?? false });
  const now = new Date();
  if (flags.json) {
    process.stdout.write(JSON.stringify(archives.map((a) => row(a, now)), null, 2) + '\n');
    return 0;
  }
  if (archives.length === 0) {
    process.stdout.write(`no archives of ${c.serviceName} in ${c.checkpoint.directory}/${c.serviceName}\n`);
    return 0;
  }
  process.stdout.write('TIME                      SIZE        AGE   VALID  ARCHIVE\n');
  for (const a of archives) {
    const valid = a.valid ? 'yes' : `NO (${a.problem})`;
    process.stdout.write(`${a.createdAt.toISOString().padEnd(25)} ${mib(a.size).padStart(11)} ${age(a.createdAt, now).padStart(5)}   ${valid.padEnd(5)}  ${a.path}\n`);
  }
  return 0;
}

export async function runPrune(name: string, flags: ScopeFlags): Promise<number> {
  const c = checkpointable(name, flags);
  // Under the container's lock, as after a checkpoint: a prune never runs beside a commit or a restore.
  const lock = await CheckpointLock.acquire(lockDir(flags.user ?? false), c.serviceName);
  let removed: string[];
  try {
    removed = await new CheckpointStore(c.checkpoint.directory, c.serviceName).prune(c.checkpoint.keep, c.checkpoint.maxTotalSize);
  } finally {
    await lock.release();
  }
  for (const path of removed) process.stdout.write(`removed ${path}\n`);
  process.stdout.write(`${removed.length} removed; keeping the newest ${c.checkpoint.keep} valid archive(s)\n`);
  return 0;
}

export async function runRestore(name: string, flags: ScopeFlags & { archive?: string; latest?: boolean }): Promise<number> {
  if (flags.archive && flags.latest) throw new UsageError('give --archive FILE or --latest, not both');
  const c = checkpointable(name, flags);
  const user = flags.user ?? false;
  // The unit's stop and start go over D-Bus (systemd/); loaded here so other commands do not pay for it.
  const [{ SystemdManager }, { BusUnitControl }] = await Promise.all([import('../systemd/manager.js'), import('../systemd/unit-control.js')]);
  const manager = await SystemdManager.connect({ user });
  let archive;
  try {
    archive = await restoreUnit({
      name: c.serviceName,
      directory: c.checkpoint.directory,
      ...(flags.archive ? { archive: flags.archive } : {}),
      runtimeDir: runtimeDir(user),
      lockDir: lockDir(user),
      systemctl: new BusUnitControl(manager),
    });
  } finally {
    await manager.close();
  }
  process.stdout.write(`${c.serviceName}.service is active, restored from ${archive.path} (checkpoint of ${archive.createdAt.toISOString()})\n`);
  return 0;
}

export interface StartFlags {
  pidfile: string;
  directory: string;
  restoreLatest?: boolean;
}

export async function runStart(name: string, argv: string[], flags: StartFlags): Promise<number> {
  if (argv.length === 0) throw new UsageError('start needs the podman run command after --');
  return startContainer({ name, pidfile: flags.pidfile, directory: flags.directory, restoreLatest: flags.restoreLatest ?? false, argv });
}
