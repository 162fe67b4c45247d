/**
 * `berth print NAME [--effective | --unit] [--json]`: a definition as written (the file, then each of its
 * drop-ins, verbatim, each under a `# PATH` line, as `systemctl cat` shows a unit), as berth reads it
 * (--effective: drop-ins merged, each line after the file and line it came from), or the units berth
 * generates from it (--unit: compiled as the generator compiles the whole search path, printed as
 * `berth generate --dryrun` prints them).
 */
import { formatProblem, UsageError, type DefinitionError } from '../errors.js';
import { effectiveDefinition, formatEffective } from '../generator/effective.js';
import { readDefinitionText } from '../generator/load.js';
import { findDefinition, type FoundDefinition } from '../generator/lookup.js';
import { plan } from '../generator/plan.js';
import { searchPaths } from '../generator/search-paths.js';
import { formatDryRun } from '../generator/write.js';
import { berthCommand } from './generate-command.js';

export interface PrintFlags {
  user?: boolean;
  unit?: boolean;
  effective?: boolean;
  json?: boolean;
  podmanVersion?: string;
}

export interface PrintIo {
  out(text: string): void;
  err(text: string): void;
}

const STD_IO: PrintIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Returns the exit status: 0, or 1 when a file cannot be read again or (--unit) the definition is refused. */
export async function runPrint(name: string, flags: PrintFlags, env: NodeJS.ProcessEnv = process.env, io: PrintIo = STD_IO): Promise<number> {
  if (flags.unit && flags.effective) throw new UsageError('print: --unit and --effective exclude each other');
  const user = flags.user ?? false;
  const dirs = searchPaths(user, env);
  const found = findDefinition(name, user, env, dirs);
  if (flags.unit) return printUnits(found, user, dirs, flags, env, io);
  const def = found.definition;
  if (flags.effective) {
    const sections = effectiveDefinition(def);
    io.out(flags.json
      ? json({ definition: def.unit.path, unit: `${found.serviceName}.service`, dropins: found.dropins, sections })
      : formatEffective(def, sections, found.dropins));
    return 0;
  }
  const files: { path: string; text: string }[] = [];
  let status = 0;
  for (const path of [def.unit.path, ...found.dropins]) {
    const read = readDefinitionText(path);
    if ('text' in read) files.push({ path, text: read.text });
    else {
      io.err(`berth: ${path}: ${'skip' in read ? read.skip : read.error}\n`);
      status = 1;
    }
  }
  io.out(flags.json
    ? json({ definition: def.unit.path, unit: `${found.serviceName}.service`, files })
    : files.map((f) => `# ${f.path}\n${f.text}${f.text.endsWith('\n') || f.text === '' ? '' : '\n'}`).join('\n'));
  return status;
}

/** A problem that is this definition's: in its file or one of its drop-ins. */
function concerns(found: FoundDefinition, e: DefinitionError): boolean {
  const file = e.location.file;
  return file === found.definition.unit.path || e.location.definition === found.definition.fileName || found.dropins.includes(file);
}

async function printUnits(found: FoundDefinition, user: boolean, dirs: readonly string[], flags: PrintFlags, env: NodeJS.ProcessEnv, io: PrintIo): Promise<number> {
  const { target, result, errors, warnings } = await plan(dirs, {
    user, env, berth: berthCommand(env), ...(flags.podmanVersion ? { podmanVersion: flags.podmanVersion } : {}),
  });
  const source = found.definition.unit.path;
  const units = result.units.filter((u) => u.source === source);
  const own = errors.filter((e) => concerns(found, e));
  const ownWarnings = warnings.filter((w) => concerns(found, w));
  if (flags.json) {
    io.out(json({
      definition: source,
      podman: `${target.version.major}.${target.version.minor}.${target.version.patch}`,
      units: units.map((u) => ({ fileName: u.fileName, text: u.text, symlinks: u.symlinks })),
      errors: own.map((e) => e.message),
      warnings: ownWarnings.map((w) => w.message),
    }));
  } else {
    for (const w of ownWarnings) io.err(`berth: warning: ${formatProblem(w, 'compiler', 'warning')}\n`);
    for (const e of own) io.err(`berth: ${formatProblem(e, 'compiler')}\n`);
    io.out(formatDryRun(units));
  }
  return units.length > 0 && own.length === 0 ? 0 : 1;
}
