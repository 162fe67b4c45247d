/**
 * The check a commit makes of an export, fed the bytes that are read once anyway (to hash them): that it is
 * what its name promises and whole, without decompressing all of it, which cost as long as the hash itself
 * and ran against it on 2 cores. Plain tar: every header, to the end-of-archive marker (tar-headers.ts).
 * gzip: the same through Node's inflater (gzip is rare and slow to write anyway). zstd: every frame and
 * block header to the end of the last frame (zstd-frames.ts), and, through the zstd program, only as much
 * of the start as it takes to meet config.dump and spec.dump (podman writes them before the memory images;
 * where they come later the decompressor reads on, to the end if need be). config.dump's contents are kept
 * on the way (config-dump.ts). The deep check (verify.ts) reads the whole archive through tar, for
 * `berth checkpoints --verify` and restores.
 */
import { createGunzip } from 'node:zlib';
import type { Compression } from '../compile/checkpoint-settings.js';
import { startFilter, type Filter } from '../engine/command.js';
import { TarHeaders, TarProblem } from './tar-headers.js';
import { checkEntries, incomplete, REQUIRED_ENTRIES } from './verify.js';
import { ZstdFrames, ZstdProblem } from './zstd-frames.js';

const CONFIG = 'config.dump';

export interface ExportCheck {
  /** Takes the export's next bytes; when it returns a promise, the chunk is not reused before that settles. */
  push(chunk: Buffer): void | Promise<void>;
  /**
   * After the last bytes: resolves with config.dump's contents when the export is a whole checkpoint
   * archive, else throws CheckpointError `verify`.
   */
  end(): Promise<Buffer>;
  /** Stops a decompressor that still runs (after a failure elsewhere); safe at any time. */
  close(): void;
}

/** Rethrows a problem of the stream as CheckpointError `verify` (anything else as it is). */
type Fail = (x: unknown) => never;

export async function exportCheck(path: string, compress: Compression): Promise<ExportCheck> {
  const fail: Fail = (x) => {
    throw x instanceof TarProblem || x instanceof ZstdProblem ? incomplete(path, compress, x.message) : x;
  };
  if (compress === 'none') return tarCheck(path, fail);
  if (compress === 'gzip') return gzipCheck(path, fail);
  return zstdCheck(path, fail, await startFilter(['zstd', '-d', '-c', '-q']));
}

function guarded(fail: Fail, f: () => void): void {
  try {
    f();
  } catch (x) {
    fail(x);
  }
}

/** The end of a tar stream: its end-of-archive marker read, and the required entries among its members. */
function endTar(path: string, tar: TarHeaders, fail: Fail): Buffer {
  guarded(fail, () => tar.end());
  return configOf(path, tar);
}

function configOf(path: string, tar: TarHeaders): Buffer {
  checkEntries(path, tar.names);
  return tar.kept.get(CONFIG)!;
}

function tarCheck(path: string, fail: Fail): ExportCheck {
  const tar = new TarHeaders([CONFIG]);
  return {
    push: (chunk) => guarded(fail, () => tar.push(chunk)),
    end: async () => endTar(path, tar, fail),
    close: () => undefined,
  };
}

function gzipCheck(path: string, fail: Fail): ExportCheck {
  const tar = new TarHeaders([CONFIG]);
  const gunzip = createGunzip();
  let problem: unknown;
  let first = true;
  gunzip.on('data', (data: Buffer) => {
    try {
      if (problem === undefined) tar.push(data);
    } catch (x) {
      problem = x;
    }
  });
  const ended = new Promise<void>((resolve) => {
    gunzip.on('end', resolve);
    gunzip.on('error', (err) => {
      problem ??= new TarProblem(err.message);
      resolve();
    });
  });
  return {
    push: (chunk) => {
      if (first && (chunk[0] !== 0x1f || chunk[1] !== 0x8b)) fail(new TarProblem('it does not start like gzip data'));
      first = false;
      if (problem !== undefined) fail(problem);
      return new Promise((resolve) => gunzip.write(chunk, () => resolve()));
    },
    end: async () => {
      gunzip.end();
      await ended;
      if (problem !== undefined) fail(problem);
      return endTar(path, tar, fail);
    },
    close: () => gunzip.destroy(),
  };
}

function zstdCheck(path: string, fail: Fail, zstd: Filter): ExportCheck {
  const frames = new ZstdFrames();
  const tar = new TarHeaders([CONFIG]);
  // The start of the archive is decompressed until the tar headers have named both entries and config.dump
  // has been read (then `met`).
  let met = false;
  let problem: unknown;
  const stop = (): void => {
    zstd.stdout.removeAllListeners('data');
    zstd.stop();
  };
  const stopAndFail: Fail = (x) => {
    stop();
    return fail(x);
  };
  zstd.stdout.on('data', (data: Buffer) => {
    try {
      tar.push(data);
      met = tar.kept.has(CONFIG) && REQUIRED_ENTRIES.every((e) => tar.names.includes(e));
    } catch (x) {
      problem = x;
    }
    if (met || problem !== undefined) stop();
  });
  const feeding = (): boolean => !met && problem === undefined;
  return {
    push: (chunk) => {
      guarded(stopAndFail, () => frames.push(chunk));
      // The decompressor gets a copy: the caller reuses its buffer once this returns.
      if (feeding() && !zstd.stdin.write(Buffer.from(chunk))) {
        return new Promise((resolve) => {
          zstd.stdin.once('drain', resolve);
          void zstd.done.then(() => resolve());
        });
      }
      return undefined;
    },
    end: async () => {
      guarded(stopAndFail, () => frames.end());
      if (feeding()) zstd.stdin.end();
      const run = await zstd.done;
      if (met) return configOf(path, tar);
      if (problem !== undefined) fail(problem);
      if (!run.started) throw incomplete(path, 'zstd', `it cannot be decompressed (${run.stderr.trim()})`);
      if (run.exitCode !== 0) fail(new TarProblem(`zstd: ${run.stderr.trim().split('\n')[0] || `exit ${run.exitCode}`}`));
      return endTar(path, tar, fail);
    },
    close: stop,
  };
}
