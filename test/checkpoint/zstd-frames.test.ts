import test from 'ava';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ZstdFrames, ZstdProblem } from '../../src/checkpoint/zstd-frames.js';
import { prng } from '../helpers/random-argv.js';
import { tempDir } from './fixtures.js';

/** Feeds `data` in chunks of random sizes (1 byte to 64 KiB), as reads of a growing file would come. */
function walk(data: Buffer, seed = 1): void {
  const random = prng(seed);
  const frames = new ZstdFrames();
  for (let at = 0; at < data.length; ) {
    const n = 1 + Math.floor(random() * random() * 65536);
    frames.push(data.subarray(at, at + n));
    at += n;
  }
  frames.end();
}

async function zstd(input: Buffer, ...flags: string[]): Promise<Buffer> {
  const { stdout } = await execa('zstd', ['-c', '-q', ...flags], { input, encoding: 'buffer' });
  return Buffer.from(stdout);
}

test('whole zstd streams pass: with and without checksum or content size, many blocks, several frames, skippable frames', async (t) => {
  // Half random (raw blocks), half repetitive (compressed and RLE blocks); 1 MiB spans several 128 KiB blocks.
  const data = Buffer.concat([randomBytes(512 * 1024), Buffer.alloc(512 * 1024, 'checkpoint ')]);
  const streams = [
    await zstd(data),
    await zstd(data, '--no-check'),
    await zstd(data, '--no-content-size'),
    await zstd(Buffer.from('small')), // one frame of one block, single segment
    Buffer.concat([await zstd(data), await zstd(Buffer.from('second frame'))]),
  ];
  const skippable = Buffer.alloc(8 + 5);
  skippable.writeUInt32LE(0x184d2a5e, 0);
  skippable.writeUInt32LE(5, 4);
  streams.push(Buffer.concat([skippable, streams[0]!, skippable]));
  for (const [i, stream] of streams.entries()) t.notThrows(() => walk(stream, i + 1), `stream ${i}`);

  // What the walk accepts, the zstd program decompresses too (the last stream included).
  const dir = await tempDir(t);
  await writeFile(join(dir, 'last.zst'), streams.at(-1)!);
  await t.notThrowsAsync(execa('zstd', ['-t', '-q', join(dir, 'last.zst')]));
});

test('a zstd stream cut anywhere ends inside a frame', async (t) => {
  const stream = await zstd(Buffer.concat([randomBytes(300 * 1024), Buffer.alloc(200 * 1024)]));
  const random = prng(7);
  const cuts = [1, 3, 4, 5, 6, 9, stream.length - 4, stream.length - 1, ...Array.from({ length: 40 }, () => 1 + Math.floor(random() * (stream.length - 1)))];
  for (const cut of cuts) {
    t.throws(() => walk(stream.subarray(0, cut)), { instanceOf: ZstdProblem, message: /^it ends inside zstd frame 1 \(after \d+ bytes\)$/ }, `cut at ${cut}`);
  }
  t.throws(() => walk(Buffer.alloc(0)), { message: 'it holds no zstd frame' });
});

test('what is not zstd, or follows a frame without being one, is named', async (t) => {
  const stream = await zstd(Buffer.from('payload'));
  t.throws(() => walk(gzipSync(Buffer.from('payload'))), { instanceOf: ZstdProblem, message: 'it does not start like zstd data' });
  t.throws(() => walk(Buffer.concat([stream, Buffer.from('trailing garbage')])), { message: 'what follows zstd frame 1 is not a zstd frame' });
  const reserved = Buffer.from(stream);
  reserved[4] = reserved[4]! | 0x08;
  t.throws(() => walk(reserved), { message: 'zstd frame 1 sets a reserved bit' });
});
