import test from 'ava';
import type { ArchivedState } from '../../src/checkpoint/archive-state.js';
import { parseMaps, type LiveState } from '../../src/checkpoint/live-state.js';
import { compareState } from '../../src/checkpoint/state-compare.js';

const MAPS = `00400000-00401000 r--p 00000000 00:29 1458364                            /bin/busybox
005e5000-005ec000 rw-p 00000000 00:00 0 
0207d000-0209f000 rw-p 00000000 00:00 0                                  [heap]
7f8d070e5000-7f8d070e9000 r--p 00000000 00:00 0                          [vvar]
7f8d070eb000-7f8d070ed000 r-xp 00000000 00:00 0                          [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

const ARCHIVED: ArchivedState = {
  processes: [
    {
      pid: 1, comm: 'sh', vmas: [
        { start: 0x400000, end: 0x401000, prot: 1, flags: 2, status: 0x41 },
        { start: 0x5e5000, end: 0x5ec000, prot: 3, flags: 0x22, status: 0x201 },
        { start: 0x207d000, end: 0x209f000, prot: 3, flags: 0x22, status: 0x221 },
        // Placed anew by the kernel on restore: vvar, vdso, vsyscall.
        { start: 0x7f543af93000, end: 0x7f543af99000, prot: 1, flags: 0x22, status: 0x1201 },
        { start: 0x7f543af99000, end: 0x7f543af9b000, prot: 5, flags: 0x22, status: 0x209 },
        { start: 0xffffffffff600000, end: 0xffffffffff601000, prot: 4, flags: 0x22, status: 0x204 },
      ],
    },
    { pid: 8, comm: 'sleep', vmas: [] },
  ],
  tmpfs: new Map([['/tmp', [
    { path: '', type: 'folder', size: 0, mtime: 100 },
    { path: 'greet', type: 'file', size: 6, mtime: 100, sha256: 'a' },
    { path: 'n', type: 'file', size: 2, mtime: 100, sha256: 'b' },
  ]]]),
};

function live(over: { maps?: string; files?: Array<[string, object]>; without?: number } = {}): LiveState {
  const files = new Map(ARCHIVED.tmpfs.get('/tmp')!.map((f) => [f.path, { ...f }]));
  for (const [path, change] of over.files ?? []) files.set(path, { ...files.get(path)!, ...change });
  return {
    processes: [
      { pid: 1, hostPid: 4001, comm: 'sh', maps: parseMaps(over.maps ?? MAPS) },
      { pid: 8, hostPid: 4008, comm: 'sleep', maps: [] },
    ].filter((p) => p.pid !== over.without),
    tmpfs: new Map([['/tmp', [...files.values()].filter((f) => f.type !== ('gone' as string))]]),
  };
}

test('/proc maps lines give address ranges, protections and names', (t) => {
  const maps = parseMaps(MAPS);
  t.deepEqual(maps[0], { start: 0x400000, end: 0x401000, prot: 1, name: '/bin/busybox' });
  t.deepEqual(maps[1], { start: 0x5e5000, end: 0x5ec000, prot: 3, name: '' });
  t.is(maps[4]!.prot, 5);
});

test("a restore that is the archive's passes, the kernel's own pages placed anew", (t) => {
  const r = compareState(ARCHIVED, live(), ['/tmp', '/dev/shm']);
  t.deepEqual(r.problems, []);
  t.deepEqual(r.checked, { processes: 2, mappings: 3, files: 3 });
});

test('another memory mapping, a changed file or a missing first process is a problem, each said', (t) => {
  const r = compareState(ARCHIVED, live({ maps: MAPS.replace('0209f000 rw-p', '0209f000 r--p'), files: [['greet', { sha256: 'x' }], ['n', { type: 'gone' }]], without: 1 }), ['/tmp']);
  t.deepEqual(r.problems, ['process 1 (sh) of the archive is not running', '/tmp/greet: other contents than the archive\'s', '/tmp/n: missing']);
  const maps = compareState(ARCHIVED, live({ maps: MAPS.replace('0209f000 rw-p', '0209f000 r--p') }), ['/tmp']);
  t.deepEqual(maps.problems, ['process 1 (sh) has other memory mappings than the archive\'s: missing 207d000-209f000 rw-, new 207d000-209f000 r--']);
});

test('what the container did after it came back is not held against it: a newer file, a process that ended', (t) => {
  const r = compareState(ARCHIVED, live({ files: [['n', { sha256: 'c', mtime: 101 }]], without: 8 }), ['/tmp']);
  t.deepEqual(r.problems, []);
  t.deepEqual(r.notes, ['process 8 (sleep) of the archive is not running']);
});
