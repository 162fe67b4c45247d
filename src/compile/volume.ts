/**
 * Compiles a .volume definition into the oneshot service that creates the volume with `podman volume
 * create` (templates/volume.service).
 */
import { quoteListWord } from '../unit/quote.js';
import type { UnitFile } from '../unit/unit-file.js';
import { resourceNameOf } from './context.js';
import { gate, requireGate, supports, valueGate } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import { applyKeys, checkedTable } from './rules.js';
import { createValues, imageSource } from './shared.js';
import { VOLUME_KEYS } from './volume-keys.js';

const S = 'Volume';
const IMAGE_DRIVER = gate('volume create --driver=image');
const COPY = gate('volume create --opt copy');

const HANDLERS: Readonly<Record<string, Handler>> = {
  Driver(job) {
    const driver = job.unit.get(S, 'Driver');
    if (driver) job.cmd.add('--driver', driver);
    // The image driver takes its image as the only option; Quadlet ignores the mount keys then.
    if (driver === 'image') imageOption(job);
    else mountOptions(job);
  },
};

checkedTable('volume create', VOLUME_KEYS, HANDLERS);

/** Driver=image: --opt image=<Image>, where Image= may name a .image or .build definition. */
function imageOption(job: Job): void {
  const { unit, ctx, cmd } = job;
  const driver = unit.last(S, 'Driver')!;
  requireGate(ctx.target, unit, driver, IMAGE_DRIVER);
  const image = unit.get(S, 'Image');
  if (!image) throw fail(job, driver, 'the key Image is mandatory when using the image driver');
  cmd.add('--opt', `image=${imageSource(job, unit.last(S, 'Image')!, image)}`);
}

/**
 * User= and Group= as the uid=/gid= mount options. Quadlet parses them as numbers and silently turns a name
 * into 0 (root); berth accepts numbers and root, and refuses other names rather than hand the volume to root.
 */
function numericId(unit: UnitFile, key: 'User' | 'Group'): number | undefined {
  const v = unit.get(S, key);
  if (!v) return undefined;
  if (v === 'root') return 0;
  if (/^\d+$/.test(v) && Number(v) < 0xffffffff) return Number(v);
  throw fail({ unit, section: S }, unit.last(S, key), `"${v}" is not a numeric ${key === 'User' ? 'UID' : 'GID'} (the volume's ${key === 'User' ? 'uid' : 'gid'}= option takes numbers only)`);
}

/** The local driver's keys: copy/nocopy, device=, type=, and o= built from User, Group and Options. */
function mountOptions(job: Job): void {
  const { unit, service, ctx, cmd, problems } = job;
  const o: string[] = [];
  problems.guard(() => {
    const uid = numericId(unit, 'User');
    if (uid !== undefined) o.push(`uid=${uid}`);
  });
  problems.guard(() => {
    const gid = numericId(unit, 'Group');
    if (gid !== undefined) o.push(`gid=${gid}`);
  });

  problems.guard(() => {
    const copy = unit.bool(S, 'Copy');
    // Before 4.2 the local driver knew neither option and always copied up: there Copy=yes is the default
    // and is left out, while Copy=no has no equivalent and needs 4.2.
    if (copy === false || (copy === true && supports(ctx.target, COPY))) {
      const opt = copy ? 'copy' : 'nocopy';
      requireGate(ctx.target, unit, unit.last(S, 'Copy')!, valueGate(`volume create --opt ${opt}`));
      cmd.add('--opt', opt);
    }
  });

  const device = unit.get(S, 'Device');
  if (device) cmd.add('--opt', `device=${device}`);
  const type = unit.get(S, 'Type');
  problems.guard(() => {
    if (!type) return;
    if (!device) throw fail(job, unit.last(S, 'Type'), "key Type can't be used without Device");
    cmd.add('--opt', `type=${type}`);
    if (type === 'bind') service.add('Unit', 'RequiresMountsFor', quoteListWord(device), unit.last(S, 'Device'));
  });

  const options = unit.get(S, 'Options');
  if (options) o.push(options);
  if (o.length > 0) cmd.add('--opt', `o=${o.join(',')}`);
}

export function compileVolume(job: Job): KindOutput {
  const name = resourceNameOf(job.def, S, 'VolumeName');
  applyKeys(job, VOLUME_KEYS, 'volume create', HANDLERS);
  return { template: 'volume.service', values: createValues(job, 'volume', name) };
}
