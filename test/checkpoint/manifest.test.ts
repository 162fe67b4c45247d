import test from 'ava';
import { parseManifest, serializeManifest, type Manifest } from '../../src/checkpoint/manifest.js';
import { FACTS, fields } from './fixtures.js';

const good: Manifest = { format: 1, ...fields(), createdAt: '2025-03-01T10:00:00.000Z', size: 10, sha256: '0'.repeat(64), compress: 'zstd' };

test('a manifest round-trips through its JSON text', (t) => {
  t.deepEqual(parseManifest(serializeManifest(good)), good);
  const { runHash: _r, stats: _s, ...minimal } = good;
  t.deepEqual(parseManifest(JSON.stringify(minimal)), minimal);
});

test("a manifest keeps the host's facts, and one from before facts (without them) still parses", (t) => {
  const withFacts = { ...good, facts: FACTS, importedFrom: '/tmp/web.tar.zst' };
  t.deepEqual(parseManifest(serializeManifest(withFacts)), withFacts);
  t.is(parseManifest(serializeManifest(good)).facts, undefined);
});

test('a manifest with a missing, mistyped or unknown-format field is refused, naming it', (t) => {
  const bad: Array<[unknown, RegExp]> = [
    ['[1]', /not a JSON object/],
    [{ ...good, format: 2 }, /format 2 is not 1/],
    [{ ...good, containerId: undefined }, /string containerId/],
    [{ ...good, leaveRunning: 'yes' }, /boolean leaveRunning/],
    [{ ...good, size: -1 }, /size/],
    [{ ...good, size: 1.5 }, /size/],
    [{ ...good, sha256: 'ABC' }, /sha256/],
    [{ ...good, compress: 'xz' }, /compress/],
    [{ ...good, runHash: 7 }, /runHash/],
    [{ ...good, facts: { ...FACTS, cpuFlags: 1 } }, /cpuFlags/],
    [{ ...good, importedFrom: 1 }, /importedFrom/],
  ];
  for (const [value, message] of bad) {
    t.throws(() => parseManifest(typeof value === 'string' ? value : JSON.stringify(value)), { message }, JSON.stringify(value));
  }
  t.throws(() => parseManifest('{"format": 1,'), { message: /not JSON/ });
});
