import test from 'ava';
import { readFileSync } from 'node:fs';
import { BUILD_KEYS } from '../../src/compile/build-keys.js';
import { CONTAINER_KEYS } from '../../src/compile/container-keys.js';
import { gate } from '../../src/compile/gates.js';
import { IMAGE_KEYS } from '../../src/compile/image-keys.js';
import { keyGate } from '../../src/compile/rules.js';
import { parseVersion } from '../../src/compile/version.js';
import type { KeyTable } from '../../src/compile/rules.js';

const README = new URL('../../../README.md', import.meta.url).pathname;
const NEWEST = parseVersion('6.0')!;

/** The README's table of degraded keys: "KEY section version" for each key of each row. */
function documented(): Set<string> {
  const text = readFileSync(README, 'utf8');
  const after = text.slice(text.indexOf('<!-- degraded keys')).split('\n').slice(1);
  // The table runs from the marker to the first line that is not a table row.
  const rows = after.slice(0, after.findIndex((l) => !l.startsWith('|'))).filter((l) => l.startsWith('| `'));
  const out = new Set<string>();
  for (const row of rows) {
    const [keys, sections, version] = row.split('|').slice(1, 4).map((c) => c.trim());
    for (const key of keys!.match(/`[^`]+`/g)!.map((k) => k.slice(1, -1))) {
      for (const section of sections!.split(', ')) out.add(`${key} ${section} ${version}`);
    }
  }
  return out;
}

test('the README lists every key that is left out below its podman, with the version it needs', (t) => {
  const fromTables = new Set<string>(['Notify=healthy Container ' + gate('run --sdnotify=healthy').since]);
  const tables: Array<[string, KeyTable, string]> = [['Container', CONTAINER_KEYS, 'run'], ['Image', IMAGE_KEYS, 'image pull'], ['Build', BUILD_KEYS, 'build']];
  for (const [section, table, subcommand] of tables) {
    for (const [key, def] of Object.entries(table)) {
      if (def.below !== 'drop') continue;
      fromTables.add(`${key} ${section} ${keyGate(def, subcommand, NEWEST)!.since}`);
    }
  }
  t.deepEqual([...documented()].sort(), [...fromTables].sort());
});
