import test from 'ava';
import { degraded, gate, requireGate, supports, valueGate } from '../../src/compile/gates.js';
import { parseVersion } from '../../src/compile/version.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const v = (s: string) => parseVersion(s)!;

test('a gate named in code must be in the table of versions: a misspelled one fails at once', (t) => {
  t.deepEqual(gate('run --sdnotify=healthy'), { name: 'run --sdnotify=healthy', since: '4.7' });
  t.throws(() => gate('run --sdnotify=heathy'), { message: /unknown version gate "run --sdnotify=heathy"/ });
});

test('a module that names a misspelled gate fails when it loads', async (t) => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'berth-gate-'));
  const file = join(dir, 'typo.mjs');
  writeFileSync(file, `import { gate } from ${JSON.stringify(new URL('../../src/compile/gates.js', import.meta.url).href)};\nexport const G = gate('volume create --ignroe');\n`);
  await t.throwsAsync(import(file), { message: /unknown version gate "volume create --ignroe"/ });
});

test('a value-derived gate may be missing (nothing beyond its flag), and supports() reads either', (t) => {
  t.is(valueGate('volume create --opt noexec'), undefined);
  t.true(supports(v('4.0'), undefined));
  t.false(supports(v('4.6'), gate('run --sdnotify=healthy')));
  t.true(supports(v('4.7'), gate('run --sdnotify=healthy')));
});

test('an unmet gate is an error at the entry, naming the version; a degraded one is a warning', (t) => {
  const unit = UnitFile.parse('[Container]\nNotify=healthy\n', '/d/web.container').unit;
  const e = unit.last('Container', 'Notify')!;
  t.throws(() => requireGate(v('4.6'), unit, e, gate('run --sdnotify=healthy')), {
    message: '/d/web.container:2:1: Notify: needs podman 4.7 or newer (run --sdnotify=healthy); the target podman is 4.6.0',
  });
  t.regex(degraded(v('4.6'), unit, e, gate('run --sdnotify=healthy'), 'it waits for nothing').message, /Notify: Warning: needs podman 4\.7 .*; it waits for nothing$/);
});
