/**
 * The member names of a tar stream, read as its bytes arrive: each 512-byte header is checked (its checksum)
 * and the member's data skipped (or, for the few members asked for, kept), up to the end-of-archive marker
 * (a block of NULs). ustar, GNU (long names, base-256 sizes) and pax (path and size records) headers, as
 * podman's Go tar and GNU tar write them. Problems are thrown as TarProblem, whose message says what is
 * wrong (for "X is not a complete …: …").
 */

export class TarProblem extends Error {
  override readonly name = 'TarProblem';
}

const BLOCK = 512;
/** Long names, pax records and kept members are read into memory; none that podman writes comes near this. */
const MAX_KEPT = 16 << 20;

/** A member as its header describes it. */
export interface TarMember {
  readonly name: string;
  /** The header's type flag: '0' (or '\0') a file, '5' a folder, '2' a symbolic link, 'S' a GNU sparse file … */
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  /** Seconds since the epoch (a pax mtime keeps its fraction). */
  readonly mtime: number;
}

/** Takes the data of one member as it arrives, then its end. */
export interface MemberSink {
  data(chunk: Buffer): void;
  end(): void;
}

export class TarHeaders {
  /** Member names in archive order, without a leading `./`. */
  readonly names: string[] = [];
  /** The data of the members asked for, once read whole. */
  readonly kept = new Map<string, Buffer>();
  /** Each member's size in bytes. */
  readonly sizes = new Map<string, number>();
  /** Each member's header, when members are asked for (`members`). */
  readonly members: TarMember[] = [];
  #header = Buffer.alloc(BLOCK);
  #filled = 0;
  /** Bytes of the current member's data (and padding) still to skip. */
  #skip = 0;
  /** Data being kept: a GNU long name, a pax header, or a member asked for (by name). */
  #meta: { kind: 'long name' | 'pax header' | 'member'; name: string; chunks: Buffer[]; left: number; pad: number } | undefined;
  #longName: string | undefined;
  #paxPath: string | undefined;
  #paxSize: number | undefined;
  #paxMtime: number | undefined;
  /** The member whose data goes to a sink, and how many of its bytes are still to come. */
  #sink: { to: MemberSink; left: number } | undefined;
  #current = '';
  #ended = false;
  /** Bytes read so far (the block of a header is where it starts, in 512-byte blocks, as tar -R counts). */
  #offset = 0;

  /**
   * `keep`: the members whose data is to be kept (in `kept`), by name or by a test of the name; each at most
   * 16 MiB. `options.sink`: a member's data streamed to a sink instead, any size; `options.members`: record
   * every member's header in `members`.
   */
  constructor(
    readonly keep: readonly string[] | ((name: string) => boolean) = [],
    readonly options: { readonly sink?: (member: TarMember) => MemberSink | undefined; readonly members?: boolean } = {},
  ) {}

  /** Whether the end-of-archive marker has been read. */
  get ended(): boolean {
    return this.#ended;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.#ended) {
      if (this.#meta) {
        const n = Math.min(this.#meta.left, chunk.length - at);
        this.#meta.chunks.push(Buffer.from(chunk.subarray(at, at + n)));
        this.#meta.left -= n;
        at += n;
        this.#offset += n;
        if (this.#meta.left === 0) {
          this.#endMeta();
        }
        continue;
      }
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        if (this.#sink) {
          const data = Math.min(n, this.#sink.left);
          if (data > 0) this.#sink.to.data(chunk.subarray(at, at + data));
          this.#sink.left -= data;
          if (this.#sink.left === 0) this.#endSink();
        }
        this.#skip -= n;
        at += n;
        this.#offset += n;
        continue;
      }
      const n = Math.min(BLOCK - this.#filled, chunk.length - at);
      chunk.copy(this.#header, this.#filled, at, at + n);
      this.#filled += n;
      at += n;
      this.#offset += n;
      if (this.#filled === BLOCK) {
        this.#filled = 0;
        this.#readHeader();
      }
    }
  }

  #endSink(): void {
    const { to } = this.#sink!;
    this.#sink = undefined;
    to.end();
  }

  /** Called at the end of the stream: throws unless it ended with the end-of-archive marker. */
  end(): void {
    if (this.#ended) return;
    if (this.#skip > 0 || this.#meta) throw new TarProblem(`it ends inside ${this.#current}`);
    if (this.#filled > 0) throw new TarProblem(`it ends inside a header (block ${Math.floor(this.#offset / BLOCK)})`);
    throw new TarProblem('it ends before the end-of-archive marker');
  }

  #readHeader(): void {
    const h = this.#header;
    const block = this.#offset / BLOCK - 1;
    if (h.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    if (readNumber(h, 148, 8) !== checksum(h)) throw new TarProblem(`block ${block} is not a tar header (its checksum does not match)`);
    const type = String.fromCharCode(h[156]!);
    const size = this.#paxSize ?? readNumber(h, 124, 12);
    if (size === undefined) throw new TarProblem(`the header at block ${block} has no size`);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x') {
      this.#current = type === 'L' ? 'a long name' : 'a pax header';
      this.#keepData(type === 'L' ? 'long name' : 'pax header', '', size);
      return;
    }
    const name = (this.#paxPath ?? this.#longName ?? headerName(h)).replace(/^(\.\/)+/, '');
    const mtime = this.#paxMtime ?? readNumber(h, 136, 12) ?? 0;
    this.#longName = this.#paxPath = this.#paxSize = this.#paxMtime = undefined;
    this.#current = name;
    // GNU long link names (K) and global pax headers (g) describe no member of their own.
    if (type === 'K' || type === 'g') {
      this.#skip = padded;
      return;
    }
    this.names.push(name);
    this.sizes.set(name, size);
    const member: TarMember = { name, type, size, mode: readNumber(h, 100, 8) ?? 0, mtime };
    if (this.options.members) this.members.push(member);
    if (typeof this.keep === 'function' ? this.keep(name) : this.keep.includes(name)) return this.#keepData('member', name, size);
    this.#skip = padded;
    const sink = this.options.sink?.(member);
    if (sink) {
      this.#sink = { to: sink, left: size };
      if (size === 0) this.#endSink();
    }
  }

  #keepData(kind: 'long name' | 'pax header' | 'member', name: string, size: number): void {
    if (size > MAX_KEPT) throw new TarProblem(`${kind === 'member' ? name : `a ${kind}`} of ${size} bytes`);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    this.#meta = { kind, name, chunks: [], left: padded, pad: padded - size };
    if (padded === 0) this.#endMeta();
  }

  #endMeta(): void {
    const { kind, name, chunks, pad } = this.#meta!;
    this.#meta = undefined;
    const all = Buffer.concat(chunks);
    const data = all.subarray(0, all.length - pad);
    if (kind === 'member') {
      this.kept.set(name, data);
      return;
    }
    if (kind === 'long name') {
      this.#longName = data.toString('utf8').replace(/\0.*$/s, '');
      return;
    }
    for (const [key, value] of paxRecords(data)) {
      if (key === 'path') this.#paxPath = value;
      if (key === 'mtime' && /^\d+(\.\d+)?$/.test(value)) this.#paxMtime = Number(value);
      if (key === 'size') {
        if (!/^\d+$/.test(value)) throw new TarProblem(`a pax size of "${value}"`);
        this.#paxSize = Number(value);
      }
    }
  }
}

/** The unsigned sum of the header's bytes, the checksum field counted as spaces. */
function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

/** An octal field (NUL- or space-terminated), or GNU's base-256 (high bit of the first byte set). */
function readNumber(h: Buffer, at: number, length: number): number | undefined {
  if (h[at]! & 0x80) {
    let n = h[at]! & 0x7f;
    for (let i = at + 1; i < at + length; i++) n = n * 256 + h[i]!;
    return n;
  }
  const text = h.toString('latin1', at, at + length).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

function headerName(h: Buffer): string {
  const field = (at: number, length: number): string => h.toString('utf8', at, at + length).replace(/\0.*$/s, '');
  const name = field(0, 100);
  // POSIX ustar keeps the start of a long path in the prefix field; GNU tar uses those bytes otherwise.
  const prefix = h.toString('latin1', 257, 265) === 'ustar\u000000' ? field(345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** pax extended header records: "LENGTH KEY=VALUE\n" each, LENGTH counting the record's bytes. */
function* paxRecords(data: Buffer): Generator<[string, string]> {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(data.toString('latin1', at, space));
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length) throw new TarProblem('a pax header cannot be read');
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) yield [record.slice(0, eq), record.slice(eq + 1)];
    at += length;
  }
}
