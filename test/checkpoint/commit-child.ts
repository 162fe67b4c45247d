/**
 * A checkpoint run reduced to the store, for crash.test.ts: `node commit-child.js DIR NAME SOURCE STAMP_MS
 * [wait]` prepares a zstd archive at that time, copies SOURCE in as the engine's export would arrive, prints
 * "ready <pid> <temp path>", (with `wait`: waits for a line on stdin,) commits, prints "done". The test
 * SIGKILLs it at random moments, or has strace kill it at a chosen system call.
 */
import { copyFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CheckpointStore } from '../../src/checkpoint/store.js';
import { fields } from './fixtures.js';

const [dir, name, source, stamp, wait] = process.argv.slice(2) as [string, string, string, string, string?];
const store = new CheckpointStore(dir, name);
const pending = await store.prepare('zstd', new Date(Number(stamp)));
await copyFile(source, pending.tmpPath);
process.stdout.write(`ready ${process.pid} ${pending.tmpPath}\n`);
if (wait === 'wait') {
  const lines = createInterface({ input: process.stdin });
  await lines[Symbol.asyncIterator]().next();
  lines.close();
}
await pending.commit(fields());
process.stdout.write('done\n');
