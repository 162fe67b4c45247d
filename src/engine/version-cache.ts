/**
 * Versions of programs (podman, CRIU) remembered between runs, in one JSON file under the runtime folder
 * (/run/berth/versions.json for the system, emptied at every boot). An entry holds for the program file it
 * was asked of: the same path, device, inode, size and modification time. An upgrade replaces the file, so
 * its version is asked again. Asking costs a process (25–80 ms for `podman --version` on the 2-core test
 * machine, at every checkpoint); a hit costs a stat.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

interface Entry {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly version: string;
}

type Identity = Omit<Entry, 'version'>;

export class VersionCache {
  #entries: Promise<Record<string, Entry>> | undefined;
  #saved: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /**
   * The version of `program` (a path, or a name looked up on $PATH): the one remembered for its file, or
   * else `ask()`'s answer, which is then remembered (an empty answer is not). Throws when the program is
   * not there, or ask() throws. The file is written atomically; failing to write it fails nothing.
   */
  async get(program: string, ask: () => Promise<string>): Promise<string> {
    const path = await this.#locate(program);
    const [entries, st] = await Promise.all([this.#load(), stat(path)]);
    const identity: Identity = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    const known = entries[path];
    if (known && sameFile(known, identity)) return known.version;
    const version = await ask();
    if (version === '') return version;
    entries[path] = { ...identity, version };
    this.#saved = this.#saved.then(() => this.#save(entries)).catch(() => undefined);
    await this.#saved;
    return version;
  }

  async #locate(program: string): Promise<string> {
    if (program.includes('/')) return program;
    for (const dir of (this.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
      const candidate = join(dir, program);
      if (await access(candidate, constants.X_OK).then(() => stat(candidate).then((s) => s.isFile()), () => false)) return candidate;
    }
    throw new Error(`${program} is not on PATH`);
  }

  #load(): Promise<Record<string, Entry>> {
    // A missing or damaged file is an empty cache: everything is asked again, and the file rewritten.
    this.#entries ??= readFile(this.file, 'utf8')
      .then((text) => {
        const parsed: unknown = JSON.parse(text);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, Entry>) : {};
      })
      .catch(() => ({}));
    return this.#entries;
  }

  async #save(entries: Record<string, Entry>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o755 });
    const tmp = `${this.file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(entries) + '\n', { mode: 0o644 });
    await rename(tmp, this.file);
  }
}

function sameFile(entry: Entry, identity: Identity): boolean {
  return entry.dev === identity.dev && entry.ino === identity.ino && entry.size === identity.size && entry.mtimeMs === identity.mtimeMs && typeof entry.version === 'string';
}
