/**
 * A process that competes for a checkpoint lock, for lock.test.ts: `node lock-child.js DIR NAME`. Prints
 * "ready", takes the lock when it reads a line on stdin, prints "acquired" or "locked <message>", holds the
 * lock until stdin closes, then releases it and exits.
 */
import { createInterface } from 'node:readline';
import { CheckpointLock } from '../../src/checkpoint/lock.js';

const [dir, name] = process.argv.slice(2) as [string, string];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next();
let lock: CheckpointLock | undefined;
try {
  lock = await CheckpointLock.acquire(dir, name);
  process.stdout.write('acquired\n');
} catch (x) {
  process.stdout.write(`locked ${(x as Error).message}\n`);
}
while (!(await lines.next()).done);
await lock?.release();
