/**
 * `berth install FILE|DIR… [--user] [--replace] [--force] [--no-reload] [--json]`: checks the definitions
 * as the generator will see them, writes them atomically into the definitions folder under the scope's
 * definitions lock (install/lock.ts), and reloads systemd over D-Bus. Exit status: 0 installed, 1 refused
 * or failed (nothing written, unless the failure came after the write: then it says so), 2 usage.
 */
import { join } from 'node:path';
import { formatProblem, InstallError } from '../errors.js';
import { definitionsDir, searchPaths } from '../generator/search-paths.js';
import { checkInstall, taken, writeItems, type Written } from '../install/install.js';
import { acquireDefinitionsLock, definitionsLockDir } from '../install/lock.js';
import { resolveSources } from '../install/sources.js';
import { connectUnits, type Units, type UnitState } from '../install/units.js';

export interface InstallFlags {
  user?: boolean;
  replace?: boolean;
  force?: boolean;
  json?: boolean;
  /** false with --no-reload. */
  reload?: boolean;
  podmanVersion?: string;
}

/** What install and rm take from their caller (tests give a fake systemd, a lock folder, output sinks). */
export interface InstallDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly connect?: (user: boolean) => Promise<Units>;
  readonly lockDir?: string;
  readonly out?: (s: string) => void;
  readonly err?: (s: string) => void;
}

interface Report {
  ok: boolean;
  written: Array<Written & { from: string }>;
  problems: string[];
  forced: boolean;
  reloaded: boolean;
  units: Array<UnitState & { definition: string }>;
  error?: string;
}

export async function runInstall(paths: string[], flags: InstallFlags, deps: InstallDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const err = deps.err ?? ((s: string) => void process.stderr.write(s));
  const user = flags.user ?? false;
  const notes: string[] = [];
  const items = resolveSources(paths, notes);
  for (const n of notes) err(`berth: ${n}\n`);
  const dir = definitionsDir(user, env);
  const report: Report = { ok: false, written: [], problems: [], forced: false, reloaded: false, units: [] };
  const finish = (code: number): number => {
    if (flags.json) out(JSON.stringify(report, null, 2) + '\n');
    return code;
  };

  const lock = await acquireDefinitionsLock(deps.lockDir ?? definitionsLockDir(user, env));
  try {
    // A taken name refuses before anything is checked (writeItems checks again, as it writes).
    const t = flags.replace ? [] : await taken(items, dir);
    if (t.length > 0) {
      report.error = `${t.join(', ')} already exist${t.length === 1 ? 's' : ''}: nothing was written; give --replace to replace ${t.length === 1 ? 'it' : 'them'}`;
      if (!flags.json) throw new InstallError(report.error);
      err(`berth: ${report.error}\n`);
      return finish(1);
    }
    const check = await checkInstall(items, { user, env, dir, searchDirs: searchPaths(user, env), ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}) });
    if (check.targetWarning) err(`berth: ${check.targetWarning}\n`);
    for (const w of check.warnings) err(`${formatProblem(w, 'compiler')}\n`);
    report.problems = [
      ...check.problems.map((p) => formatProblem(p, 'compiler')),
      ...[...check.hidden].map(([fileName, by]) => `${fileName}: ${by} comes first on the search path and hides it: systemd would not run the one installed`),
    ];
    for (const p of report.problems) err(`${p}\n`);
    if (report.problems.length > 0) {
      if (!flags.force) {
        report.error = `${report.problems.length} problem(s): nothing was installed (--force installs anyway)`;
        err(`berth: ${report.error}\n`);
        return finish(1);
      }
      report.forced = true;
      err(`berth: ${report.problems.length} problem(s), installed anyway (--force)\n`);
    }
    const from = new Map(items.flatMap((i) => [i.definition, ...i.dropins]).map((f) => [join(dir, f.relPath), f.from]));
    try {
      report.written = (await writeItems(items, dir, flags.replace ?? false)).map((w) => ({ ...w, from: from.get(w.path) ?? '' }));
    } catch (x) {
      if (flags.json && x instanceof InstallError) {
        report.error = x.message;
        err(`berth: ${x.message}\n`);
        return finish(1);
      }
      throw x;
    }
    if (!flags.json) for (const w of report.written) out(`${w.replaced ? 'replaced' : 'installed'} ${w.path}\n`);

    if (flags.reload === false) {
      report.ok = true;
      if (!flags.json) out(`not reloaded (--no-reload): run systemctl${user ? ' --user' : ''} daemon-reload\n`);
      return finish(0);
    }
    const wanted = items.flatMap((i) => (check.units.get(i.fileName) ?? []).map((unit) => ({ unit, definition: i.fileName })));
    let units: Units | undefined;
    try {
      units = await (deps.connect ?? connectUnits)(user);
      await units.reload();
      report.reloaded = true;
      const states = await units.states(wanted.map((w) => w.unit));
      report.units = states.map((s, i) => ({ ...s, definition: wanted[i]!.definition }));
    } catch (x) {
      report.error = `written, but reloading systemd failed: ${(x as Error).message}; run systemctl${user ? ' --user' : ''} daemon-reload`;
      err(`berth: ${report.error}\n`);
      return finish(1);
    } finally {
      await units?.close().catch(() => undefined);
    }
    if (!flags.json) out(`systemd reloaded${report.units.length ? ': ' + report.units.map((u) => `${u.unit} ${u.loadState}, ${u.activeState}`).join('; ') : ''}\n`);
    const unloaded = report.units.filter((u) => u.loadState !== 'loaded');
    if (unloaded.length > 0 && !report.forced) {
      report.error = `written and reloaded, but systemd did not load ${unloaded.map((u) => `${u.unit} (${u.loadState})`).join(', ')}: is berth's generator installed? (berth doctor)`;
      err(`berth: ${report.error}\n`);
      return finish(1);
    }
    report.ok = true;
    return finish(0);
  } finally {
    await lock.release();
  }
}
