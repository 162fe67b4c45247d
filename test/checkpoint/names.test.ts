import test from 'ava';
import { archiveName, parseArchiveName, parseTempName, tempName } from '../../src/checkpoint/names.js';

test('archive names carry the UTC time to the millisecond and the compression', (t) => {
  const when = new Date('2025-01-02T03:04:05.678Z');
  t.is(archiveName('web', 'zstd', when), 'web-20250102T030405678Z.tar.zst');
  t.is(archiveName('web', 'gzip', when), 'web-20250102T030405678Z.tar.gz');
  t.is(archiveName('web', 'none', when), 'web-20250102T030405678Z.tar');
  t.is(tempName('web-20250102T030405678Z.tar', 42), '.web-20250102T030405678Z.tar.tmp-42');
});

test('archive and manifest names parse back; names of other containers and other files do not', (t) => {
  t.like(parseArchiveName('web', 'web-20250102T030405678Z.tar.zst'), {
    archive: 'web-20250102T030405678Z.tar.zst',
    compress: 'zstd',
    isManifest: false,
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
  });
  t.like(parseArchiveName('web', 'web-20250102T030405678Z.tar.json'), { archive: 'web-20250102T030405678Z.tar', compress: 'none', isManifest: true });
  t.is(parseArchiveName('web', 'web-api-20250102T030405678Z.tar'), undefined);
  t.is(parseArchiveName('web', 'web-20250102T030405678Z.tar.xz'), undefined);
  t.is(parseArchiveName('web', 'web-20251302T030405678Z.tar'), undefined, 'month 13');
  t.is(parseArchiveName('web', 'notes.txt'), undefined);
  t.deepEqual(parseTempName('web', '.web-20250102T030405678Z.tar.json.tmp-42'), { target: 'web-20250102T030405678Z.tar.json', pid: 42 });
  t.is(parseTempName('web', '.web-20250102T030405678Z.tar.tmp-x'), undefined);
  t.is(parseTempName('web', '.other-20250102T030405678Z.tar.tmp-42'), undefined);
});

test('archive names sort like their times', (t) => {
  const times = ['2025-01-02T03:04:05.678Z', '2024-12-31T23:59:59.999Z', '2025-01-02T03:04:05.679Z', '2025-10-01T00:00:00.000Z'];
  const names = times.map((s) => archiveName('web', 'zstd', new Date(s)));
  t.deepEqual([...names].sort(), [...times].sort().map((s) => archiveName('web', 'zstd', new Date(s))));
});
