/**
 * A container with a [Checkpoint] section gets two more units: NAME-checkpoint.service, a oneshot that
 * runs `berth checkpoint NAME` when the container is running (and is skipped, not failed, when it is
 * not), and NAME-checkpoint.timer, which starts it on the schedule.
 */
import { UnitFile } from '../unit/unit-file.js';
import { quoteWords } from '../unit/quote.js';
import type { CheckpointSettings } from './checkpoint-settings.js';
import type { CompileContext } from './context.js';

export interface ExtraUnit {
  /** e.g. web-checkpoint.timer */
  readonly fileName: string;
  /** Its [Install] is honoured only when the container's own unit is installed. */
  readonly unit: UnitFile;
}

export function checkpointUnits(serviceName: string, source: string, settings: CheckpointSettings, ctx: CompileContext): ExtraUnit[] {
  const container = `${serviceName}.service`;
  const checkpoint = `${serviceName}-checkpoint.service`;
  const systemctl = ['/usr/bin/systemctl', ...(ctx.user ? ['--user'] : []), 'is-active', '--quiet', container];

  const service = UnitFile.empty(checkpoint);
  service.add('Unit', 'Description', `Checkpoint of ${serviceName} to disk (berth)`);
  service.add('Unit', 'After', container);
  service.add('Unit', 'SourcePath', source);
  service.add('Service', 'Type', 'oneshot');
  // Not running is not a failure: the condition skips the run and the unit stays clean.
  service.add('Service', 'ExecCondition', quoteWords(systemctl));
  service.add('Service', 'ExecStart', quoteWords([...ctx.berth, 'checkpoint', serviceName]));
  service.add('Service', 'SyslogIdentifier', `${serviceName}-checkpoint`);

  const units: ExtraUnit[] = [{ fileName: checkpoint, unit: service }];
  if (settings.schedules.length === 0) return units;

  const timer = UnitFile.empty(`${serviceName}-checkpoint.timer`);
  timer.add('Unit', 'Description', `Scheduled checkpoints of ${serviceName} (berth)`);
  timer.add('Unit', 'SourcePath', source);
  for (const s of settings.schedules) timer.add('Timer', 'OnCalendar', s);
  timer.add('Timer', 'Persistent', settings.persistent ? 'yes' : 'no');
  timer.add('Timer', 'AccuracySec', settings.accuracySec);
  if (settings.randomizedDelaySec) timer.add('Timer', 'RandomizedDelaySec', settings.randomizedDelaySec);
  timer.add('Timer', 'Unit', checkpoint);
  timer.add('Install', 'WantedBy', 'timers.target');
  units.push({ fileName: `${serviceName}-checkpoint.timer`, unit: timer });
  return units;
}
