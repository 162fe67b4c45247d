/**
 * `berth adopt NAME`: takes a running container under systemd without losing its state. Everything that can
 * be checked is checked before the container is touched (it runs, no unit has it, its definition compiles,
 * no definition or unit of that name exists). Then: a checkpoint that ends the container, keeping CRIU's
 * images in its storage too; the archive read back; the definition installed and systemd reloaded; the unit
 * started with a restore request, so its `berth start` restores the archive under the unit; and the restored
 * container, paused for the moment, compared with the archive (state-compare.ts).
 *
 * When a step fails, what was done is undone in reverse, and the container is put back as it was: before the
 * unit started, from the images in its own storage (`podman container restore NAME`, its conmon outside
 * systemd as before); after, or when podman removed the stopped container (--rm), from the archive, outside
 * the unit. The archive is kept in any case: it is the container's state.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CHECKPOINT_DIR, type CheckpointSettings } from '../compile/checkpoint-settings.js';
import type { InspectedContainer } from '../engine/inspected.js';
import type { Podman } from '../engine/podman.js';
import { AdoptError, formatProblem, UsageError } from '../errors.js';
import { findContainer } from '../generator/lookup.js';
import { plan } from '../generator/plan.js';
import type { Imported } from '../import/definition.js';
import { baselineArgs, importInspected } from '../import/inspect.js';
import { installDefinition } from '../import/install.js';
import { archiveState, type ArchivedState } from './archive-state.js';
import { writeDurably } from './durable.js';
import { liveState } from './live-state.js';
import { requestPath, restoreContainer, writeRestoreRequest, type UnitControl } from './restore.js';
import { compareState, type StateComparison } from './state-compare.js';
import { takeCheckpoint } from './take.js';

/** The systemd side adopt needs: restore's unit commands, a reload, a unit's load state and main process. */
export interface AdoptUnits extends UnitControl {
  reload(): Promise<void>;
  loadState(unit: string): Promise<string>;
  mainPid(unit: string): Promise<number>;
}

export interface AdoptOptions {
  /** The container's name or ID. */
  readonly container: string;
  readonly podman: Podman;
  readonly units: AdoptUnits;
  /** Where the definition is installed (/etc/berth/definitions). */
  readonly definitionsDir: string;
  /** The definition's [Checkpoint] Directory= (default /var/lib/berth/checkpoints). */
  readonly directory?: string;
  /** systemd's %t: where the restore request is left (/run). */
  readonly runtimeDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export interface Adopted {
  readonly definition: string;
  readonly unit: string;
  readonly archive: string;
  readonly comparison: StateComparison;
  readonly warnings: readonly string[];
}

const running = (c: InspectedContainer): boolean => (c.State as { Running?: boolean } | undefined)?.Running === true;

/** The definition of the container, checked before anything is touched. */
async function definitionOf(o: AdoptOptions, c: InspectedContainer): Promise<{ imported: Imported; settings: CheckpointSettings; name: string }> {
  if (!running(c)) throw new UsageError(`${c.Name} is not running: there is no state to take (berth import --container ${c.Name} writes its definition)`);
  const owner = (c.Config.Labels as Record<string, string> | null | undefined)?.['PODMAN_SYSTEMD_UNIT'];
  if (owner) throw new UsageError(`${c.Name} already runs under ${owner}`);
  const directory = o.directory ?? DEFAULT_CHECKPOINT_DIR;
  const imported = importInspected(c, await o.podman.inspectNew(baselineArgs(c)), {
    notes: [`Adopted by berth adopt on ${new Date().toISOString()}: the unit restored the container's state from a checkpoint.`],
    sections: [['Checkpoint', [['Directory', directory]]]],
  });
  const name = imported.fileName.replace(/\.container$/, '');
  const target = join(o.definitionsDir, imported.fileName);
  if (await stat(target).then(() => true, () => false)) throw new UsageError(`${target} already exists: berth adopt writes a new definition`);
  const state = await o.units.loadState(`${name}.service`);
  if (state !== 'not-found') throw new UsageError(`systemd already has ${name}.service (${state})`);
  // Compiled as the generator will: in a private folder, with the search for this podman's version.
  const dir = await mkdtemp(join(tmpdir(), 'berth-adopt-'));
  try {
    await writeDurably(join(dir, imported.fileName), imported.text, 0o600);
    const env = o.env ?? process.env;
    const { errors } = await plan([dir], { user: false, env });
    if (errors.length > 0) throw new UsageError(`the definition of ${c.Name} does not compile:\n${errors.map((e) => formatProblem(e, 'compiler')).join('\n')}\n${imported.text}`);
    const found = findContainer(name, false, env, [dir]);
    if (found.containerName !== c.Name) throw new UsageError(`the definition names container ${found.containerName}, not ${c.Name}`);
    return { imported, settings: found.checkpoint!, name };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function adopt(o: AdoptOptions): Promise<Adopted> {
  const c = await o.podman.inspectJson(o.container);
  if (!c) throw new UsageError(`podman has no container ${o.container}`);
  const { imported, settings, name } = await definitionOf(o, c);
  const unit = `${name}.service`;
  const mounts = ['/dev/shm', ...Object.keys((c.HostConfig.Tmpfs ?? {}) as Record<string, string>)];

  o.log(`checkpointing ${c.Name} (${c.Id.slice(0, 12)}) into ${settings.directory}/${name}`);
  let archive: string;
  try {
    ({ archive: { path: archive } } = await takeCheckpoint({ name, container: c.Name, settings: { ...settings, leaveRunning: false }, user: false, podman: o.podman, keepLocal: true, ...(o.env ? { env: o.env } : {}) }));
  } catch (err) {
    // A failed checkpoint leaves the container running; one that ended it left CRIU's images behind.
    const now = await o.podman.inspectJson(c.Name).catch(() => undefined);
    if (now && running(now)) throw new AdoptError(`the checkpoint of ${c.Name} failed (${(err as Error).message})`, `${c.Name} runs as before; nothing was written`, { cause: err });
    await o.podman.restoreLocal(c.Name).catch(() => undefined);
    throw new AdoptError(`the checkpoint of ${c.Name} failed (${(err as Error).message})`, await leftAs(o, c.Name, 'from its own checkpoint'), { cause: err });
  }

  // From here on, each step that was done is undone if a later one fails.
  let installed: string | undefined;
  let started = false;
  const undo = async (why: string, cause?: unknown): Promise<never> => {
    if (started) await o.units.run('stop', unit).catch(() => undefined);
    await rm(requestPath(o.runtimeDir, name), { force: true });
    if (installed) {
      await rm(installed, { force: true });
      await o.units.reload().catch(() => undefined);
    }
    // Before the unit started, the stopped container still holds CRIU's images, unless podman removed it
    // at its exit (--rm): then, as after the start, the archive brings it back.
    const local = !started && (await o.podman.inspectJson(c.Name).catch(() => undefined)) !== undefined;
    try {
      if (local) await o.podman.restoreLocal(c.Name);
      else await restoreContainer(o.podman, archive, { container: c.Name, running: true }, o.log);
    } catch (x) {
      throw new AdoptError(why, `putting ${c.Name} back failed too (${(x as Error).message}): its state is in ${archive} (podman container restore --import ${archive})`, { cause });
    }
    throw new AdoptError(why, await leftAs(o, c.Name, local ? 'from its own checkpoint' : `from ${archive}`, archive), { cause });
  };

  let archived: ArchivedState;
  try {
    archived = await archiveState(archive, settings.compress);
    installed = await installDefinition(o.definitionsDir, imported, false);
    o.log(`installed ${installed}; reloading systemd`);
    await o.units.reload();
    const state = await o.units.loadState(unit);
    if (state !== 'loaded') return await undo(`systemd did not load ${unit} from ${installed} (${state}; see journalctl -b -t berth)`);
    const found = findContainer(name, false, o.env ?? process.env);
    if (found.definition.unit.path !== installed) return await undo(`${found.definition.unit.path} hides ${installed}`);
    await writeRestoreRequest(o.runtimeDir, name, archive);
    started = true;
    o.log(`starting ${unit}, restoring from ${archive}`);
    const r = await o.units.run('start', unit);
    if (r.exitCode !== 0) return await undo(`${unit} did not start (${r.stderr.trim()}; see journalctl -u ${unit})`);
  } catch (err) {
    if (err instanceof AdoptError) throw err;
    return undo((err as Error).message, err);
  }

  let comparison: StateComparison;
  try {
    comparison = await verify(o, c.Name, unit, archived, mounts);
  } catch (err) {
    return undo(`${unit} is not the container that was checkpointed: ${(err as Error).message}`, err);
  }
  if (comparison.problems.length > 0) return undo(`${unit} did not bring back what was checkpointed: ${comparison.problems.join('; ')}`);
  return { definition: installed!, unit, archive, comparison, warnings: imported.warnings };
}

/** The unit runs the container (its conmon is the main process), and the container, paused for the moment, is the archive's. */
async function verify(o: AdoptOptions, container: string, unit: string, archived: ArchivedState, mounts: readonly string[]): Promise<StateComparison> {
  const now = await o.podman.inspectJson(container);
  const state = now?.State as { Running?: boolean; Pid?: number; ConmonPid?: number } | undefined;
  if (!now || !state?.Running || !state.Pid) throw new Error(`${container} is not running`);
  const main = await o.units.mainPid(unit);
  if (main !== state.ConmonPid) throw new Error(`the main process of ${unit} is ${main}, not the container's conmon ${state.ConmonPid ?? '?'}`);
  await o.podman.pause(container, true);
  try {
    return compareState(archived, await liveState(state.Pid, mounts), mounts);
  } finally {
    await o.podman.pause(container, false);
  }
}

/** What became of the container after an undo, checked rather than assumed. */
async function leftAs(o: AdoptOptions, container: string, how: string, archive?: string): Promise<string> {
  const now = await o.podman.inspectJson(container).catch(() => undefined);
  const kept = archive ? `; the archive stays at ${archive}` : '';
  if (now && running(now)) return `${container} was put back as it was, ${how}, and runs outside systemd as before${kept}`;
  return `${container} could not be put back running${archive ? `: its state is in ${archive} (podman container restore --import ${archive})` : ''}`;
}
