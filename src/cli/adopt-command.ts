/** `berth adopt NAME`: a running container taken under systemd with its state (checkpoint/adopt.ts). */
import { adopt } from '../checkpoint/adopt.js';
import { runtimeDir } from '../checkpoint/take.js';
import { Podman } from '../engine/podman.js';
import { UsageError } from '../errors.js';
import { definitionsDir } from '../generator/search-paths.js';
import { SystemdManager } from '../systemd/manager.js';
import { BusUnitControl } from '../systemd/unit-control.js';

export interface AdoptFlags {
  directory?: string;
  json?: boolean;
}

export async function runAdopt(container: string, flags: AdoptFlags): Promise<number> {
  if ((process.geteuid?.() ?? 0) !== 0) throw new UsageError('adopt needs root: CRIU checkpoints and restores as root, and the unit is a system unit');
  if (flags.directory !== undefined && !flags.directory.startsWith('/')) throw new UsageError(`--directory ${flags.directory}: not an absolute path`);
  const manager = await SystemdManager.connect({ user: false });
  try {
    const log = (line: string) => process.stderr.write(`berth adopt: ${line}\n`);
    const done = await adopt({
      container, podman: new Podman(), units: new BusUnitControl(manager), definitionsDir: definitionsDir(false), runtimeDir: runtimeDir(false), log,
      ...(flags.directory ? { directory: flags.directory } : {}),
    });
    for (const w of done.warnings) process.stderr.write(`berth: warning: ${w}\n`);
    const { processes, mappings, files } = done.comparison.checked;
    if (flags.json) {
      process.stdout.write(JSON.stringify({ unit: done.unit, definition: done.definition, archive: done.archive, checked: done.comparison.checked, notes: done.comparison.notes }, null, 2) + '\n');
      return 0;
    }
    for (const note of done.comparison.notes) process.stdout.write(`note: ${note}\n`);
    process.stdout.write(`${done.unit} is active with ${container}'s state from ${done.archive}: ${processes} process(es), ${mappings} memory mapping(s) and ${files} tmpfs file(s) checked\n`);
    process.stdout.write(`definition: ${done.definition}\n`);
    return 0;
  } finally {
    await manager.close();
  }
}
