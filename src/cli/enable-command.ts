/**
 * `berth enable|disable NAME [--now]`: whether a definition's unit starts at boot, kept in berth's state
 * folder (generator/enabled.ts), which the generator reads to write the [Install] links or not. The
 * definition is never edited. systemd is then reloaded, so the links change at once (a reload that fails
 * is a warning: the state is saved, and the next daemon-reload or boot applies it); --now also starts
 * (enable) or stops (disable) the unit and waits for the job.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, removeFile, writeDurably } from '../checkpoint/durable.js';
import { InstallError, UsageError } from '../errors.js';
import { defaultTarget, enabledDir, readEnabledState, stateFileName, type EnabledState } from '../generator/enabled.js';
import { findDefinition } from '../generator/lookup.js';
import { SystemdManager } from '../systemd/manager.js';

export interface EnableFlags {
  user?: boolean;
  now?: boolean;
  json?: boolean;
  /** A D-Bus address instead of the system (or user) bus. */
  address?: string;
}

/** What --now and the reload need of systemd (SystemdManager has it; tests give a fake). */
export interface UnitManager {
  reload(): Promise<void>;
  /** loaded, not-found, bad-setting … (LoadUnit). */
  loadState(unit: string): Promise<string>;
  startUnit(unit: string): Promise<string>;
  stopUnit(unit: string): Promise<string>;
  close(): Promise<void>;
}

export interface EnableIo {
  out(text: string): void;
  err(text: string): void;
  connect(opts: { user: boolean; address?: string }): Promise<UnitManager>;
}

const STD_IO: EnableIo = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  connect: (opts) => SystemdManager.connect(opts),
};

/**
 * Records `state` for the definition `fileName` in `dir` (made when missing), so that a crash leaves the
 * state before or the one after: the new entry is made (a fsynced temporary file renamed onto it), then
 * the other one removed, then the folder fsynced. Both present reads as disabled (generator/enabled.ts).
 */
export async function writeEnabledState(dir: string, fileName: string, state: EnabledState): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, stateFileName(fileName, state));
  const temp = join(dir, `.${fileName}.${process.pid}.tmp`);
  await removeFile(temp);
  await writeDurably(temp, '', 0o644);
  try {
    await rename(temp, path);
  } finally {
    await removeFile(temp);
  }
  await removeFile(join(dir, stateFileName(fileName, state === 'enabled' ? 'disabled' : 'enabled')));
  await fsyncDir(dir);
  return path;
}

/** The units, the [Install] keys say, that want (or require, or uphold) the definition's unit. */
function installedBy(unit: { list(section: string, key: string): readonly { value: string }[] }): string[] {
  return ['WantedBy', 'RequiredBy', 'UpheldBy'].flatMap((k) => unit.list('Install', k).map((e) => `${k}=${e.value}`));
}

/** Returns the exit status: 0, or 1 when the state could not be written or --now's job failed. */
export async function runEnable(name: string, state: EnabledState, flags: EnableFlags, env: NodeJS.ProcessEnv = process.env, io: EnableIo = STD_IO): Promise<number> {
  const user = flags.user ?? false;
  const verb = state === 'enabled' ? 'enable' : 'disable';
  if (!user && (process.geteuid?.() ?? 0) !== 0 && !env['BERTH_ENABLED_DIR']) {
    throw new UsageError(`${verb} needs root for the system manager's units (or --user for your own)`);
  }
  const found = findDefinition(name, user, env);
  const def = found.definition;
  let unit = `${found.serviceName}.service`;
  if (found.serviceName.endsWith('@')) {
    const instance = def.unit.get('Install', 'DefaultInstance');
    if (!instance && state === 'enabled') throw new UsageError(`${def.fileName} is a template: it starts at boot only with DefaultInstance= in [Install]`);
    unit = `${found.serviceName}${instance ?? ''}.service`;
  }
  const dir = enabledDir(user, env);
  const before = readEnabledState(dir);
  if (before.warning) throw new InstallError(before.warning);
  const previous = before.states.get(def.fileName) ?? 'default';
  let stateFile: string;
  try {
    stateFile = await writeEnabledState(dir, def.fileName, state);
  } catch (err) {
    throw new InstallError(`${def.fileName}: the state could not be written in ${dir}: ${(err as Error).message}`);
  }
  const by = installedBy(def.unit);
  const boot = state === 'disabled'
    ? `${unit} does not start at boot`
    : by.length > 0
      ? `${unit} starts at boot (${by.join(', ')})`
      : `${unit} starts at boot (wanted by ${defaultTarget(user)}: its [Install] names no WantedBy=, RequiredBy= or UpheldBy=)`;

  let reloaded = false;
  let job: { action: 'start' | 'stop'; result: string } | undefined;
  let failure: string | undefined;
  let manager: UnitManager | undefined;
  try {
    manager = await io.connect({ user, ...(flags.address ? { address: flags.address } : {}) });
    await manager.reload();
    reloaded = true;
    if (state === 'enabled') {
      const load = await manager.loadState(unit);
      if (load !== 'loaded') io.err(`berth: warning: systemd has no unit ${unit} to start (load state ${load}): the generator made none from ${def.fileName}; \`berth print ${def.fileName} --unit\` says why\n`);
    }
    if (flags.now) {
      const action = state === 'enabled' ? 'start' : 'stop';
      const result = action === 'start' ? await manager.startUnit(unit) : await manager.stopUnit(unit);
      job = { action, result };
      if (result !== 'done') failure = `the ${action} job of ${unit} ended with "${result}" (see journalctl -u ${unit})`;
    }
  } catch (err) {
    const why = (err as Error).message;
    if (flags.now) failure = `${reloaded ? `${unit} could not be ${state === 'enabled' ? 'started' : 'stopped'}` : 'systemd could not be reloaded'}: ${why}`;
    else io.err(`berth: warning: systemd could not be reloaded (${why}); the state is saved and takes effect at the next daemon-reload or boot\n`);
  } finally {
    await manager?.close().catch(() => undefined);
  }

  if (flags.json) {
    io.out(JSON.stringify({
      definition: def.unit.path, name: def.fileName, unit, state, previous, stateFile, reloaded,
      ...(job ? { [job.action === 'start' ? 'started' : 'stopped']: job.result === 'done', job: job.result } : {}),
      ...(failure ? { error: failure } : {}),
    }, null, 2) + '\n');
  } else {
    io.out(`${def.fileName}: ${state}${previous === state ? ' (it was already)' : ''}: ${boot}\n`);
    if (job && !failure) io.out(`${unit} ${job.action === 'start' ? 'started' : 'stopped'}\n`);
  }
  if (failure) {
    io.err(`berth: ${failure}\n`);
    return 1;
  }
  return 0;
}
