import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveRecord, fileStamp, RECORD_FILE, recordTempPid } from '../../src/checkpoint/record.js';
import { CheckpointError } from '../../src/errors.js';

const SHA = 'a'.repeat(64);

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-record-'));
  chmodSync(dir, 0o700);
  return dir;
}

test('archives come back newest first by the order they were recorded in, whatever their names say', async (t) => {
  const dir = folder();
  t.is(await ArchiveRecord.read(dir), undefined);
  const record = ArchiveRecord.empty();
  record.add('web-20991231T000000000Z.tar.zst', 10, SHA, 's1');
  record.add('web-20200101T000000000Z.tar.zst', 20, SHA, 's2');
  await record.write(dir);
  const again = (await ArchiveRecord.read(dir))!;
  t.deepEqual(again.entries().map((e) => [e.archive, e.seq]), [['web-20200101T000000000Z.tar.zst', 2], ['web-20991231T000000000Z.tar.zst', 1]]);
  again.remove('web-20200101T000000000Z.tar.zst');
  again.markChecked('web-20991231T000000000Z.tar.zst', 's3');
  await again.write(dir);
  t.deepEqual((await ArchiveRecord.read(dir))!.entries().map((e) => [e.archive, e.checked]), [['web-20991231T000000000Z.tar.zst', 's3']]);
  t.deepEqual(readdirSync(dir), [RECORD_FILE], 'no temporary file is left');
});

test('a record others could have written, a link, or a malformed one is refused, so no archive counts', async (t) => {
  const dir = folder();
  await ArchiveRecord.empty().write(dir);
  chmodSync(join(dir, RECORD_FILE), 0o666);
  const open = await t.throwsAsync(ArchiveRecord.read(dir), { instanceOf: CheckpointError });
  t.is(open!.code, 'untrusted');
  t.regex(open!.message, /can be written by anyone .*no archive of this folder counts/);

  const linked = folder();
  symlinkSync(join(dir, RECORD_FILE), join(linked, RECORD_FILE));
  await t.throwsAsync(ArchiveRecord.read(linked), { message: /is a symbolic link/ });

  const bad = folder();
  writeFileSync(join(bad, RECORD_FILE), JSON.stringify({ format: 1, archives: [{ archive: '../etc/x', seq: 1, size: 1, sha256: SHA, checked: '' }] }), { mode: 0o600 });
  await t.throwsAsync(ArchiveRecord.read(bad), { message: /not berth's record of its archives \(a malformed entry/ });
  writeFileSync(join(bad, RECORD_FILE), '{', { mode: 0o600 });
  await t.throwsAsync(ArchiveRecord.read(bad), { message: /not berth's record/ });
});

test('a file stamp changes when the file is rewritten, even to the same size', async (t) => {
  const dir = folder();
  const file = join(dir, 'f');
  writeFileSync(file, 'one');
  const before = await fileStamp(file);
  t.is(await fileStamp(file), before);
  writeFileSync(file, 'two');
  t.not(await fileStamp(file), before);
});

test('a folder in the record\'s place is never replaced', async (t) => {
  const dir = folder();
  mkdirSync(join(dir, RECORD_FILE));
  await t.throwsAsync(ArchiveRecord.empty().write(dir), { message: /is not a regular file: berth does not replace it/ });
});

test("a record's temporary file names its writer, so that a prune can remove one a killed writer left", (t) => {
  t.is(recordTempPid(`${RECORD_FILE}.tmp-4242`), 4242);
  t.is(recordTempPid(RECORD_FILE), undefined);
  t.is(recordTempPid('.web-20250101T000000000Z.tar.zst.tmp-1'), undefined);
});
