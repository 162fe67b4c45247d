/**
 * Stand-ins for podman's checkpoint export: small real tar archives holding config.dump, spec.dump and a
 * checkpoint/ folder, made with the system tar (and zstd/gzip), in temporary folders; archives committed
 * from them, and snapshots of a store's folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ExecutionContext } from 'ava';
import type { Compression } from '../../src/compile/checkpoint-settings.js';
import type { ManifestFields } from '../../src/checkpoint/manifest.js';
import type { CheckpointFacts } from '../../src/checkpoint/facts.js';
import type { ArchiveInfo, CheckpointStore } from '../../src/checkpoint/store.js';

/** A fresh folder removed after the test. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-checkpoint-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const FILTER: Record<Compression, string[]> = { zstd: ['--zstd'], gzip: ['--gzip'], none: [] };

/** What podman's config.dump holds of the container, among much else (config-dump.ts). */
export const CONFIG_DUMP = {
  spec: { ociVersion: '1.0.2' },
  id: 'c'.repeat(64),
  name: 'systemd-web',
  CreateCommand: ['/usr/bin/podman', 'run', '--name', 'systemd-web', 'localhost/busybox:latest', 'httpd', '-f'],
  rootfsImageID: 'd'.repeat(64),
  rootfsImageName: 'localhost/busybox:latest',
};

/** The facts of an archive taken on a 2-core AMD test machine with runc. */
export const FACTS: CheckpointFacts = {
  kernel: '6.1.0-28-amd64',
  arch: 'x86_64',
  cpuModel: 'AMD EPYC 7B13',
  cpuFlags: ['avx', 'avx2', 'fpu', 'sse4_2'],
  runtimeVersion: '1.1.5+ds1',
  imageId: 'd'.repeat(64),
  runtime: 'runc',
  ports: [{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }],
  staticIPs: [],
  staticMACs: [],
};

export interface ExportOptions {
  /** Bytes of random memory image (default 20 000). */
  readonly payload?: number;
  /** Members to leave out, e.g. 'spec.dump'. */
  readonly omit?: readonly string[];
}

/** Writes a checkpoint-like tar archive to `path` (created or truncated, as podman does). */
export async function writeExport(path: string, compress: Compression, opts: ExportOptions = {}): Promise<void> {
  const src = await mkdtemp(join(tmpdir(), 'berth-export-'));
  try {
    const members = ['config.dump', 'spec.dump', 'checkpoint'].filter((m) => !opts.omit?.includes(m));
    await writeFile(join(src, 'config.dump'), JSON.stringify(CONFIG_DUMP));
    await writeFile(join(src, 'spec.dump'), JSON.stringify({ ociVersion: '1.0.2' }));
    await mkdir(join(src, 'checkpoint'));
    await writeFile(join(src, 'checkpoint', 'pages-1.img'), randomBytes(opts.payload ?? 20_000));
    await writeFile(join(src, 'checkpoint', 'inventory.img'), 'inventory');
    await execa('tar', ['-c', ...FILTER[compress], '-f', path, '-C', src, ...members]);
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

export function fields(overrides: Partial<ManifestFields> = {}): ManifestFields {
  return {
    name: 'web',
    container: 'systemd-web',
    containerId: 'f'.repeat(64),
    image: 'localhost/busybox:latest',
    unit: 'web.service',
    podmanVersion: '5.4.0',
    criuVersion: '4.0',
    durationMs: 1234,
    leaveRunning: true,
    tcpEstablished: false,
    fileLocks: false,
    runHash: 'a'.repeat(64),
    stats: { podman_checkpoint_duration: 1000 },
    ...overrides,
  };
}

/** 2025-03-0{day}T10:00:00Z plus `ms`, so that archives of a test sort as intended. */
export function at(day: number, ms = 0): Date {
  return new Date(Date.UTC(2025, 2, day, 10, 0, 0, ms));
}

/** Prepares, writes and commits one archive, recorded as berth records it. */
export async function commitOne(store: CheckpointStore, when: Date, compress: Compression = 'zstd', opts: ExportOptions = {}): Promise<ArchiveInfo> {
  const pending = await store.prepare(compress, when);
  await writeExport(pending.tmpPath, compress, opts);
  return (await store.commit(pending, fields())).archive;
}

export const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

/** Snapshot (name → sha256) of every file in a folder, to prove older archives were not touched. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await sha256(join(dir, name));
  return out;
}
