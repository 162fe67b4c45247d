/** Compiles a .volume definition into the oneshot service that creates the volume with `podman volume create`. */
import type { Definition } from '../model/definition.js';
import { quoteListWord, quoteWords } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import { resourceNameOf, type CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { applyKeys, checkKeys, initService, Problems, requireFeature } from './service.js';
import { baseCommand, defaultOneshot, failAt, imageSource, unlessExists } from './shared.js';
import { atLeast } from './version.js';
import { VOLUME_KEYS } from './volume-keys.js';

const S = 'Volume';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly unit: UnitFile;
  readonly service: UnitFile;
  readonly ctx: CompileContext;
  readonly cmd: Command;
  readonly problems: Problems;
}

type Handler = (job: Job) => void;

const fail = (unit: UnitFile, e: Entry | undefined, detail: string) => failAt(unit, S, e, detail);

const HANDLERS: Readonly<Record<string, Handler>> = {
  Driver(job) {
    const driver = job.unit.get(S, 'Driver');
    if (driver) job.cmd.add('--driver', driver);
    // The image driver takes its image as the only option; Quadlet ignores the mount keys then.
    if (driver === 'image') imageOption(job);
    else mountOptions(job);
  },
};

/** Driver=image: --opt image=<Image>, where Image= may name a .image or .build definition. */
function imageOption(job: Job): void {
  const { unit, ctx, cmd } = job;
  const driver = unit.last(S, 'Driver')!;
  requireFeature(ctx, unit, driver, 'volume create --driver=image');
  const image = unit.get(S, 'Image');
  if (!image) throw fail(unit, driver, 'the key Image is mandatory when using the image driver');
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
  throw fail(unit, unit.last(S, key), `"${v}" is not a numeric ${key === 'User' ? 'UID' : 'GID'} (the volume's ${key === 'User' ? 'uid' : 'gid'}= option takes numbers only)`);
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
    if (copy === false || (copy === true && atLeast(ctx.target, FLAG_SINCE['volume create --opt copy']!))) {
      const opt = copy ? 'copy' : 'nocopy';
      requireFeature(ctx, unit, unit.last(S, 'Copy')!, `volume create --opt ${opt}`);
      cmd.add('--opt', opt);
    }
  });

  const device = unit.get(S, 'Device');
  if (device) cmd.add('--opt', `device=${device}`);
  const type = unit.get(S, 'Type');
  problems.guard(() => {
    if (!type) return;
    if (!device) throw fail(unit, unit.last(S, 'Type'), "key Type can't be used without Device");
    cmd.add('--opt', `type=${type}`);
    if (type === 'bind') service.add('Unit', 'RequiresMountsFor', quoteListWord(device), unit.last(S, 'Device'));
  });

  const options = unit.get(S, 'Options');
  if (options) o.push(options);
  if (o.length > 0) cmd.add('--opt', `o=${o.join(',')}`);
}

export function compileVolume(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKeys(def, VOLUME_KEYS, 'volume create', ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;
  const name = resourceNameOf(def, 'VolumeName');

  // Quadlet passes --ignore so that an existing volume counts as created. podman before 4.4 has no such
  // flag and fails on an existing volume: there the create runs only when `volume exists` says it is missing.
  const ignore = atLeast(ctx.target, FLAG_SINCE['volume create --ignore']!);
  const cmd = baseCommand(unit, S, ctx).add('volume', 'create');
  if (ignore) cmd.add('--ignore');
  const job: Job = { unit, service, ctx, cmd, problems };
  applyKeys(unit, S, VOLUME_KEYS, HANDLERS, job, cmd, ctx, problems);
  cmd.add(name);
  const argv = ignore ? cmd.args : unlessExists(baseCommand(unit, S, ctx).add('volume', 'exists', name).args, cmd.args);
  service.add('Service', 'ExecStart', quoteWords(argv));
  defaultOneshot(service, true);

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
