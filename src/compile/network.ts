/**
 * Compiles a .network definition into the oneshot service that creates the network with `podman network
 * create` (templates/network.service).
 */
import { resourceNameOf } from './context.js';
import { gate, requireGate, valueGate } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import { NETWORK_KEYS } from './network-keys.js';
import { applyKeys, checkedTable } from './rules.js';
import { createValues } from './shared.js';

const S = 'Network';
const SUB = 'network create';
const IP_RANGE_START_END = gate(`${SUB} --ip-range=START-END`);

const HANDLERS: Readonly<Record<string, Handler>> = {
  /** Subnet=, Gateway= and IPRange= lines, paired by position. */
  Subnet(job) {
    const { unit, cmd } = job;
    const subnets = unit.list(S, 'Subnet');
    const gateways = unit.list(S, 'Gateway');
    const ranges = unit.list(S, 'IPRange');
    if (subnets.length === 0) {
      if (gateways.length > 0 || ranges.length > 0) throw fail(job, gateways[0] ?? ranges[0], 'cannot set gateway or range without subnet');
      return;
    }
    if (gateways.length > subnets.length) throw fail(job, gateways[subnets.length], 'cannot set more gateways than subnets');
    if (ranges.length > subnets.length) throw fail(job, ranges[subnets.length], 'cannot set more ranges than subnets');
    subnets.forEach((subnet, i) => {
      cmd.add('--subnet', subnet.value);
      if (gateways[i]) cmd.add('--gateway', gateways[i]!.value);
      if (ranges[i]) cmd.add('--ip-range', ranges[i]!.value);
    });
  },
};

checkedTable(SUB, NETWORK_KEYS, HANDLERS);

/**
 * Values newer than their flag: a driver or IPAM driver (`--driver=ipvlan`), a START-END range, and
 * network options (`--opt isolate`, `--opt isolate=strict`), most specific first.
 */
function checkValues(job: Job): void {
  const { unit, ctx, problems } = job;
  const target = ctx.target;
  for (const [key, flag] of [['Driver', '--driver'], ['IPAMDriver', '--ipam-driver']] as const) {
    const v = unit.get(S, key);
    if (v) problems.guard(() => requireGate(target, unit, unit.last(S, key)!, valueGate(`${SUB} ${flag}=${v}`)));
  }
  for (const e of unit.list(S, 'IPRange')) {
    if (e.value.includes('-')) problems.guard(() => requireGate(target, unit, e, IP_RANGE_START_END));
  }
  for (const e of unit.list(S, 'Options')) {
    problems.guard(() => {
      for (const word of unit.splitEntry(e) ?? []) {
        const eq = word.indexOf('=');
        if (eq >= 0) requireGate(target, unit, e, valueGate(`${SUB} --opt ${word}`));
        requireGate(target, unit, e, valueGate(`${SUB} --opt ${eq < 0 ? word : word.slice(0, eq)}`));
      }
    });
  }
}

export function compileNetwork(job: Job): KindOutput {
  const { unit, problems } = job;
  checkValues(job);
  const name = resourceNameOf(job.def, S, 'NetworkName');
  let deleteOnStop = false;
  problems.guard(() => {
    deleteOnStop = unit.bool(S, 'NetworkDeleteOnStop') ?? false;
  });
  applyKeys(job, NETWORK_KEYS, SUB, HANDLERS);
  return { template: 'network.service', values: { ...createValues(job, 'network', name), 'delete-on-stop': deleteOnStop ? [] : undefined } };
}
