/**
 * Compiles a .pod definition into the service that owns a pod: `podman pod create` (ExecStartPre) makes
 * the pod and its infra container, `pod start` starts it, `pod stop` and `pod rm` tear it down. The
 * containers that join the pod (Pod=x.pod) are listed in its UnitInfo; the pod's service wants them and
 * starts before them, all but those refused.
 */
import { VersionError } from '../errors.js';
import type { Definition } from '../model/definition.js';
import { quoteWords } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import { resourceNameOf, type CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { POD_KEYS } from './pod-keys.js';
import { applyKeys, checkKeys, initService, Problems, requireFeature } from './service.js';
import { addNetworks, addVolumes, baseCommand, failAt, networkNeeds, userMappings } from './shared.js';
import { atLeast, formatVersion } from './version.js';

const S = 'Pod';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly unit: UnitFile;
  readonly service: UnitFile;
  readonly ctx: CompileContext;
  readonly cmd: Command;
  readonly name: string;
}

type Handler = (job: Job) => void;

const fail = (unit: UnitFile, e: Entry | undefined, detail: string) => failAt(unit, S, e, detail);

const noop: Handler = () => undefined;

const EXIT_POLICIES = new Set(['continue', 'stop']);

const HANDLERS: Readonly<Record<string, Handler>> = {
  GlobalArgs: noop,
  ContainersConfModule: noop,
  StopTimeout: noop,

  ExitPolicy({ unit, ctx, cmd }) {
    const e = unit.last(S, 'ExitPolicy');
    const policy = unit.get(S, 'ExitPolicy');
    if (policy) {
      if (!EXIT_POLICIES.has(policy)) throw fail(unit, e, `"${policy}" is not an exit policy (continue, stop)`);
      cmd.add('--exit-policy', policy);
      return;
    }
    // Quadlet always asks for `stop`. podman before 4.2 has no exit policy at all (its pods keep running
    // once their containers exit, as `continue` does): there the flag is left out.
    if (atLeast(ctx.target, FLAG_SINCE['pod create --exit-policy']!)) cmd.add('--exit-policy', 'stop');
  },

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

  Network(job) {
    for (const need of networkNeeds(job, S)) requireFeature(job.ctx, job.unit, need.entry, need.gate);
    addNetworks(job, S, job.cmd);
  },

  Volume: (job) => addVolumes(job, S, job.cmd),

  PodName({ cmd, name }) {
    cmd.add('--infra-name', `${name}-infra`, '--name', name);
  },
};

/** ExecStop's `--time`: StopTimeout= seconds, 10 by default as in Quadlet. */
function stopTimeout(unit: UnitFile, ctx: CompileContext): string {
  const e = unit.last(S, 'StopTimeout');
  const v = unit.get(S, 'StopTimeout');
  if (!e || !v) return '10';
  if (!/^-?\d+$/.test(v)) throw fail(unit, e, `"${v}" is not a number of seconds`);
  // --time is a uint before 4.7 (cmd/podman/pods/stop.go: UintVarP until v4.6.0, IntVarP from v4.7.0).
  if (v.startsWith('-') && !atLeast(ctx.target, '4.7')) {
    throw new VersionError(
      { file: e.file ?? unit.path, line: e.line, column: e.column, key: e.key },
      `needs podman 4.7 or newer (pod stop --time=-1); the target podman is ${formatVersion(ctx.target)}`,
      '4.7',
    );
  }
  return v;
}

export function compilePod(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKeys(def, POD_KEYS, 'pod create', ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;
  const name = resourceNameOf(def, 'PodName');

  // The pod's containers: each binds itself to the pod; the pod pulls them in and starts first.
  for (const member of info.members) {
    if (ctx.refused.has(member)) continue;
    const container = `${ctx.units.get(member)!.serviceName}.service`;
    service.add('Unit', 'Wants', container);
    service.add('Unit', 'Before', container);
  }

  if (!unit.has('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');

  const start = baseCommand(unit, S, ctx).add('pod', 'start', name);
  service.add('Service', 'ExecStart', quoteWords(start.args));
  problems.guard(() => {
    const stop = baseCommand(unit, S, ctx).add('pod', 'stop', '--ignore', `--time=${stopTimeout(unit, ctx)}`, name);
    service.add('Service', 'ExecStop', quoteWords(stop.args));
  });
  const rm = baseCommand(unit, S, ctx).add('pod', 'rm', '--ignore', '--force', name);
  service.add('Service', 'ExecStopPost', quoteWords(rm.args));

  // podman writes the infra container's conmon pid where systemd's PIDFile= looks for the main process.
  const cmd = baseCommand(unit, S, ctx).add('pod', 'create', '--infra-conmon-pidfile=%t/%N.pid', '--replace');
  const job: Job = { unit, service, ctx, cmd, name };
  applyKeys(unit, S, POD_KEYS, HANDLERS, job, cmd, ctx, problems);
  service.add('Service', 'ExecStartPre', quoteWords(cmd.args));

  service.add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  const type = service.last('Service', 'Type');
  if (type && type.value !== 'forking') {
    problems.warnings.push(unit.error(type, `Type=${type.value} is replaced: a pod's service is always Type=forking`));
  }
  service.set('Service', 'Type', 'forking');
  service.set('Service', 'PIDFile', '%t/%N.pid');
  if (!unit.has('Service', 'Restart')) service.set('Service', 'Restart', 'on-failure');

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
