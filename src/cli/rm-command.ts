/**
 * `berth rm NAME [--user] [--stop] [--remove-checkpoints|--keep-checkpoints] [--json]`: removes a
 * definition (and the drop-in folder of its exact name beside it) from the administrator's definitions
 * folder, under the scope's definitions lock, reloads systemd, and checks that none of its units is left.
 * Its checkpoint archives stay unless --remove-checkpoints. Exit status: 0 removed, 1 refused or failed, 2 usage.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readdir, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CheckpointLock } from '../checkpoint/lock.js';
import { fsyncDir, removeFile } from '../checkpoint/durable.js';
import { isCode } from '../checkpoint/process.js';
import { CheckpointStore } from '../checkpoint/store.js';
import { lockDir } from '../checkpoint/take.js';
import { baseName } from '../compile/definition.js';
import { KINDS, kindOf, serviceNameOf } from '../compile/kinds.js';
import { containerEntry } from '../containers/inventory.js';
import { InstallError, UsageError } from '../errors.js';
import { expandDirs } from '../generator/load.js';
import { plan } from '../generator/plan.js';
import { definitionsDir, searchPaths } from '../generator/search-paths.js';
import { acquireDefinitionsLock, definitionsLockDir } from '../install/lock.js';
import { checkRemovable, isRunning, resolveName, type DefinedUnit } from '../install/remove.js';
import { connectUnits, type Units } from '../install/units.js';
import type { InstallDeps } from './install-command.js';

export interface RmFlags {
  user?: boolean;
  stop?: boolean;
  removeCheckpoints?: boolean;
  keepCheckpoints?: boolean;
  json?: boolean;
  podmanVersion?: string;
}

export interface RmDeps extends InstallDeps {
  /** Where the containers' checkpoint locks are, for --remove-checkpoints. */
  readonly checkpointLockDir?: string;
}

export async function runRm(name: string, flags: RmFlags, deps: RmDeps = {}): Promise<number> {
  if (flags.removeCheckpoints && flags.keepCheckpoints) throw new UsageError('give --remove-checkpoints or --keep-checkpoints, not both');
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const err = deps.err ?? ((s: string) => void process.stderr.write(s));

  // Held from the look at the definitions to the reload: an install of the same name waits.
  const lock = await acquireDefinitionsLock(deps.lockDir ?? definitionsLockDir(flags.user ?? false, env));
  try {
    return await removeLocked(name, flags, deps, env, out, err);
  } finally {
    await lock.release();
  }
}

async function removeLocked(name: string, flags: RmFlags, deps: RmDeps, env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const user = flags.user ?? false;
  const log = (line: string): void => {
    if (!flags.json) out(`${line}\n`);
  };
  const search = searchPaths(user, env);
  const p = await plan(search, { user, env, ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}) });
  const defined: DefinedUnit[] = p.loaded.definitions.map((d) => {
    const made = p.result.units.filter((u) => u.source === d.unit.path && !u.fileName.includes('/')).map((u) => u.fileName);
    const main = `${serviceNameOf(d)}.service`;
    return { fileName: d.fileName, path: d.unit.path, units: [main, ...made.filter((u) => u !== main)] };
  });
  // A definition that does not even parse is not loaded, but is there to remove (with the unit it would make).
  const folders = expandDirs(search);
  for (const folder of folders) {
    for (const f of readdirSync(folder)) {
      const kind = kindOf(f);
      if (kind && !defined.some((d) => d.fileName === f) && statSync(join(folder, f), { throwIfNoEntry: false })?.isFile()) {
        defined.push({ fileName: f, path: join(folder, f), units: [`${baseName(f)}${KINDS[kind].serviceSuffix}.service`] });
      }
    }
  }
  const def = resolveName(name, defined);
  const others = folders.map((d) => join(d, def.fileName)).filter((f) => f !== def.path && existsSync(f));
  const adminDir = definitionsDir(user, env);
  checkRemovable(def, adminDir, others);
  const definition = p.loaded.definitions.find((d) => d.unit.path === def.path);
  const entry = definition?.kind === 'container' ? containerEntry(definition) : undefined;

  const report = {
    ok: false, definition: def.path, removed: [] as string[], stopped: [] as string[], reloaded: false,
    units: [] as Array<{ unit: string; loadState: string }>,
    checkpoints: entry?.checkpoint ? { directory: join(entry.checkpoint.directory, entry.name), kept: !flags.removeCheckpoints, removed: [] as string[] } : null,
    error: undefined as string | undefined,
  };
  const finish = (code: number): number => {
    if (flags.json) out(JSON.stringify(report, null, 2) + '\n');
    return code;
  };
  const fail = (message: string): number => {
    report.error = message;
    err(`berth: ${message}\n`);
    return finish(1);
  };

  let units: Units | undefined;
  let checkpointLock: CheckpointLock | undefined;
  try {
    units = await (deps.connect ?? connectUnits)(user);
    const states = await units.states(def.units);
    const main = states[0]!;
    if (isRunning(main.activeState) && !flags.stop) {
      throw new InstallError(`${main.unit} is ${main.activeState}: nothing was removed; give --stop to stop it first`);
    }
    // Timers first (a checkpoint timer must not start its service again), then the services.
    const running = states.filter((s) => isRunning(s.activeState)).sort((a, b) => Number(b.unit.endsWith('.timer')) - Number(a.unit.endsWith('.timer')));
    for (const s of running) {
      const result = await units.stop(s.unit);
      if (result !== 'done') return fail(`stopping ${s.unit} ended "${result}": nothing was removed (journalctl${user ? ' --user' : ''} -u ${s.unit})`);
      report.stopped.push(s.unit);
      log(`stopped ${s.unit}`);
    }
    if (flags.removeCheckpoints && entry?.checkpoint) checkpointLock = await CheckpointLock.acquire(deps.checkpointLockDir ?? lockDir(user, env), entry.name);

    report.removed.push(...(await removeDefinition(def.path)));
    for (const r of report.removed) log(`removed ${r}`);
    await units.reload();
    report.reloaded = true;
    for (const s of await units.states(def.units)) {
      if (s.activeState === 'failed') await units.resetFailed(s.unit).catch(() => undefined);
    }
    for (const unit of def.units) report.units.push({ unit, loadState: await units.loadState(unit) });
    const left = report.units.filter((u) => u.loadState !== 'not-found');
    if (left.length > 0) return fail(`${def.path} was removed and systemd reloaded, but ${left.map((u) => `${u.unit} is still ${u.loadState}`).join(', ')}`);
    log(`systemd reloaded: ${def.units.join(', ')} gone`);

    if (report.checkpoints) {
      if (checkpointLock) {
        report.checkpoints.removed = await new CheckpointStore(entry!.checkpoint!.directory, entry!.name).removeAll();
        for (const r of report.checkpoints.removed) log(`removed ${r}`);
      } else if (existsSync(report.checkpoints.directory)) log(`kept the checkpoint archives in ${report.checkpoints.directory} (--remove-checkpoints removes them)`);
    }
    report.ok = true;
    return finish(0);
  } catch (x) {
    if (flags.json && x instanceof InstallError) return fail(x.message);
    throw x;
  } finally {
    await checkpointLock?.release().catch(() => undefined);
    await units?.close().catch(() => undefined);
  }
}

/**
 * Removes the definition, then its own drop-in folder (NAME.KIND.d beside it: the *.conf files, then the
 * folder when it is empty); shared drop-in folders (container.d, truncated names) stay. Returns the paths.
 */
export async function removeDefinition(path: string): Promise<string[]> {
  const removed: string[] = [];
  if (await removeFile(path)) removed.push(path);
  await fsyncDir(dirname(path));
  const dropins = `${path}.d`;
  let names: string[];
  try {
    names = await readdir(dropins);
  } catch (x) {
    if (isCode(x, 'ENOENT') || isCode(x, 'ENOTDIR')) return removed;
    throw x;
  }
  for (const n of names.filter((n) => n.endsWith('.conf')).sort()) {
    if (await removeFile(join(dropins, n))) removed.push(join(dropins, n));
  }
  try {
    await rmdir(dropins);
    removed.push(dropins);
    await fsyncDir(dirname(path));
  } catch (x) {
    if (!isCode(x, 'ENOTEMPTY') && !isCode(x, 'EEXIST')) throw x;
  }
  return removed;
}
