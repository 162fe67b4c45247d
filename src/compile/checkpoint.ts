/**
 * A container with a [Checkpoint] section gets two more units: NAME-checkpoint.service, a oneshot that
 * runs `berth checkpoint NAME` when the container is running (and is skipped, not failed, when it is
 * not), and NAME-checkpoint.timer, which starts it on the schedule (templates/checkpoint.service, .timer);
 * with OnStop=yes, a drop-in that makes podman's container scopes stop after its unit
 * (templates/container-scope-order.conf).
 */
import { UnitFile } from '../unit/unit-file.js';
import type { CheckpointSettings } from './checkpoint-settings.js';
import type { CompileContext } from './context.js';
import { applyTemplate } from './template.js';

export interface ExtraUnit {
  /** e.g. web-checkpoint.timer, or a drop-in's DIR/NAME.conf */
  readonly fileName: string;
  /** For a drop-in: the unit (or unit name prefix, `libpod-.scope`) it applies to. */
  readonly dropinFor?: string;
  /** Its [Install] is honoured only when the container's own unit is installed. */
  readonly unit: UnitFile;
}

/** The units podman's systemd cgroup manager runs containers in are libpod-ID.scope. */
const SCOPE_PREFIX = 'libpod-.scope';

export function checkpointUnits(serviceName: string, source: string, settings: CheckpointSettings, ctx: CompileContext): ExtraUnit[] {
  const values = { service: serviceName, container: `${serviceName}.service`, source: source || undefined };
  const service = UnitFile.empty(`${serviceName}-checkpoint.service`);
  applyTemplate(service, 'checkpoint.service', { ...values, scope: ctx.user ? ['--user'] : [], berth: ctx.berth });
  const units: ExtraUnit[] = [{ fileName: service.path, unit: service }];
  if (settings.onStop) {
    const dropin = UnitFile.empty(`${SCOPE_PREFIX}.d/50-berth-${serviceName}.conf`);
    applyTemplate(dropin, 'container-scope-order.conf', values);
    units.push({ fileName: dropin.path, unit: dropin, dropinFor: SCOPE_PREFIX });
  }
  if (settings.schedules.length === 0) return units;
  const timer = UnitFile.empty(`${serviceName}-checkpoint.timer`);
  applyTemplate(timer, 'checkpoint.timer', {
    ...values,
    schedules: settings.schedules,
    persistent: settings.persistent ? 'yes' : 'no',
    'accuracy-sec': settings.accuracySec,
    'randomized-delay-sec': settings.randomizedDelaySec,
  });
  units.push({ fileName: timer.path, unit: timer });
  return units;
}
