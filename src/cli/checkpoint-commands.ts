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

export async function runCheckpoints(name: string, target: string | undefined, flags: ScopeFlags & { json?: boolean; verify?: boolean }): Promise<number> {
  if (name === 'show' && target !== undefined) return runShow(target, flags);
  if (target !== undefined) throw new UsageError(`berth checkpoints takes one container name (or show FILE|NAME), not ${name} ${target}`);
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

/** `berth checkpoints show FILE|NAME`: an archive's manifest, host facts, sizes and processes (NAME: its newest valid archive). */
export async function runShow(target: string, flags: ScopeFlags & { json?: boolean }): Promise<number> {
  const [{ archiveContents }, { freezeMicros, publishSpec }, { readManifestOf }, { hashFile }] = await Promise.all([
    import('../checkpoint/archive-contents.js'),
    import('../checkpoint/facts.js'),
    import('../checkpoint/restore.js'),
    import('../checkpoint/durable.js'),
  ]);
  let path = target;
  if (!/\/|\.tar(\.zst|\.gz)?$/.test(target)) {
    const c = checkpointable(target, flags);
    const latest = await new CheckpointStore(c.checkpoint.directory, c.serviceName).latestValid();
    if (!latest) throw new UsageError(`no valid archive of ${c.serviceName} in ${c.checkpoint.directory}/${c.serviceName}`);
    path = latest.path;
  }
  const manifest = await readManifestOf(path);
  const [contents, hashed] = await Promise.all([archiveContents(path, manifest.compress), hashFile(path)]);
  const matches = hashed.sha256 === manifest.sha256 && hashed.size === manifest.size;
  const freeze = freezeMicros(manifest.stats);
  if (flags.json) {
    const out = { path, size: hashed.size, sha256Matches: matches, manifest, freezeMicros: freeze ?? null, memoryBytes: contents.memoryBytes, processes: contents.processes };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const f = manifest.facts;
  const lines: Array<[string, string]> = [
    ['archive', `${path} (${mib(hashed.size)}, ${manifest.compress}, sha256 ${manifest.sha256.slice(0, 12)}…${matches ? '' : ', which DOES NOT MATCH the file'})`],
    ['container', `${manifest.container} (${manifest.containerId.slice(0, 12)}) of ${manifest.unit}`],
    ['image', `${manifest.image}${f ? ` (${f.imageId.slice(0, 12)})` : ''}`],
    ['taken', `${manifest.createdAt} in ${manifest.durationMs} ms${freeze !== undefined ? `, the container frozen ${(freeze / 1000).toFixed(1)} ms` : ''}`],
    ['options', `leave running ${yes(manifest.leaveRunning)}, TCP established ${yes(manifest.tcpEstablished)}, file locks ${yes(manifest.fileLocks)}`],
    ['tools', `podman ${manifest.podmanVersion}, CRIU ${manifest.criuVersion}${f ? `, ${f.runtime || 'runc'} ${f.runtimeVersion}` : ''}`],
    ...(f
      ? ([
          ['host', `${f.arch}, kernel ${f.kernel}, ${f.cpuModel || 'unknown CPU'} (${f.cpuFlags.length} CPU flags)`],
          ['ports', f.ports.map(publishSpec).join(', ') || 'none'],
          ['addresses', [...f.staticIPs, ...f.staticMACs].join(', ') || 'none static'],
        ] as Array<[string, string]>)
      : [['host', 'not recorded (an archive from before berth kept host facts)'] as [string, string]]),
    ...(manifest.importedFrom ? [['imported', `from ${manifest.importedFrom}`] as [string, string]] : []),
    ['memory', `${mib(contents.memoryBytes)} of pages in ${contents.members} archive members`],
  ];
  for (const [k, v] of lines) process.stdout.write(`${k.padEnd(10)} ${v}\n`);
  process.stdout.write(`processes  ${contents.processes.length}\n    PID   PPID  THREADS  COMMAND\n`);
  const children = new Map<number, typeof contents.processes[number][]>();
  for (const p of contents.processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const pids = new Set(contents.processes.map((p) => p.pid));
  const walk = (p: typeof contents.processes[number], depth: number): void => {
    process.stdout.write(`${String(p.pid).padStart(7)} ${String(p.ppid).padStart(6)} ${String(p.threads.length).padStart(8)}  ${'  '.repeat(depth)}${p.comm}\n`);
    for (const c of children.get(p.pid) ?? []) walk(c, depth + 1);
  };
  for (const root of contents.processes.filter((p) => !pids.has(p.ppid))) walk(root, 0);
  return 0;
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

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

export async function runRestore(name: string, flags: ScopeFlags & { archive?: string; latest?: boolean; json?: boolean; dryRun?: boolean }): Promise<number> {
  if (flags.archive && flags.latest) throw new UsageError('give --archive FILE or --latest, not both');
  const c = checkpointable(name, flags);
  const user = flags.user ?? false;
  // The unit's stop and start go over D-Bus (systemd/); loaded here so other commands do not pay for it.
  const [{ SystemdManager }, { BusUnitControl }, { describePlan }] = await Promise.all([
    import('../systemd/manager.js'),
    import('../systemd/unit-control.js'),
    import('../checkpoint/restore-plan.js'),
  ]);
  const manager = await SystemdManager.connect({ user });
  let outcome;
  try {
    outcome = await restoreUnit({
      name: c.serviceName,
      container: c.containerName,
      directory: c.checkpoint.directory,
      ...(flags.archive ? { archive: flags.archive } : {}),
      runtimeDir: runtimeDir(user),
      lockDir: lockDir(user),
      systemctl: new BusUnitControl(manager),
      dryRun: flags.dryRun ?? false,
    });
  } finally {
    await manager.close();
  }
  const { archive, plan, restored } = outcome;
  // A dry run's refused plan is a failure too (a real one throws before anything is changed).
  const status = plan.ok ? 0 : 1;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ unit: `${c.serviceName}.service`, archive: archive.path, createdAt: archive.createdAt.toISOString(), restored, plan }, null, 2) + '\n');
    return status;
  }
  if (!restored) {
    for (const line of describePlan(plan)) process.stdout.write(`${line}\n`);
    process.stdout.write(`${archive.path} ${plan.ok ? 'can' : 'cannot'} be restored as ${c.serviceName}.service (dry run: nothing was changed)\n`);
    return status;
  }
  for (const note of plan.notes) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(`${c.serviceName}.service is active, restored from ${archive.path} (checkpoint of ${archive.createdAt.toISOString()})\n`);
  return status;
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
