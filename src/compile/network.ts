/** Compiles a .network definition into the oneshot service that creates the network with `podman network create`. */
import type { Definition } from '../model/definition.js';
import { quoteWords } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import { resourceNameOf, type CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { NETWORK_KEYS } from './network-keys.js';
import { applyKeys, checkKeys, initService, Problems, requireFeature } from './service.js';
import { baseCommand, defaultOneshot, failAt, unlessExists } from './shared.js';
import { atLeast } from './version.js';

const S = 'Network';
const SUB = 'network create';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly unit: UnitFile;
  readonly cmd: Command;
}

type Handler = (job: Job) => void;

const fail = (unit: UnitFile, e: Entry | undefined, detail: string) => failAt(unit, S, e, detail);

const HANDLERS: Readonly<Record<string, Handler>> = {
  /** Subnet=, Gateway= and IPRange= lines, paired by position. */
  Subnet({ unit, cmd }) {
    const subnets = unit.list(S, 'Subnet');
    const gateways = unit.list(S, 'Gateway');
    const ranges = unit.list(S, 'IPRange');
    if (subnets.length === 0) {
      if (gateways.length > 0 || ranges.length > 0) throw fail(unit, gateways[0] ?? ranges[0], 'cannot set gateway or range without subnet');
      return;
    }
    if (gateways.length > subnets.length) throw fail(unit, gateways[subnets.length], 'cannot set more gateways than subnets');
    if (ranges.length > subnets.length) throw fail(unit, ranges[subnets.length], 'cannot set more ranges than subnets');
    subnets.forEach((subnet, i) => {
      cmd.add('--subnet', subnet.value);
      if (gateways[i]) cmd.add('--gateway', gateways[i]!.value);
      if (ranges[i]) cmd.add('--ip-range', ranges[i]!.value);
    });
  },
};

/**
 * Values newer than their flag: a driver or IPAM driver (`--driver=ipvlan`), a START-END range, and
 * network options (`--opt isolate`, `--opt isolate=strict`). Checked against FLAG_SINCE, most specific first.
 */
function checkValues(unit: UnitFile, ctx: CompileContext, problems: Problems): void {
  for (const [key, flag] of [['Driver', '--driver'], ['IPAMDriver', '--ipam-driver']] as const) {
    const v = unit.get(S, key);
    if (v) problems.guard(() => requireFeature(ctx, unit, unit.last(S, key)!, `${SUB} ${flag}=${v}`));
  }
  for (const e of unit.list(S, 'IPRange')) {
    if (e.value.includes('-')) problems.guard(() => requireFeature(ctx, unit, e, `${SUB} --ip-range=START-END`));
  }
  for (const e of unit.list(S, 'Options')) {
    problems.guard(() => {
      for (const word of unit.splitEntry(e) ?? []) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word : word.slice(0, eq);
        if (eq >= 0) requireFeature(ctx, unit, e, `${SUB} --opt ${word}`);
        requireFeature(ctx, unit, e, `${SUB} --opt ${name}`);
      }
    });
  }
}

export function compileNetwork(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKeys(def, NETWORK_KEYS, SUB, ctx, problems);
  checkValues(unit, ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;
  const name = resourceNameOf(def, 'NetworkName');

  problems.guard(() => {
    if (unit.bool(S, 'NetworkDeleteOnStop')) {
      service.add('Service', 'ExecStopPost', quoteWords(baseCommand(unit, S, ctx).add('network', 'rm', name).args));
    }
  });

  // Quadlet passes --ignore so that an existing network counts as created. podman before 4.4 has no such
  // flag and fails on an existing network: there the create runs only when `network exists` says it is missing.
  const ignore = atLeast(ctx.target, FLAG_SINCE[`${SUB} --ignore`]!);
  const cmd = baseCommand(unit, S, ctx).add('network', 'create');
  if (ignore) cmd.add('--ignore');
  const job: Job = { unit, cmd };
  applyKeys(unit, S, NETWORK_KEYS, HANDLERS, job, cmd, ctx, problems);
  cmd.add(name);
  const argv = ignore ? cmd.args : unlessExists(baseCommand(unit, S, ctx).add('network', 'exists', name).args, cmd.args);
  service.add('Service', 'ExecStart', quoteWords(argv));
  defaultOneshot(service, true);

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
