/**
 * The driver every definition goes through: check its keys, start its unit from the definition's own
 * sections, let its kind's compiler (kinds.ts) decide the podman arguments and template values, then lay
 * the kind's template (templates/) over the unit.
 */
import type { UnitFile } from '../unit/unit-file.js';
import { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import type { CompileContext } from './context.js';
import type { Definition } from './definition.js';
import type { Job, KindOutput } from './job.js';
import { checkKeys } from './key-checks.js';
import { kindSpec } from './kinds.js';
import { Problems } from './problems.js';
import { applyTemplate } from './template.js';

/** [Unit] keys that may name another definition (After=web.container), which systemd knows by its service. */
const DEPENDENCY_KEYS = [
  'After', 'Before', 'BindsTo', 'Conflicts', 'OnFailure', 'OnSuccess', 'PartOf', 'PropagatesReloadTo',
  'PropagatesStopTo', 'ReloadPropagatedFrom', 'Requires', 'Requisite', 'StopPropagatedFrom', 'Upholds', 'Wants',
];

// podman, not systemd, must switch users: a service running podman as another user breaks it.
const UNSUPPORTED_SERVICE_KEYS = ['User', 'Group', 'DynamicUser'];

/**
 * A user manager has no network-online.target: berth's own user unit (units/user/) waits for the system's,
 * bounded, and ends without failing when it is not reached. berth's, not podman's
 * podman-user-wait-network-online.service (podman 5.0 and later), whatever the podman: the same unit, shipped
 * with berth, on every podman, and a wait that ends with a journal line, not a failed unit.
 */
export const USER_NETWORK_ONLINE = 'berth-user-wait-network-online.service';

/** After=web.container and the like name the definition; systemd needs the generated service's name. */
function translateDependencies(service: UnitFile, ctx: CompileContext, problems: Problems): void {
  for (const key of DEPENDENCY_KEYS) {
    const entries = service.list('Unit', key);
    if (entries.length === 0) continue;
    let translated = false;
    const out = service.strv('Unit', key).map((dep) => {
      if (!ctx.isDefinitionName(dep)) return dep;
      translated = true;
      const info = ctx.units.get(dep);
      if (info) return `${info.serviceName}.service`;
      problems.errors.push(service.error(entries[entries.length - 1]!, `unable to translate dependency for ${dep}: it is not defined on the search path`));
      return dep;
    });
    if (!translated) continue;
    service.unset('Unit', key);
    // Unit names hold no spaces or quotes, and systemd reads these lists without unquoting: joined as they are.
    service.add('Unit', key, out.join(' '), entries[entries.length - 1]);
  }
}

/** The unit as the definition starts it: its own sections, its kind's renamed X-<Section> so systemd ignores it. */
function startService(def: Definition, section: string, ctx: CompileContext, problems: Problems): UnitFile {
  for (const key of UNSUPPORTED_SERVICE_KEYS) {
    const e = def.unit.last('Service', key);
    if (e) problems.warnings.push(def.unit.error(e, `Warning: using key ${key} in the Service group is not supported - use at your own risk`));
  }
  const service = def.unit.clone();
  translateDependencies(service, ctx, problems);
  service.renameSection(section, `X-${section}`);
  service.renameSection('Quadlet', 'X-Quadlet');
  return service;
}

/** Image pulls and port publishing want the network up; a user manager waits for the system's through berth's unit. */
function networkOnline(job: Job): string | undefined {
  if (!(job.unit.bool('Quadlet', 'DefaultDependencies') ?? true)) return undefined;
  return job.ctx.user ? USER_NETWORK_ONLINE : 'network-online.target';
}

/** podman with the definition's --module and global arguments: the first words of each of its podman lines. */
function podmanCommand(unit: UnitFile, section: string, ctx: CompileContext): string[] {
  const cmd = new Command(ctx.podman);
  for (const e of unit.list(section, 'ContainersConfModule')) cmd.add(`--module=${e.value}`);
  return cmd.addAll(unit.args(section, 'GlobalArgs')).args;
}

export function compileDefinition(def: Definition, ctx: CompileContext): CompiledUnit {
  const spec = kindSpec(def);
  const problems = new Problems();
  checkKeys(def, spec, ctx.target, problems);
  const service = startService(def, spec.section, ctx, problems);
  const info = ctx.units.get(def.fileName)!;
  const job: Job = {
    def, unit: def.unit, section: spec.section, service, ctx, problems, info,
    cmd: new Command(), podman: podmanCommand(def.unit, spec.section, ctx),
  };
  let output: KindOutput | undefined;
  problems.guard(() => {
    output = spec.compile(job);
  });
  if (output && problems.errors.length === 0) {
    applyTemplate(service, output.template, { 'network-online': networkOnline(job), source: def.unit.path || undefined, podman: job.podman, ...output.values });
  }
  return {
    definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings,
    ...(output?.extraUnits ? { extraUnits: output.extraUnits } : {}),
    ...(output?.notes ? { notes: output.notes } : {}),
  };
}
