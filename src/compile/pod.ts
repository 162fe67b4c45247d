/**
 * Compiles a .pod definition into the service that owns a pod (templates/pod.service): `pod create` makes
 * the pod and its infra container, `pod start` starts it, `pod stop` and `pod rm` tear it down. The
 * containers that join the pod (Pod=x.pod) are listed in its UnitInfo; the pod's service wants them and
 * starts before them, all but those refused.
 */
import { resourceNameOf } from './context.js';
import { gate, requireGate, supports } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import { POD_KEYS } from './pod-keys.js';
import { applyKeys, checkedTable } from './rules.js';
import { addNetworks, addVolumes, userMappings } from './shared.js';

const S = 'Pod';
const EXIT_POLICY = gate('pod create --exit-policy');
const NEGATIVE_STOP_TIME = gate('pod stop --time=-1');

const EXIT_POLICIES = new Set(['continue', 'stop']);

const HANDLERS: Readonly<Record<string, Handler>> = {
  ExitPolicy(job) {
    const { unit, ctx, cmd } = job;
    const policy = unit.get(S, 'ExitPolicy');
    if (policy) {
      if (!EXIT_POLICIES.has(policy)) throw fail(job, unit.last(S, 'ExitPolicy'), `"${policy}" is not an exit policy (continue, stop)`);
      cmd.add('--exit-policy', policy);
      return;
    }
    // Quadlet always asks for `stop`. podman before 4.2 has no exit policy at all (its pods keep running
    // once their containers exit, as `continue` does): there the flag is left out.
    if (supports(ctx.target, EXIT_POLICY)) cmd.add('--exit-policy', 'stop');
  },

  UserNS(job) {
    for (const need of userMappings(job, true)) requireGate(job.ctx.target, job.unit, need.entry, need.gate);
  },

  Network(job) {
    for (const need of addNetworks(job)) requireGate(job.ctx.target, job.unit, need.entry, need.gate);
  },

  Volume: (job) => addVolumes(job),

  PodName(job) {
    const name = resourceNameOf(job.def, S, 'PodName');
    job.cmd.add('--infra-name', `${name}-infra`, '--name', name);
  },
};

checkedTable('pod create', POD_KEYS, HANDLERS);

/** ExecStop's `--time`: StopTimeout= seconds, 10 by default as in Quadlet. */
function stopTimeout(job: Job): string {
  const { unit, ctx } = job;
  const e = unit.last(S, 'StopTimeout');
  const v = unit.get(S, 'StopTimeout');
  if (!e || !v) return '10';
  if (!/^-?\d+$/.test(v)) throw fail(job, e, `"${v}" is not a number of seconds`);
  if (v.startsWith('-')) requireGate(ctx.target, unit, e, NEGATIVE_STOP_TIME);
  return v;
}

export function compilePod(job: Job): KindOutput {
  const { unit, service, ctx, problems, info } = job;
  const type = service.last('Service', 'Type');
  if (type && type.value !== 'forking') {
    problems.warnings.push(unit.error(type, `Type=${type.value} is replaced: a pod's service is always Type=forking`));
  }
  let timeout: string | undefined;
  problems.guard(() => {
    timeout = stopTimeout(job);
  });
  applyKeys(job, POD_KEYS, 'pod create', HANDLERS);
  return {
    template: 'pod.service',
    values: {
      name: resourceNameOf(job.def, S, 'PodName'),
      arguments: job.cmd.args,
      'stop-timeout': timeout,
      // The pod's containers: each binds itself to the pod; the pod pulls them in and starts first.
      members: info.members.filter((m) => !ctx.refused.has(m)).map((m) => `${ctx.units.get(m)!.serviceName}.service`),
    },
  };
}
