/**
 * What io.berth.Manager1 answers (interface.ts's AgentBackend), from the live state whichever mode fills
 * it: the container rows, one container in full, its archives, and the Checkpoint and Restore methods.
 */
import type * as DBus from 'dbus-next';
import { CheckpointStore } from '../checkpoint/store.js';
import { takeCheckpoint } from '../checkpoint/take.js';
import type { CheckpointedEntry, ContainerEntry } from '../containers/inventory.js';
import { sinceOf, type LiveContainer, type LiveContainers } from '../containers/live-containers.js';
import { checkpointColumns, lastCheckpoint, liveColumns, statusRow, withRefusals, type ContainerStatus } from '../containers/status.js';
import type { Podman } from '../engine/podman.js';
import { dbusNext } from '../systemd/dbus-next.js';
import type { DefinitionsView } from './definitions-view.js';
import type { HealthCache } from './health-cache.js';
import { AgentError, ERRORS, ownContainer, type AgentBackend, type CheckpointStruct, type ContainerStruct, type DefinitionStruct } from './interface.js';
import type { Mode } from './mode.js';

const LAST_CHECKPOINT_TTL_MS = 2000;

const toUsec = (d: Date | null | undefined): bigint => (d ? BigInt(d.getTime()) * 1000n : 0n);

export interface BackendOptions {
  readonly version: string;
  readonly user: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly live: LiveContainers;
  readonly health: HealthCache;
  readonly definitions: DefinitionsView;
  readonly podman: Podman;
  mode(): Mode;
  /** Says how a checkpoint ended, to the log and to clients (CheckpointFinished). */
  finished(name: string, ok: boolean, archive: string, error: string): void;
}

export class ManagerBackend implements AgentBackend {
  readonly version: string;
  #lastCheckpoints = new Map<string, { at: number; value: ReturnType<typeof lastCheckpoint> }>();

  constructor(private readonly opts: BackendOptions) {
    this.version = opts.version;
  }

  scheduler(): string {
    return this.opts.mode().name;
  }

  containers(): ContainerStruct[] {
    return this.opts.live.list().map((c) => this.#struct(c));
  }

  async getContainer(name: string): Promise<Record<string, DBus.Variant>> {
    const c = this.#container(name);
    const { Variant } = dbusNext();
    const [n, unit, load, active, sub, result, mainPid, since, restarts, health] = this.#struct(c);
    const v: Record<string, DBus.Variant> = {
      Name: new Variant('s', n),
      Unit: new Variant('s', unit),
      Definition: new Variant('s', c.entry.definition),
      Container: new Variant('s', c.entry.container ?? ''),
      LoadState: new Variant('s', load),
      ActiveState: new Variant('s', active),
      SubState: new Variant('s', sub),
      Result: new Variant('s', result),
      MainPID: new Variant('u', mainPid),
      Since: new Variant('t', since),
      NRestarts: new Variant('u', restarts),
      Health: new Variant('s', health),
      HasCheckpoints: new Variant('b', Boolean(c.entry.checkpoint)),
    };
    if (c.entry.checkpoint) {
      const { last } = await this.#lastCheckpoint(c.entry);
      v['CheckpointDirectory'] = new Variant('s', c.entry.checkpoint.directory);
      v['LastCheckpoint'] = new Variant('t', last ? toUsec(new Date(last.at)) : 0n);
      v['LastCheckpointSize'] = new Variant('t', BigInt(last?.size ?? 0));
      v['LastCheckpointValid'] = new Variant('b', last?.valid ?? false);
      v['LastCheckpointPath'] = new Variant('s', last?.path ?? '');
      v['LastCheckpointFreezeUSec'] = new Variant('t', BigInt(last?.freezeMicros ?? 0));
      // "valid", or why the newest archive is not ("" when there is none).
      v['LastCheckpointResult'] = new Variant('s', last ? (last.valid ? 'valid' : (last.problem ?? 'invalid')) : '');
      v['NextCheckpoint'] = new Variant('t', toUsec(this.opts.mode().nextCheckpoint(c)));
      v['LastTrigger'] = new Variant('t', toUsec(c.timer?.lastTrigger));
      v['CheckpointTimer'] = new Variant('s', c.entry.timer ?? '');
    }
    return v;
  }

  /**
   * The rows `berth status --json` prints, from what the agent follows: systemd's side from memory (once the
   * reads under way are done), health from its cache, the newest archives read now (as `berth status` reads
   * them), and the next checkpoint from the timer (or, in cron mode, the agent's own scheduler).
   */
  async status(names: string[]): Promise<string> {
    const mode = this.opts.mode();
    await mode.settled();
    const chosen = names.length === 0 ? this.opts.live.list() : names.map((n) => this.#container(n));
    if (chosen.some((c) => c.entry.healthCheck)) await this.opts.health.fresh();
    const rows = await Promise.all(chosen.map(async (c): Promise<ContainerStatus> => {
      const checkpoint = checkpointColumns(c.entry, await lastCheckpoint(c.entry), c.timer, mode.nextCheckpoint(c));
      return statusRow(c.entry, liveColumns(c.service), this.opts.health.health(c.entry), checkpoint);
    }));
    return JSON.stringify(withRefusals(rows, this.opts.definitions.run));
  }

  definitions(): DefinitionStruct[] {
    return this.opts.definitions.rows.map((r) => [r.name, r.kind, r.source, r.unit ?? '', r.state, r.reason ?? '']);
  }

  /** What `berth list --json` prints, read now as it reads it. */
  listDefinitions(): Promise<string> {
    return this.opts.definitions.current();
  }

  async listCheckpoints(name: string): Promise<CheckpointStruct[]> {
    const entry = checkpointable(this.#container(name).entry);
    const archives = await new CheckpointStore(entry.checkpoint.directory, entry.name).list();
    return archives.map((a) => [toUsec(a.createdAt), BigInt(a.size), a.valid, a.path, a.problem ?? '']);
  }

  checkpoint(name: string): Promise<string> {
    return this.take(this.#container(name).entry);
  }

  /** A checkpoint now (a client's call, or a cron schedule's run); its end is reported either way. */
  async take(entry: ContainerEntry): Promise<string> {
    const { name, checkpoint } = checkpointable(entry);
    const container = ownContainer(entry);
    try {
      const { archive } = await takeCheckpoint({ name, container, settings: checkpoint, user: this.opts.user, podman: this.opts.podman, env: this.opts.env });
      this.finished(name, true, archive.path, '');
      return archive.path;
    } catch (err) {
      this.finished(name, false, '', (err as Error).message);
      throw err;
    } finally {
      this.opts.mode().checkpointTaken();
    }
  }

  restore(name: string, archive: string): Promise<string> {
    return this.opts.mode().restore(checkpointable(this.#container(name).entry), archive);
  }

  /** A checkpoint ended: the newest archive is read again at the next call. */
  finished(name: string, ok: boolean, archive: string, error: string): void {
    this.#lastCheckpoints.delete(name);
    this.opts.finished(name, ok, archive, error);
  }

  #container(name: string): LiveContainer {
    const c = this.opts.live.get(name);
    if (!c) throw new AgentError(ERRORS.noSuchContainer, `no container definition named ${name}`);
    return c;
  }

  #struct(c: LiveContainer): ContainerStruct {
    const s = c.service;
    return [c.entry.name, c.entry.unit, s.load, s.active, s.sub, s.result, s.mainPid, toUsec(sinceOf(s)), s.restarts, this.opts.health.of(c.entry)];
  }

  /**
   * The newest archive, read at most every LAST_CHECKPOINT_TTL_MS per container (and again at once after a
   * checkpoint the agent sees finish): GetContainer is then answered from memory, in one go, which also keeps
   * a burst of calls from holding thousands of objects across disk reads.
   */
  #lastCheckpoint(entry: ContainerEntry): ReturnType<typeof lastCheckpoint> {
    const cached = this.#lastCheckpoints.get(entry.name);
    if (cached && Date.now() - cached.at < LAST_CHECKPOINT_TTL_MS) return cached.value;
    const value = lastCheckpoint(entry);
    this.#lastCheckpoints.set(entry.name, { at: Date.now(), value });
    return value;
  }
}

/** The entry, when it has a [Checkpoint] section; NoCheckpointSection otherwise. */
function checkpointable(entry: ContainerEntry): CheckpointedEntry {
  if (!entry.checkpoint) throw new AgentError(ERRORS.noCheckpointSection, `${entry.name} has no [Checkpoint] section in ${entry.definition}`);
  return entry as CheckpointedEntry;
}
