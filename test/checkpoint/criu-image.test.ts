import test from 'ava';
import { readFile } from 'node:fs/promises';
import { commOf, CriuImageProblem, imageEntries, protoFields, pstreeOf } from '../../src/checkpoint/criu-image.js';

/** Images from a real dump (CRIU 4.2, podman 4.3) of `sh -c '… sleep 1 … & httpd … & wait'`. */
const image = (name: string): Promise<Buffer> => readFile(new URL(`../../../test/checkpoint/criu/${name}`, import.meta.url));

test("pstree.img gives each process's pid, parent, group, session and threads", async (t) => {
  t.deepEqual(pstreeOf(await image('pstree.img')), [
    { pid: 1, ppid: 0, pgid: 1, sid: 1, threads: [1] },
    { pid: 6, ppid: 1, pgid: 1, sid: 1, threads: [6] },
    { pid: 10, ppid: 6, pgid: 1, sid: 1, threads: [10] },
    { pid: 7, ppid: 1, pgid: 1, sid: 1, threads: [7] },
  ]);
});

test("a process's command name is read from its core image", async (t) => {
  t.is(commOf(await image('core-1.img')), 'sh');
  t.is(commOf(await image('core-7.img')), 'httpd');
});

test('threads written packed are read as well as one field each', (t) => {
  // magic (common + pstree), then one entry: pid 5, ppid 1, threads [5, 9] packed.
  const entry = Buffer.from([0x08, 5, 0x10, 1, 0x2a, 2, 5, 9]);
  const img = Buffer.concat([Buffer.from([0x19, 0x43, 0x56, 0x54, 0x30, 0x30, 0x27, 0x50]), Buffer.from([entry.length, 0, 0, 0]), entry]);
  t.deepEqual(pstreeOf(img), [{ pid: 5, ppid: 1, pgid: 0, sid: 0, threads: [5, 9] }]);
});

test('an image cut short, or protobuf that runs past its message, is a problem, never a wrong answer', async (t) => {
  const pstree = await image('pstree.img');
  t.throws(() => imageEntries(pstree.subarray(0, pstree.length - 3)), { instanceOf: CriuImageProblem, message: /ends inside an entry/ });
  t.throws(() => imageEntries(Buffer.from([1, 2])), { instanceOf: CriuImageProblem });
  t.throws(() => protoFields(Buffer.from([0x0a, 10, 1])), { instanceOf: CriuImageProblem, message: /runs past/ });
  t.throws(() => protoFields(Buffer.from([0x08, 0xff])), { instanceOf: CriuImageProblem, message: /varint/ });
  t.throws(() => protoFields(Buffer.from([0x0b])), { instanceOf: CriuImageProblem, message: /wire type 3/ });
});
