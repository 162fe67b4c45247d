/**
 * Compiles a .container definition into the service that runs it with `podman run`
 * (templates/container.service), or, with a [Checkpoint] section, runs or restores it through `berth start`
 * (templates/container-restorable.service).
 */
import { existsSync } from 'node:fs';
import { DefinitionError } from '../errors.js';
import { joinCsv, splitCsv } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import { readCheckpoint, type CheckpointSettings } from './checkpoint-settings.js';
import { checkpointUnits } from './checkpoint.js';
import { defaultCgroups } from './cgroups-mode.js';
import { CONTAINER_KEYS } from './container-keys.js';
import { containerNameOf } from './context.js';
import { degraded, gate, requireGate, supports, valueGate } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import { applyKeys, checkedTable } from './rules.js';
import { absolutePath, addNetworks, addVolumes, imageSource, storageSource, userMappings } from './shared.js';

const S = 'Container';
const SDNOTIFY_HEALTHY = gate('run --sdnotify=healthy');

interface ContainerJob extends Job {
  /** The container has a [Checkpoint] section: it gets the restorable unit shape. */
  readonly restorable: boolean;
}

const HANDLERS: Readonly<Record<string, Handler<ContainerJob>>> = {
  CgroupsMode({ unit, cmd, restorable, section, ctx }) {
    const mode = unit.get(S, 'CgroupsMode');
    if (restorable) {
      // conmon stays in the unit's cgroup and writes the PID file systemd supervises (the template's --cgroups=no-conmon).
      if (mode) throw fail({ unit, section }, unit.last(S, 'CgroupsMode'), 'cannot be set in a container with a [Checkpoint] section (it runs with --cgroups=no-conmon)');
      return;
    }
    cmd.add(...(mode ? ['--cgroups', mode] : [defaultCgroups(ctx).flag]));
  },

  Entrypoint({ unit, cmd }) {
    // An empty Entrypoint= is meaningful: it clears the image's entrypoint.
    const v = unit.get(S, 'Entrypoint');
    if (v !== undefined) cmd.add(`--entrypoint=${v}`);
  },

  Network(job) {
    for (const need of addNetworks(job)) requireGate(job.ctx.target, job.unit, need.entry, need.gate);
  },

  Notify(job) {
    const { unit, service, cmd, ctx } = job;
    const e = unit.last(S, 'Notify');
    if (job.restorable) {
      // A restored container never sends READY: the restorable template follows conmon's PID file instead.
      if (unit.get(S, 'Notify')) throw fail(job, e, 'cannot be set in a container with a [Checkpoint] section (a restored container never reports READY)');
      return;
    }
    if (service.get('Service', 'Type') === 'oneshot') return;
    const v = unit.get(S, 'Notify')?.toLowerCase();
    if (v === 'healthy' && !supports(ctx.target, SDNOTIFY_HEALTHY)) {
      // Readiness at conmon's start instead of at the first healthy check: the unit still runs.
      job.problems.warnings.push(degraded(ctx.target, unit, e!, SDNOTIFY_HEALTHY, 'the unit is ready when conmon starts (--sdnotify=conmon) instead'));
      cmd.add('--sdnotify=conmon');
    } else if (v === 'healthy') {
      cmd.add('--sdnotify=healthy');
    } else if (v !== undefined && v !== '' && unit.bool(S, 'Notify')) {
      cmd.add('--sdnotify=container');
    } else {
      cmd.add('--sdnotify=conmon');
    }
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

  User(job) {
    const user = job.unit.get(S, 'User');
    const group = job.unit.get(S, 'Group');
    if (!user) {
      if (group) throw fail(job, job.unit.last(S, 'Group'), 'Group= needs User= as well');
      return;
    }
    job.cmd.add('--user', group ? `${user}:${group}` : user);
  },

  UserNS(job) {
    for (const need of userMappings(job, true)) requireGate(job.ctx.target, job.unit, need.entry, need.gate);
  },

  Volume: (job) => addVolumes(job),

  AutoUpdate({ unit, cmd }) {
    const v = unit.get(S, 'AutoUpdate');
    if (v) cmd.add('--label', `io.containers.autoupdate=${v}`);
  },

  ExposeHostPort(job) {
    for (const e of job.unit.list(S, 'ExposeHostPort')) {
      const port = e.value.trim();
      if (!/^\d+(-\d+)?(\/udp|\/tcp)?$/.test(port)) throw fail(job, e, `"${port}" is not a port or port range (N, N-M, with /tcp or /udp)`);
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
    if (!pod.endsWith('.pod')) throw fail(job, e, `pod ${pod} is not Quadlet based`);
    const info = job.ctx.units.get(pod);
    if (!info) throw fail(job, e, `quadlet pod unit ${pod} does not exist`);
    job.cmd.add('--pod', info.resourceName);
    job.service.add('Unit', 'BindsTo', `${info.serviceName}.service`, e);
    job.service.add('Unit', 'After', `${info.serviceName}.service`, e);
  },
};

checkedTable('run', CONTAINER_KEYS, HANDLERS);

const MOUNT_TYPES_WITH_SOURCE = new Set(['volume', 'bind', 'glob', 'image', 'artifact']);

/** Puts type= first and resolves the source of mounts that have one, as Quadlet does. */
function resolveMount(job: Job, e: Entry, mount: string): string {
  const tokens = splitCsv(mount);
  const typeIndex = tokens.findIndex((t) => t.startsWith('type='));
  if (typeIndex < 0) throw fail(job, e, `mount "${mount}" has no type=`);
  const type = tokens[typeIndex]!.slice('type='.length);
  if (!MOUNT_TYPES_WITH_SOURCE.has(type)) return mount;
  requireGate(job.ctx.target, job.unit, e, valueGate(`run --mount type=${type}`));
  const rest = tokens.filter((_, i) => i !== typeIndex);
  const srcIndex = rest.findIndex((t) => /^(source|src)(=|$)/.test(t));
  if (srcIndex >= 0) {
    const token = rest[srcIndex]!;
    const eq = token.indexOf('=');
    if (eq < 0) throw fail(job, e, 'source parameter does not include a value');
    rest[srcIndex] = `source=${storageSource(job, e, token.slice(eq + 1), true)}`;
  } else if (type !== 'volume') {
    throw fail(job, e, `source parameter is required for mount type ${type}`);
  }
  return joinCsv([`type=${type}`, ...rest]);
}

/** ExecReload from ReloadCmd= or ReloadSignal= (at most one of them). */
function reload(job: Job): { 'reload-command': string[] | undefined; 'reload-signal': string | undefined } {
  const { unit } = job;
  const signal = unit.get(S, 'ReloadSignal') || undefined;
  const command = unit.lastArgs(S, 'ReloadCmd') ?? [];
  if (signal && command.length > 0) throw fail(job, unit.last(S, 'ReloadCmd'), 'ReloadCmd and ReloadSignal are mutually exclusive but both are set');
  return { 'reload-command': command.length > 0 ? command : undefined, 'reload-signal': signal };
}

/**
 * CRIU checkpoints and restores only rootful podman: a user manager of any uid but 0 runs podman rootless,
 * where `podman container checkpoint` is refused. Refused at the section's line, naming what works instead.
 * Root's own user manager (uid 0) runs rootful podman, so CRIU works there and the section is kept.
 */
function rootlessCheckpoint(job: Job): DefinitionError | undefined {
  const { ctx, unit } = job;
  if (!ctx.user || ctx.uid === 0) return undefined;
  const who = ctx.uid === undefined ? 'this user manager' : `uid ${ctx.uid}'s user manager`;
  return new DefinitionError({ file: unit.path, line: unit.sectionLine('Checkpoint') },
    `a [Checkpoint] section needs root: CRIU checkpoints only rootful podman, and ${who} runs podman rootless; ` +
    `define the container in system scope instead (/etc/berth/definitions, with User=${ctx.uid ?? 'UID'} in [Container] to run its processes as that user), or remove the section`);
}

/** What a [Checkpoint] section rules out, each measured with CRIU (README: "Scheduled checkpoints and restore"). */
function checkRestorable(job: Job, checkpoint: CheckpointSettings | undefined): void {
  const { unit, service, problems, def } = job;
  const type = service.get('Service', 'Type');
  if (type !== undefined && (checkpoint ? type !== 'forking' : type !== 'notify' && type !== 'oneshot')) {
    const allowed = checkpoint ? 'forking (or unset) for a container with a [Checkpoint] section' : 'notify or oneshot for a container';
    problems.errors.push(service.error(service.last('Service', 'Type')!, `must be ${allowed}`));
  }
  if (!checkpoint) return;
  const rootless = rootlessCheckpoint(job);
  if (rootless) problems.errors.push(rootless);
  if (def.fileName.includes('@')) problems.errors.push(fail(job, undefined, 'a [Checkpoint] section is not supported in a template'));
  if (unit.bool(S, 'RunInit')) {
    // CRIU cannot restore the bind mount of the init binary (mnt-v2 remount with MS_PRIVATE fails).
    problems.errors.push(fail(job, unit.last(S, 'RunInit'), 'cannot be used with a [Checkpoint] section: CRIU cannot restore the init binary\'s bind mount'));
  }
}

export function compileContainer(base: Job): KindOutput {
  const { unit, service, ctx, problems, info } = base;
  const image = unit.get(S, 'Image') ?? '';
  const rootfs = unit.get(S, 'Rootfs') ?? '';
  if (!image && !rootfs) problems.errors.push(fail(base, undefined, 'no Image or Rootfs key specified'));
  if (image && rootfs) problems.errors.push(fail(base, unit.last(S, 'Rootfs'), 'Image= and Rootfs= cannot both be set'));

  const killMode = service.get('Service', 'KillMode');
  if (killMode !== undefined && killMode !== 'mixed' && killMode !== 'control-group') {
    problems.errors.push(service.error(service.last('Service', 'KillMode')!, 'must be mixed or control-group for a container'));
  }
  const checkpoint = readCheckpoint(unit, ctx.validateCalendar, problems);
  checkRestorable(base, checkpoint);
  // berth's own section, kept for reference under a name systemd ignores.
  service.renameSection('Checkpoint', 'X-Checkpoint');

  const job: ContainerJob = { ...base, restorable: checkpoint !== undefined };
  let reloadValues: ReturnType<typeof reload> = { 'reload-command': undefined, 'reload-signal': undefined };
  problems.guard(() => {
    reloadValues = reload(job);
  });
  applyKeys(job, CONTAINER_KEYS, 'run', HANDLERS);
  let imageRef = image;
  problems.guard(() => {
    if (image) imageRef = imageSource(job, unit.last(S, 'Image')!, image);
  });

  const oneshot = service.get('Service', 'Type') === 'oneshot';
  const values = {
    name: containerNameOf(job.def),
    arguments: job.cmd.args,
    image: imageRef ? [imageRef] : ['--rootfs', rootfs],
    exec: unit.lastArgs(S, 'Exec') ?? [],
    ...reloadValues,
  };
  if (!checkpoint) {
    // A host fact, not the definition, chose the cgroups mode: the unit says so.
    const note = unit.get(S, 'CgroupsMode') ? undefined : defaultCgroups(ctx).note;
    return {
      template: 'container.service', values: { ...values, type: oneshot ? undefined : 'notify', 'notify-access': oneshot ? undefined : 'all' },
      ...(note ? { notes: [note] } : {}),
    };
  }
  const stopTimeout = unit.get(S, 'StopTimeout') || '10';
  const onStop = checkpoint.onStop ? checkpoint.onStopTimeoutSec : undefined;
  return {
    template: 'container-restorable.service',
    values: {
      ...values,
      berth: ctx.berth,
      directory: checkpoint.directory,
      'restore-latest': checkpoint.restoreOnStart === 'latest' ? ['--restore-latest'] : [],
      service: info.serviceName,
      'stop-timeout': stopTimeout,
      // The checkpoint at stop runs first, then podman's stop: systemd waits for both, with room to spare.
      'timeout-stop-sec': String(Number(stopTimeout) + 60 + Math.ceil(onStop ?? 0)),
      scope: ctx.user ? ['--user'] : [],
      'on-stop-timeout': onStop === undefined ? undefined : String(onStop),
      'archive-directory': checkpoint.onStop || checkpoint.restoreOnStart === 'latest' ? checkpoint.directory : undefined,
      'success-exit-status': checkpoint.onStop || !checkpoint.leaveRunning ? '143 137' : '143',
    },
    extraUnits: checkpointUnits(info.serviceName, unit.path, checkpoint, ctx),
  };
}
