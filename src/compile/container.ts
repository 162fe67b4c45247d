/** Compiles a .container definition into the service that runs it with `podman run`. */
import { existsSync } from 'node:fs';
import type { DefinitionError } from '../errors.js';
import type { Definition } from '../model/definition.js';
import { joinCsv, quoteWords, splitCsv } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { Command } from './command.js';
import { CONTAINER_KEYS } from './container-keys.js';
import { containerNameOf, type CompileContext } from './context.js';
import { absolutePath, addNetworks, addVolumes, baseCommand, failAt, imageSource, networkNeeds, storageSource, userMappings } from './shared.js';
import { applyKeys, checkKeys, degraded, initService, Problems, requireFeature, supports } from './service.js';
import type { CompiledUnit } from './compiled.js';
import { checkpointUnits } from './checkpoint.js';
import { readCheckpoint } from './checkpoint-settings.js';

const S = 'Container';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly def: Definition;
  readonly unit: UnitFile;
  readonly service: UnitFile;
  readonly ctx: CompileContext;
  readonly cmd: Command;
  readonly name: string;
  /** The container has a [Checkpoint] section: it gets the restorable unit shape (see restorable()). */
  readonly restorable: boolean;
  readonly problems: Problems;
}

/** Where a restorable container's conmon writes its PID, for the unit's PIDFile=. */
const CONMON_PIDFILE = '%t/%N.conmon.pid';

type Handler = (job: Job) => void;

const fail = (unit: UnitFile, e: Entry | undefined, detail: string): DefinitionError => failAt(unit, S, e, detail);

const noop: Handler = () => undefined;

const HANDLERS: Readonly<Record<string, Handler>> = {
  ContainerName: noop,
  Image: noop,
  Rootfs: noop,
  Exec: noop,
  GlobalArgs: noop,
  ContainersConfModule: noop,
  ReloadCmd: noop,
  ReloadSignal: noop,

  CgroupsMode({ unit, cmd, restorable }) {
    const mode = unit.get(S, 'CgroupsMode');
    if (restorable) {
      // conmon stays in the unit's cgroup and writes the PID file systemd supervises, for a run and a restore alike.
      if (mode) throw fail(unit, unit.last(S, 'CgroupsMode'), 'cannot be set in a container with a [Checkpoint] section (it runs with --cgroups=no-conmon)');
      cmd.add(`--conmon-pidfile=${CONMON_PIDFILE}`, '--cgroups=no-conmon');
      return;
    }
    cmd.add(...(mode ? ['--cgroups', mode] : ['--cgroups=split']));
  },

  Entrypoint({ unit, cmd }) {
    // An empty Entrypoint= is meaningful: it clears the image's entrypoint.
    const v = unit.get(S, 'Entrypoint');
    if (v !== undefined) cmd.add(`--entrypoint=${v}`);
  },

  Network(job) {
    for (const need of networkNeeds(job, S)) requireFeature(job.ctx, job.unit, need.entry, need.gate);
    addNetworks(job, S, job.cmd);
  },

  Notify(job) {
    const { unit, service, cmd, ctx } = job;
    if (job.restorable) {
      // A restored container never sends READY, so a restorable unit is Type=forking on conmon's PID file.
      if (unit.get(S, 'Notify')) throw fail(unit, unit.last(S, 'Notify'), 'cannot be set in a container with a [Checkpoint] section (a restored container never reports READY)');
      service.set('Service', 'Type', 'forking');
      service.set('Service', 'PIDFile', CONMON_PIDFILE);
      cmd.add('-d');
      return;
    }
    if (service.get('Service', 'Type') === 'oneshot') return;
    const e = unit.last(S, 'Notify');
    const v = unit.get(S, 'Notify')?.toLowerCase();
    if (v === 'healthy' && !supports(ctx, 'run --sdnotify=healthy')) {
      // Readiness at conmon's start instead of at the first healthy check: the unit still runs.
      job.problems.warnings.push(degraded(ctx, unit, e!, 'run --sdnotify=healthy', 'the unit is ready when conmon starts (--sdnotify=conmon) instead'));
      cmd.add('--sdnotify=conmon');
    } else if (v === 'healthy') {
      cmd.add('--sdnotify=healthy');
    } else if (v !== undefined && v !== '' && unit.bool(S, 'Notify')) {
      cmd.add('--sdnotify=container');
    } else {
      cmd.add('--sdnotify=conmon');
    }
    service.set('Service', 'Type', 'notify');
    service.set('Service', 'NotifyAccess', 'all');
    // podman detaches; conmon stays behind as the service's main process.
    cmd.add('-d');
  },

  AddDevice({ unit, cmd }) {
    for (let device of unit.strv(S, 'AddDevice')) {
      // A leading '-' makes the device optional: skipped when the host has no such path.
      if (device.startsWith('-')) {
        device = device.slice(1);
        if (!existsSync(device.split(':')[0]!)) continue;
      }
      cmd.add('--device', device);
    }
  },

  SeccompProfile({ unit, cmd }) {
    const v = unit.get(S, 'SeccompProfile');
    if (v !== undefined) cmd.add('--security-opt', `seccomp=${v}`);
  },

  ReadOnly({ unit, cmd }) {
    const readOnly = unit.bool(S, 'ReadOnly');
    if (readOnly !== undefined) cmd.addBool('--read-only', readOnly);
    if (unit.bool(S, 'VolatileTmp') && !readOnly) cmd.add('--tmpfs', '/tmp:rw,size=512M,mode=1777');
  },
  VolatileTmp: noop,

  User(job) {
    const user = job.unit.get(S, 'User');
    const group = job.unit.get(S, 'Group');
    if (!user) {
      if (group) throw fail(job.unit, job.unit.last(S, 'Group'), 'Group= needs User= as well');
      return;
    }
    job.cmd.add('--user', group ? `${user}:${group}` : user);
  },
  Group: noop,

  UserNS(job) {
    for (const need of userMappings(job, S, job.cmd, true)) requireFeature(job.ctx, job.unit, need.entry, need.gate);
  },
  UIDMap: noop,
  GIDMap: noop,
  SubUIDMap: noop,
  SubGIDMap: noop,
  RemapUsers: noop,
  RemapUid: noop,
  RemapGid: noop,
  RemapUidSize: noop,

  Volume: (job) => addVolumes(job, S, job.cmd),

  AutoUpdate({ unit, cmd }) {
    const v = unit.get(S, 'AutoUpdate');
    if (v) cmd.add('--label', `io.containers.autoupdate=${v}`);
  },

  ExposeHostPort(job) {
    for (const e of job.unit.list(S, 'ExposeHostPort')) {
      const port = e.value.trim();
      if (!/^\d+(-\d+)?(\/udp|\/tcp)?$/.test(port)) throw fail(job.unit, e, `"${port}" is not a port or port range (N, N-M, with /tcp or /udp)`);
      job.cmd.add('--expose', port);
    }
  },

  EnvironmentFile(job) {
    for (const file of job.unit.args(S, 'EnvironmentFile')) job.cmd.add('--env-file', absolutePath(job.unit, file));
  },

  Mount(job) {
    for (const e of job.unit.list(S, 'Mount')) {
      for (const mount of job.unit.splitEntry(e) ?? []) job.cmd.add('--mount', resolveMount(job, e, mount));
    }
  },

  Pod(job) {
    const e = job.unit.last(S, 'Pod');
    const pod = job.unit.get(S, 'Pod');
    if (!pod || !e) return;
    if (!pod.endsWith('.pod')) throw fail(job.unit, e, `pod ${pod} is not Quadlet based`);
    const info = job.ctx.units.get(pod);
    if (!info) throw fail(job.unit, e, `quadlet pod unit ${pod} does not exist`);
    job.cmd.add('--pod', info.resourceName);
    job.service.add('Unit', 'BindsTo', `${info.serviceName}.service`, e);
    job.service.add('Unit', 'After', `${info.serviceName}.service`, e);
  },
};

const MOUNT_TYPES_WITH_SOURCE = new Set(['volume', 'bind', 'glob', 'image', 'artifact']);

/** Puts type= first and resolves the source of mounts that have one, as Quadlet does. */
function resolveMount(job: Job, e: Entry, mount: string): string {
  const tokens = splitCsv(mount);
  const typeIndex = tokens.findIndex((t) => t.startsWith('type='));
  if (typeIndex < 0) throw fail(job.unit, e, `mount "${mount}" has no type=`);
  const type = tokens[typeIndex]!.slice('type='.length);
  if (!MOUNT_TYPES_WITH_SOURCE.has(type)) return mount;
  requireFeature(job.ctx, job.unit, e, `run --mount type=${type}`);
  const rest = tokens.filter((_, i) => i !== typeIndex);
  const srcIndex = rest.findIndex((t) => /^(source|src)(=|$)/.test(t));
  if (srcIndex >= 0) {
    const token = rest[srcIndex]!;
    const eq = token.indexOf('=');
    if (eq < 0) throw fail(job.unit, e, 'source parameter does not include a value');
    rest[srcIndex] = `source=${storageSource(job, e, token.slice(eq + 1), true)}`;
  } else if (type !== 'volume') {
    throw fail(job.unit, e, `source parameter is required for mount type ${type}`);
  }
  return joinCsv([`type=${type}`, ...rest]);
}

/** ExecReload from ReloadCmd= or ReloadSignal= (one of them). */
function reload(job: Job): void {
  const { unit, service, ctx, name } = job;
  const signal = unit.get(S, 'ReloadSignal');
  const cmdEntry = unit.last(S, 'ReloadCmd');
  const reloadCmd = unit.lastArgs(S, 'ReloadCmd') ?? [];
  if (!signal && reloadCmd.length === 0) return;
  if (signal && reloadCmd.length > 0) throw fail(job.unit, cmdEntry, 'ReloadCmd and ReloadSignal are mutually exclusive but both are set');
  const cmd = baseCommand(unit, S, ctx);
  if (reloadCmd.length > 0) cmd.add('exec', name).addAll(reloadCmd);
  else cmd.add('kill', '--signal', signal!, name);
  service.add('Service', 'ExecReload', quoteWords(cmd.args));
}

export function compileContainer(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKeys(def, CONTAINER_KEYS, 'run', ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;
  const name = containerNameOf(def);

  const image = unit.get(S, 'Image') ?? '';
  const rootfs = unit.get(S, 'Rootfs') ?? '';
  if (!image && !rootfs) problems.errors.push(fail(unit, undefined, 'no Image or Rootfs key specified'));
  if (image && rootfs) problems.errors.push(fail(unit, unit.last(S, 'Rootfs'), 'Image= and Rootfs= cannot both be set'));

  service.add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  const killMode = service.get('Service', 'KillMode');
  if (killMode === undefined) service.set('Service', 'KillMode', 'mixed');
  else if (killMode !== 'mixed' && killMode !== 'control-group') {
    problems.errors.push(service.error(service.last('Service', 'KillMode')!, 'must be mixed or control-group for a container'));
  }
  const checkpoint = readCheckpoint(unit, ctx.validateCalendar, problems);
  const type = service.get('Service', 'Type');
  if (type !== undefined && (checkpoint ? type !== 'forking' : type !== 'notify' && type !== 'oneshot')) {
    const allowed = checkpoint ? 'forking (or unset) for a container with a [Checkpoint] section' : 'notify or oneshot for a container';
    problems.errors.push(service.error(service.last('Service', 'Type')!, `must be ${allowed}`));
  }
  if (checkpoint && def.fileName.includes('@')) {
    problems.errors.push(fail(unit, undefined, 'a [Checkpoint] section is not supported in a template'));
  }
  if (checkpoint && unit.has(S, 'RunInit') && unit.bool(S, 'RunInit')) {
    // Measured: CRIU cannot restore the bind mount of the init binary (mnt-v2 remount with MS_PRIVATE fails).
    problems.errors.push(fail(unit, unit.last(S, 'RunInit'), 'cannot be used with a [Checkpoint] section: CRIU cannot restore the init binary\'s bind mount'));
  }

  if (checkpoint) {
    const timeout = unit.get(S, 'StopTimeout') || '10';
    service.add('Service', 'ExecStop', quoteWords(baseCommand(unit, S, ctx).add('stop', '--ignore', '-t', timeout, name).args));
    service.add('Service', 'ExecStopPost', quoteWords(baseCommand(unit, S, ctx).add('rm', '-f', '--ignore', '-t', timeout, name).args.map((a, i) => (i === 0 ? '-' + a : a))));
    // systemd must outwait podman's own stop timeout, or it kills conmon and leaves the runtime's state behind.
    if (!unit.has('Service', 'TimeoutStopSec')) service.set('Service', 'TimeoutStopSec', String(Number(timeout) + 60));
    // A process ended by the stop signal exits 143; that is a clean stop, not a failure.
    if (!unit.has('Service', 'SuccessExitStatus')) service.set('Service', 'SuccessExitStatus', '143');
  } else {
    // conmon may die before removing the container: remove it on stop, and after a crash (ExecStopPost).
    const stop = baseCommand(unit, S, ctx).add('rm', '-v', '-f', '-i', name);
    service.add('Service', 'ExecStop', quoteWords(stop.args));
    service.add('Service', 'ExecStopPost', quoteWords(['-' + stop.args[0], ...stop.args.slice(1)]));
  }

  const cmd = baseCommand(unit, S, ctx).add('run', '--name', name, '--replace', '--rm');
  const job: Job = { def, unit, service, ctx, cmd, name, restorable: checkpoint !== undefined, problems };
  problems.guard(() => reload(job));
  service.add('Service', 'Delegate', 'yes');
  if (!unit.has('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');

  applyKeys(unit, S, CONTAINER_KEYS, HANDLERS, job, cmd, ctx, problems);

  let imageRef = image;
  problems.guard(() => {
    if (image) imageRef = imageSource(job, unit.last(S, 'Image')!, image);
  });
  cmd.add(...(imageRef ? [imageRef] : ['--rootfs', rootfs]));
  cmd.addAll(unit.lastArgs(S, 'Exec') ?? []);
  // A restorable container starts through `berth start`, which runs this command or restores an archive.
  const start = checkpoint
    ? [...ctx.berth, 'start', '--pidfile', CONMON_PIDFILE, '--directory', checkpoint.directory,
      ...(checkpoint.restoreOnStart === 'latest' ? ['--restore-latest'] : []), info.serviceName, '--', ...cmd.args]
    : cmd.args;
  service.add('Service', 'ExecStart', quoteWords(start));

  // berth's own section, kept for reference under a name systemd ignores.
  service.renameSection('Checkpoint', 'X-Checkpoint');
  const extraUnits = checkpoint ? checkpointUnits(info.serviceName, unit.path, checkpoint, ctx) : [];
  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings, extraUnits };
}
