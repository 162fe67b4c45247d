/**
 * Whether a zstd stream is whole, told without decompressing it: the frames' headers and block headers
 * (RFC 8878) are read as the bytes arrive and every block's content is skipped by its size, so a stream cut
 * anywhere (a full disk, a killed writer) ends inside a frame. What the blocks hold is not checked here;
 * decompressing 256 MiB takes longer than hashing it.
 */

export class ZstdProblem extends Error {
  override readonly name = 'ZstdProblem';
}

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50; // the low four bits are free
/** No block regenerates, or holds, more than this (RFC 8878, Block_Maximum_Size). */
const MAX_BLOCK = 128 * 1024;

type Step = 'magic' | 'skippable size' | 'descriptor' | 'frame header' | 'block header';

export class ZstdFrames {
  #step: Step = 'magic';
  /** Bytes the current step reads, and those read so far. */
  #want = 4;
  #got = Buffer.alloc(14);
  #have = 0;
  /** Block content (and checksum) bytes still to skip. */
  #skip = 0;
  #checksum = false;
  /** Frames begun (the last one may be incomplete until end()). */
  #frames = 0;
  #offset = 0;

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(this.#want - this.#have, chunk.length - at);
      chunk.copy(this.#got, this.#have, at, at + n);
      this.#have += n;
      at += n;
      if (this.#have === this.#want) {
        this.#have = 0;
        this.#next();
      }
    }
    this.#offset += chunk.length;
  }

  /** Called at the end of the stream: throws unless it ended where a frame ends. */
  end(): void {
    if (this.#step !== 'magic' || this.#have > 0 || this.#skip > 0) {
      // Cut inside the magic number of a frame that was not counted yet, or inside one that was.
      const frame = this.#step === 'magic' && this.#skip === 0 ? this.#frames + 1 : this.#frames;
      throw new ZstdProblem(`it ends inside zstd frame ${frame} (after ${this.#offset} bytes)`);
    }
    if (this.#frames === 0) throw new ZstdProblem('it holds no zstd frame');
  }

  #next(): void {
    const b = this.#got;
    switch (this.#step) {
      case 'magic': {
        const magic = b.readUInt32LE(0);
        const skippable = (magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC;
        if (magic !== FRAME_MAGIC && !skippable) {
          throw new ZstdProblem(this.#frames === 0 ? 'it does not start like zstd data' : `what follows zstd frame ${this.#frames} is not a zstd frame`);
        }
        this.#frames++;
        return skippable ? this.#expect('skippable size', 4) : this.#expect('descriptor', 1);
      }
      case 'skippable size':
        this.#skip = b.readUInt32LE(0);
        return this.#expect('magic', 4);
      case 'descriptor': {
        const d = b[0]!;
        if (d & 0x08) throw new ZstdProblem(`zstd frame ${this.#frames} sets a reserved bit`);
        const single = (d >> 5) & 1;
        const contentSize = d >> 6;
        this.#checksum = (d & 0x04) !== 0;
        // Window descriptor, dictionary ID, frame content size: only their lengths matter here.
        const rest = (single ? 0 : 1) + [0, 1, 2, 4][d & 3]! + (contentSize === 0 ? single : [0, 2, 4, 8][contentSize]!);
        return rest === 0 ? this.#expect('block header', 3) : this.#expect('frame header', rest);
      }
      case 'frame header':
        return this.#expect('block header', 3);
      case 'block header': {
        const header = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        const last = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) throw new ZstdProblem(`zstd frame ${this.#frames} holds a block of the reserved type`);
        if (size > MAX_BLOCK) throw new ZstdProblem(`zstd frame ${this.#frames} holds a block of ${size} bytes`);
        // An RLE block is one byte, repeated `size` times when decompressed.
        this.#skip = type === 1 ? 1 : size;
        if (!last) return this.#expect('block header', 3);
        if (this.#checksum) this.#skip += 4;
        return this.#expect('magic', 4);
      }
    }
  }

  #expect(step: Step, bytes: number): void {
    this.#step = step;
    this.#want = bytes;
  }
}
