import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TarHeaders, TarProblem } from '../../src/checkpoint/tar-headers.js';
import { prng } from '../helpers/random-argv.js';
import { tempDir } from './fixtures.js';

/** The names read from `data` fed in chunks of random sizes; end() included. */
function names(data: Buffer, seed = 1): string[] {
  const random = prng(seed);
  const tar = new TarHeaders();
  for (let at = 0; at < data.length; ) {
    const n = 1 + Math.floor(random() * random() * 8192);
    tar.push(data.subarray(at, at + n));
    at += n;
  }
  tar.end();
  return tar.names;
}

const LONG = `${'deep/'.repeat(30)}config.dump`; // 161 characters: more than a ustar name field holds

async function archive(t: ExecutionContext, format: string, ...extra: string[]): Promise<Buffer> {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(join(src, 'deep/'.repeat(30)), { recursive: true });
  await writeFile(join(src, 'config.dump'), '{}');
  await writeFile(join(src, 'spec.dump'), Buffer.alloc(1000, 'x'));
  await writeFile(join(src, LONG), 'long');
  const out = join(dir, 'out.tar');
  await execa('tar', ['-c', `--format=${format}`, ...extra, '-f', out, '-C', src, 'config.dump', 'spec.dump', LONG]);
  return readFile(out);
}

test('member names are read from GNU, pax and ustar archives, long names included, whatever the chunk sizes', async (t) => {
  for (const format of ['gnu', 'pax']) {
    const data = await archive(t, format);
    for (const seed of [1, 2, 3]) t.deepEqual(names(data, seed), ['config.dump', 'spec.dump', LONG], `${format}, seed ${seed}`);
  }
  // ustar holds a long path in its prefix field, and leaves out the folders tar would add before it.
  t.deepEqual(names(await archive(t, 'ustar', '--no-recursion')), ['config.dump', 'spec.dump', LONG]);
});

test('a leading ./ is not part of a name', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'config.dump'), '{}');
  const { stdout } = await execa('tar', ['-c', '-f', '-', '-C', dir, './config.dump'], { encoding: 'buffer' });
  t.deepEqual(names(Buffer.from(stdout)), ['config.dump']);
});

test('an archive cut short says where: inside a member, inside a header, or before the end-of-archive marker', async (t) => {
  const data = await archive(t, 'gnu');
  t.throws(() => names(data.subarray(0, 512 + 100)), { instanceOf: TarProblem, message: 'it ends inside config.dump' });
  t.throws(() => names(data.subarray(0, 1024 + 300)), { message: 'it ends inside a header (block 2)' });
  t.throws(() => names(data.subarray(0, 1024)), { message: 'it ends before the end-of-archive marker' });
  t.throws(() => names(Buffer.alloc(0)), { message: 'it ends before the end-of-archive marker' });
});

test('a header whose checksum does not match is not a tar header', async (t) => {
  const data = Buffer.from(await archive(t, 'gnu'));
  data[1024 + 10] = data[1024 + 10]! ^ 0x20;
  t.throws(() => names(data), { instanceOf: TarProblem, message: 'block 2 is not a tar header (its checksum does not match)' });
  t.throws(() => names(Buffer.alloc(2048, 'not a tar archive')), { message: 'block 0 is not a tar header (its checksum does not match)' });
});

/** A header as Go's archive/tar writes one for a big member: the size in GNU base-256, or in a pax record. */
function header(name: string, type: string, size: number | Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  if (typeof size === 'number') h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else size.copy(h, 124);
  h.write(type, 156);
  h.write('ustar\u000000', 257);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

test('members sized in base-256 or by a pax record are skipped to their end', (t) => {
  const base256 = Buffer.alloc(12);
  base256[0] = 0x80;
  base256.writeUInt32BE(600, 8);
  const record = '12 size=600\n';
  const data = Buffer.concat([
    header('pages-1.img', '0', base256),
    Buffer.alloc(1024, 1), // 600 bytes, padded to 1024
    header('PaxHeaders/pages-2.img', 'x', record.length),
    Buffer.concat([Buffer.from(record), Buffer.alloc(512 - record.length)]),
    header('pages-2.img', '0', 0), // the pax record's size wins
    Buffer.alloc(1024, 2),
    header('spec.dump', '0', 0),
    Buffer.alloc(1024),
  ]);
  t.deepEqual(names(data), ['pages-1.img', 'pages-2.img', 'spec.dump']);
});
