/**
 * Bringing a container back from an archive. Where systemd runs the containers, always under the unit:
 * `berth restore` leaves a request and restarts the unit; the unit's ExecStart (`berth start`) finds the
 * request, or with RestoreOnStart=latest the newest valid archive, and restores instead of running fresh
 * (restoring outside the unit would leave conmon outside the unit's supervision). Where no systemd runs them
 * (the agent's cron mode), restoreInPlace() replaces the container with podman alone.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CheckpointError, EngineError } from '../errors.js';
import { Podman, type ContainerState } from '../engine/podman.js';
import { versionCacheDir } from '../engine/version-cache.js';
import { hostFacts, runtimeHere } from './host-facts.js';
import { importArchive, openForeign } from './import.js';
import { CheckpointLock } from './lock.js';
import { parseManifest, type Manifest } from './manifest.js';
import { portsInUse } from './ports.js';
import { planRestore, type Here, type Intent, type RestorePlan } from './restore-plan.js';
import { CheckpointStore, type ArchiveInfo } from './store.js';
import { runHash } from './take.js';

/** Where `berth restore` leaves the archive for the unit's next start: <runtime dir>/berth/restore/NAME. */
export function requestPath(runtimeDir: string, name: string): string {
  return join(runtimeDir, 'berth', 'restore', name);
}

export async function writeRestoreRequest(runtimeDir: string, name: string, archive: string): Promise<string> {
  const path = requestPath(runtimeDir, name);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, archive + '\n', { mode: 0o600 });
  return path;
}

/** Reads and removes a pending request: it is used once, so a later restart runs fresh. */
async function takeRestoreRequest(runtimeDir: string, name: string): Promise<string | undefined> {
  const path = requestPath(runtimeDir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  await rm(path, { force: true });
  return text.trim() || undefined;
}

export async function readManifestOf(archive: string): Promise<Manifest> {
  try {
    return parseManifest(await readFile(`${archive}.json`, 'utf8'));
  } catch (err) {
    throw new CheckpointError('invalid', `${archive} has no usable manifest: ${(err as Error).message}`);
  }
}

export interface StartOptions {
  readonly name: string;
  /** The unit's PIDFile=; its folder is the runtime dir (%t) that holds restore requests. */
  readonly pidfile: string;
  readonly directory: string;
  readonly restoreLatest: boolean;
  /** The podman run command line the unit runs when it does not restore (its podman does the restore too). */
  readonly argv: readonly string[];
  readonly log?: (line: string) => void;
}

/** The unit's ExecStart: restore when asked (or RestoreOnStart=latest finds an archive), else run. Returns the exit status. */
export async function startContainer(opts: StartOptions): Promise<number> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const podman = new Podman(opts.argv[0]);
  const container = containerNameOf(opts.argv);
  const requested = await takeRestoreRequest(dirname(opts.pidfile), opts.name);
  if (requested) {
    try {
      await restoreArchive(podman, requested, { container, argv: opts.argv }, opts.pidfile, log);
      return 0;
    } catch (err) {
      log(`berth start: restoring ${opts.name} from ${requested} failed: ${(err as Error).message}`);
      return 1;
    }
  }
  if (opts.restoreLatest) {
    const latest = await new CheckpointStore(opts.directory, opts.name).latestValid().catch(() => undefined);
    if (latest?.manifest && latest.manifest.runHash !== undefined && latest.manifest.runHash !== runHash(opts.argv)) {
      log(`berth start: ${latest.path} was taken from a different definition of ${opts.name}; starting fresh`);
    } else if (latest) {
      try {
        await restoreArchive(podman, latest.path, { container, argv: opts.argv }, opts.pidfile, log);
        return 0;
      } catch (err) {
        log(`berth start: restoring ${opts.name} from ${latest.path} failed (${(err as Error).message}); starting fresh`);
      }
    }
  }
  return podman.runAttached(opts.argv.slice(1));
}

/**
 * The container a unit's `podman run` command line makes (its `--name`, which berth's units always give):
 * the only container a restore under that unit may remove or replace.
 */
export function containerNameOf(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') break;
    if (argv[i] === '--name' && argv[i + 1]) return argv[i + 1]!;
    if (argv[i]!.startsWith('--name=') && argv[i]!.length > 7) return argv[i]!.slice(7);
  }
  throw new CheckpointError('invalid', `the podman command line names no container (--name): ${argv.join(' ').slice(0, 200)}`);
}

/** Restores an archive under the calling unit as its container, and writes the unit's PID file with the new conmon's PID. */
export async function restoreArchive(podman: Podman, archive: string, intent: Intent, pidfile: string, log: (l: string) => void): Promise<void> {
  const state = await restoreContainer(podman, archive, intent, (l) => log(`berth start: ${l}`));
  // systemd reads the PID file when ExecStart exits; the archive may name another path than this unit's.
  await writeFile(pidfile, `${state.conmonPid}\n`);
}

/** This host as planRestore sees it, for one archive: its facts, the archive's runtime and image here, the ports in use. */
export async function hostFor(manifest: Manifest, podman: Podman, env: NodeJS.ProcessEnv = process.env): Promise<Here> {
  const cacheDir = versionCacheDir((process.geteuid?.() ?? 0) !== 0, env);
  const [host, runtime, imagePresent, ports] = await Promise.all([
    hostFacts(podman, cacheDir, env),
    runtimeHere(manifest.facts?.runtime ?? '', cacheDir, env),
    manifest.facts?.imageId ? podman.imageExists(manifest.facts.imageId).catch(() => undefined) : undefined,
    portsInUse(),
  ]);
  return { host, runtime, ...(imagePresent !== undefined ? { imagePresent } : {}), portsInUse: ports };
}

/** The plan for restoring an archive here (restore-plan.ts). */
export async function planFor(manifest: Manifest, podman: Podman, intent: Intent): Promise<RestorePlan> {
  return planRestore(manifest, await hostFor(manifest, podman), intent);
}

/** Refuses (CheckpointError `incompatible`) a plan that cannot work, with every reason. */
function mustWork(archive: string, plan: RestorePlan): void {
  if (!plan.ok) throw new CheckpointError('incompatible', `${archive} cannot be restored on this host: ${plan.refusals.join('; ')}`);
}

/**
 * Replaces the definition's container (`intent.container`, and no other) with the archive's; returns its
 * state, running. An archive of a container of that name comes back with its name and ID; one of another
 * name (the definition was renamed) is restored under the definition's name, which podman gives a new ID.
 * What differs from the host it was made on is planned first (restore-plan.ts): nothing is removed for an
 * archive that cannot be restored here.
 */
export async function restoreContainer(podman: Podman, archive: string, intent: Intent, log: (l: string) => void): Promise<ContainerState> {
  const { container } = intent;
  const manifest = await readManifestOf(archive);
  const plan = await planFor(manifest, podman, intent);
  mustWork(archive, plan);
  for (const note of plan.notes) log(`${archive}: ${note}`);
  const { flags } = plan;
  await podman.remove(container);
  try {
    await podman.restore(archive, flags);
  } catch (err) {
    if (flags.name !== undefined || !(err instanceof EngineError) || !/already exists/.test(err.stderr)) throw err;
    // A conmon killed earlier leaves the runtime's state of that ID behind. It is cleared only when no
    // container podman knows has that ID: another container's state is never touched.
    const holder = await podman.inspect(manifest.containerId);
    if (holder) throw new CheckpointError('invalid', `${archive} brings back container ID ${manifest.containerId}, which container ${holder.name} (not ${container}) has now; berth leaves it alone`);
    log(`clearing leftover runtime state of ${manifest.containerId}`);
    await podman.clearRuntimeState(manifest.containerId);
    await podman.restore(archive, flags);
  }
  const state = await podman.inspect(container);
  if (!state?.running || !state.conmonPid) throw new CheckpointError('invalid', `${container} is not running after the restore`);
  log(`restored ${container} from ${archive} (checkpoint of ${manifest.createdAt})`);
  return state;
}

export interface ArchiveChoice {
  readonly name: string;
  readonly directory: string;
  /** An archive path, or undefined for the newest valid archive. */
  readonly archive?: string;
}

/** The archive a restore uses: the one given (it must be a valid archive of this container) or the newest valid one, deeply checked. */
async function chooseArchive(opts: ArchiveChoice): Promise<ArchiveInfo> {
  const store = new CheckpointStore(opts.directory, opts.name);
  if (!opts.archive) {
    const latest = await store.latestValid();
    if (!latest) throw new CheckpointError('invalid', `no valid archive of ${opts.name} in ${store.dir}`);
    return latest;
  }
  const archive = await store.find(opts.archive);
  if (!archive) throw new CheckpointError('invalid', `${resolve(opts.archive)} is not an archive of ${opts.name} in ${store.dir}`);
  if (!archive.valid) throw new CheckpointError('invalid', `${archive.path} is not a valid archive: ${archive.problem}`);
  return archive;
}

export interface RestoreUnitOptions extends ArchiveChoice {
  /** The definition's container: the only one the restore removes or replaces. */
  readonly container: string;
  readonly runtimeDir: string;
  /** Folder of the per-container locks (checkpoint/take.ts's): a checkpoint waits out the restore, and the other way round. */
  readonly lockDir: string;
  readonly systemctl: UnitControl;
  readonly podman?: Podman;
  /** Plan only: check the archive and this host, change nothing. */
  readonly dryRun?: boolean;
}

/** The systemctl verbs restoreUnit needs, answered as systemctl would; systemd/unit-control.ts's BusUnitControl does it over D-Bus. */
export interface UnitControl {
  /** `start|stop|restart UNIT` or `is-active UNIT`: exit status 0 when done, else 1 with systemctl's kind of message. */
  run(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** run(), and an EngineError unless it succeeded. */
  must(...args: string[]): Promise<void>;
  isActive(unit: string): Promise<boolean>;
  /** The command a restorable unit's `berth start` runs when it does not restore (after its `--`), as systemd has it. */
  runArgv(unit: string): Promise<string[] | undefined>;
}

export interface RestoreOutcome {
  readonly archive: ArchiveInfo;
  readonly plan: RestorePlan;
  /** False for a dry run. */
  readonly restored: boolean;
}

/**
 * `berth restore`: plan the restore against this host (refusing before anything is stopped), take in an
 * archive from elsewhere, stop the unit, leave the request, start it again; its ExecStart restores.
 */
export async function restoreUnit(opts: RestoreUnitOptions): Promise<RestoreOutcome> {
  const lock = await CheckpointLock.acquire(opts.lockDir, opts.name);
  try {
    const podman = opts.podman ?? new Podman();
    const unit = `${opts.name}.service`;
    const [argv, running] = await Promise.all([opts.systemctl.runArgv(unit), opts.systemctl.isActive(unit)]);
    const intent: Intent = { container: opts.container, ...(argv ? { argv } : {}), running };
    const store = new CheckpointStore(opts.directory, opts.name);
    let archive: ArchiveInfo;
    let plan: RestorePlan;
    if (opts.archive && dirname(resolve(opts.archive)) !== store.dir) {
      const foreign = await openForeign(opts.archive);
      try {
        plan = await planFor(foreign.manifest, podman, intent);
        if (opts.dryRun) return { archive: { path: foreign.path, manifestPath: `${foreign.path}.json`, createdAt: new Date(foreign.manifest.createdAt), size: foreign.manifest.size, manifest: foreign.manifest, valid: true }, plan, restored: false };
        mustWork(foreign.path, plan);
        archive = await importArchive(store, foreign);
      } finally {
        await foreign.close();
      }
    } else {
      archive = await chooseArchive(opts);
      plan = await planFor(archive.manifest!, podman, intent);
      if (opts.dryRun) return { archive, plan, restored: false };
      mustWork(archive.path, plan);
    }
    // Stopping removes the running container, whose name and ID the archive brings back.
    await opts.systemctl.must('stop', unit);
    const request = await writeRestoreRequest(opts.runtimeDir, opts.name, archive.path);
    const started = await opts.systemctl.run('start', unit);
    if (started.exitCode !== 0) {
      await rm(request, { force: true });
      throw new EngineError(['systemctl', 'start', unit], started.exitCode, `${started.stderr.trim()} (see journalctl -u ${unit})`);
    }
    if (!(await opts.systemctl.isActive(unit))) throw new CheckpointError('invalid', `${unit} is not active after the restore (see journalctl -u ${unit})`);
    return { archive, plan, restored: true };
  } finally {
    await lock.release();
  }
}

export interface RestoreInPlaceOptions extends ArchiveChoice {
  readonly podman: Podman;
  /** The definition's container: the only one the restore removes or replaces. */
  readonly container: string;
  /** Folder of the per-container locks (checkpoint/take.ts's): a scheduled checkpoint waits out the restore. */
  readonly lockDir: string;
  readonly log: (line: string) => void;
}

/**
 * A restore where no systemd runs the container (the agent's cron mode): under the container's checkpoint
 * lock, the running container is replaced by the archive's, with podman alone. Returns the archive used.
 */
export async function restoreInPlace(opts: RestoreInPlaceOptions): Promise<ArchiveInfo> {
  const lock = await CheckpointLock.acquire(opts.lockDir, opts.name);
  try {
    const archive = await chooseArchive(opts);
    await restoreContainer(opts.podman, archive.path, { container: opts.container, running: true }, opts.log);
    return archive;
  } finally {
    await lock.release();
  }
}
