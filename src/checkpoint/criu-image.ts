/**
 * Just enough of CRIU's image files to show what an archive holds (`berth checkpoints show`). An image is a
 * magic number (two for most: CRIU's common or service magic, then the image's own; inventory.img has its
 * own alone), then entries, each a 32-bit little-endian length and that many bytes of protobuf. Of the
 * protobuf wire format only what these messages use is read: varints and length-delimited fields.
 * Anything malformed is a CriuImageProblem; nothing here trusts a length it has not checked.
 */

export class CriuImageProblem extends Error {
  override readonly name = 'CriuImageProblem';
}

const COMMON_MAGIC = 0x54564319;
const SERVICE_MAGIC = 0x55105940;

type Value = number | Buffer;

function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new CriuImageProblem(`a varint runs past its message at byte ${at}`);
}

/** A protobuf message's fields, in order: field number and value (a number for varints, the bytes for length-delimited ones). */
export function protoFields(buf: Buffer): Array<[number, Value]> {
  const out: Array<[number, Value]> = [];
  for (let at = 0; at < buf.length; ) {
    const [key, next] = varint(buf, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    at = next;
    if (wire === 0) {
      const [v, after] = varint(buf, at);
      out.push([field, v]);
      at = after;
    } else if (wire === 2) {
      const [length, start] = varint(buf, at);
      if (start + length > buf.length) throw new CriuImageProblem(`field ${field} runs past its message`);
      out.push([field, buf.subarray(start, start + length)]);
      at = start + length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      if (at > buf.length) throw new CriuImageProblem(`field ${field} runs past its message`);
    } else {
      throw new CriuImageProblem(`field ${field} has wire type ${wire}, which CRIU's images do not use`);
    }
  }
  return out;
}

/** The entries of an image file. */
export function imageEntries(image: Buffer): Buffer[] {
  if (image.length < 4) throw new CriuImageProblem('it is too short for a magic number');
  const first = image.readUInt32LE(0);
  let at = first === COMMON_MAGIC || first === SERVICE_MAGIC ? 8 : 4;
  const out: Buffer[] = [];
  while (at < image.length) {
    if (at + 4 > image.length) throw new CriuImageProblem('it ends inside an entry length');
    const length = image.readUInt32LE(at);
    if (at + 4 + length > image.length) throw new CriuImageProblem('it ends inside an entry');
    out.push(image.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

export interface PstreeEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly threads: readonly number[];
}

/** pstree.img: one pstree_entry per process (pid = 1, ppid = 2, pgid = 3, sid = 4, threads = 5). */
export function pstreeOf(image: Buffer): PstreeEntry[] {
  return imageEntries(image).map((entry) => {
    const e = { pid: 0, ppid: 0, pgid: 0, sid: 0, threads: [] as number[] };
    for (const [field, value] of protoFields(entry)) {
      if (field === 5) {
        // repeated uint32: one varint per field, or packed into one length-delimited field.
        if (typeof value === 'number') e.threads.push(value);
        else for (let at = 0; at < value.length; ) [e.threads[e.threads.length], at] = varint(value, at);
      } else if (typeof value === 'number' && field >= 1 && field <= 4) {
        e[(['pid', 'ppid', 'pgid', 'sid'] as const)[field - 1]!] = value;
      }
    }
    return e;
  });
}

/** The command name of a process, from its core-PID.img: core_entry.tc (3), task_core_entry.comm (6). */
export function commOf(image: Buffer): string | undefined {
  const [entry] = imageEntries(image);
  const tc = entry && protoFields(entry).find(([f, v]) => f === 3 && Buffer.isBuffer(v))?.[1];
  const comm = Buffer.isBuffer(tc) ? protoFields(tc).find(([f, v]) => f === 6 && Buffer.isBuffer(v))?.[1] : undefined;
  return Buffer.isBuffer(comm) ? comm.toString('utf8') : undefined;
}

/** A mapping of a process's memory, from its mm-PID.img (vma_entry: start = 1, end = 2, prot = 5, flags = 6, status = 7). */
export interface Vma {
  readonly start: number;
  readonly end: number;
  /** PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4. */
  readonly prot: number;
  /** mmap's flags (MAP_GROWSDOWN 0x100 for a stack). */
  readonly flags: number;
  /** CRIU's kind of area (VMA_AREA_VSYSCALL 0x4, VMA_AREA_VDSO 0x8, VMA_AREA_HEAP 0x20, VMA_AREA_VVAR 0x1000 …). */
  readonly status: number;
}

/** The mappings of mm-PID.img: mm_entry.vmas (14). Addresses above 2^53 (the vsyscall page) are not exact. */
export function vmasOf(image: Buffer): Vma[] {
  const [entry] = imageEntries(image);
  if (!entry) throw new CriuImageProblem('an mm image without its entry');
  return protoFields(entry)
    .filter((f): f is [number, Buffer] => f[0] === 14 && Buffer.isBuffer(f[1]))
    .map(([, vma]) => {
      const v = { start: 0, end: 0, prot: 0, flags: 0, status: 0 };
      for (const [field, value] of protoFields(vma)) {
        if (typeof value !== 'number') continue;
        if (field === 1) v.start = value;
        else if (field === 2) v.end = value;
        else if (field === 5) v.prot = value;
        else if (field === 6) v.flags = value;
        else if (field === 7) v.status = value;
      }
      return v;
    });
}

/** A mount of the container, from mountpoints-N.img (mnt_entry: fstype = 1, root_dev = 3, root = 6, mountpoint = 7). */
export interface ArchivedMount {
  readonly fstype: number;
  /** The device CRIU names the mount's contents by: tmpfs-dev-ROOTDEV.tar.gz.img. */
  readonly rootDev: number;
  /** What of the file system is mounted: `/` for all of it, else a bind mount of a part. */
  readonly root: string;
  readonly mountpoint: string;
}

/** CRIU's fstype number of tmpfs. */
export const FSTYPE_TMPFS = 5;

export function mountsOf(image: Buffer): ArchivedMount[] {
  return imageEntries(image).map((entry) => {
    const m = { fstype: -1, rootDev: -1, root: '', mountpoint: '' };
    for (const [field, value] of protoFields(entry)) {
      if (field === 1 && typeof value === 'number') m.fstype = value;
      else if (field === 3 && typeof value === 'number') m.rootDev = value;
      else if (field === 6 && Buffer.isBuffer(value)) m.root = value.toString('utf8');
      else if (field === 7 && Buffer.isBuffer(value)) m.mountpoint = value.toString('utf8');
    }
    return m;
  });
}
