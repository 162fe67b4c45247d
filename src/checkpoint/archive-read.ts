/**
 * Reading an archive once through its decompressor into a tar reader (tar-headers.ts), for what `berth
 * checkpoints show` and `berth adopt` learn from an archive. What cannot be read is a CheckpointError
 * `verify` that says why.
 */
import type { Compression } from '../compile/checkpoint-settings.js';
import { startFilter } from '../engine/command.js';
import { CheckpointError } from '../errors.js';
import { CriuImageProblem } from './criu-image.js';
import { TarHeaders, TarProblem } from './tar-headers.js';

const READER: Record<Compression, string[]> = { zstd: ['zstd', '-d', '-c', '-q'], gzip: ['gzip', '-d', '-c'], none: ['cat'] };

/** Lets a member's sink hold the reading up while it catches up (a decompressor inside the archive). */
export interface Flow {
  pause(): void;
  resume(): void;
}

export function unreadable(path: string, why: string): CheckpointError {
  return new CheckpointError('verify', `${path} cannot be read as a checkpoint archive: ${why}`);
}

/**
 * Feeds the archive to the reader `tar(flow)` makes, to its end; then waits for `settled` (what the sinks
 * still do with the last bytes). Returns the reader.
 */
export async function readArchive(path: string, compress: Compression, tar: (flow: Flow) => TarHeaders, settled: () => Promise<unknown> = async () => undefined): Promise<TarHeaders> {
  const reader = await startFilter([...READER[compress], '--', path]);
  reader.stdin.end();
  const headers = tar({ pause: () => reader.stdout.pause(), resume: () => reader.stdout.resume() });
  let problem: unknown;
  reader.stdout.on('data', (chunk: Buffer) => {
    try {
      if (problem === undefined) headers.push(chunk);
    } catch (x) {
      problem = x;
    }
  });
  const run = await reader.done;
  try {
    await settled();
  } catch (x) {
    problem ??= x;
  }
  if (problem instanceof TarProblem || problem instanceof CriuImageProblem) throw unreadable(path, problem.message);
  if (problem !== undefined) throw problem;
  if (run.exitCode !== 0) throw unreadable(path, run.stderr.trim().split('\n')[0] || `${READER[compress][0]} exit ${run.exitCode}`);
  return headers;
}
