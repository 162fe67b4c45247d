/**
 * Compiles a .kube definition into the service that runs Kubernetes YAML with `podman kube play` and tears
 * it down with `podman kube down` (templates/kube.service): podman's service container makes the whole play
 * one notify service. On podman before 4.3 the same commands are spelled `podman play kube` /
 * `play kube --down`, and each feature is checked against that spelling.
 */
import { VersionError } from '../errors.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import { gate, requireGate, supports, valueGate, type Gate } from './gates.js';
import { fail, type Handler, type Job, type KindOutput } from './job.js';
import type { GateCheck } from './key-checks.js';
import { KUBE_KEYS } from './kube-keys.js';
import { applyKeys, checkedTable } from './rules.js';
import { absolutePath, addNetworks, userMappings } from './shared.js';
import { setWorkingDirectory } from './working-directory.js';
import { formatVersion, type Version } from './version.js';

const S = 'Kube';
const KUBE_PLAY = gate('kube play');
/** The service container (a notify service for the whole play) and --replace are not optional. */
const ALWAYS = [gate('kube play --replace'), gate('kube play --service-container'), gate('kube down')];
const SEVERAL_FILES = [gate('kube play KUBEFILE...'), gate('kube down KUBEFILE...')];

/** The `play kube` spelling of a 'kube play …' / 'kube down …' feature; undefined for other features. */
function playKubeName(name: string): string | undefined {
  if (name === 'kube play' || name.startsWith('kube play ')) return 'play kube' + name.slice('kube play'.length);
  if (name === 'kube down' || name.startsWith('kube down ')) return 'play kube --down' + name.slice('kube down'.length);
  return undefined;
}

/**
 * Kube's gate check: on podman before 4.3 a 'kube play …' or 'kube down …' feature is met by its `play kube`
 * equivalent when that exists, and otherwise needs the version that brought it to `kube play`.
 */
export const requireKubeGate: GateCheck = (target: Version, unit: UnitFile, e: Entry, g: Gate | undefined): void => {
  const legacyName = g && playKubeName(g.name);
  if (!g || supports(target, KUBE_PLAY) || legacyName === undefined) return requireGate(target, unit, e, g);
  const needed = valueGate(legacyName) ?? g;
  if (!supports(target, needed)) {
    throw new VersionError({ file: e.file || unit.path, line: e.line, column: e.column, key: e.key },
      `needs podman ${needed.since} or newer (${needed.name}); the target podman is ${formatVersion(target)}`, needed.since);
  }
};

const EXIT_CODE_PROPAGATION = new Set(['all', 'any', 'none']);

const HANDLERS: Readonly<Record<string, Handler>> = {
  ExitCodePropagation(job) {
    const v = job.unit.get(S, 'ExitCodePropagation');
    if (!v) return;
    if (!EXIT_CODE_PROPAGATION.has(v)) throw fail(job, job.unit.last(S, 'ExitCodePropagation'), `"${v}" is not an exit code propagation policy (all, any, none)`);
    job.cmd.add(`--service-exit-code-propagation=${v}`);
  },

  UserNS(job) {
    // kube play has no --uidmap/--gidmap: RemapUsers=manual is refused (Quadlet's wording).
    for (const need of userMappings(job, false)) requireKubeGate(job.ctx.target, job.unit, need.entry, need.gate);
  },

  Network(job) {
    for (const need of addNetworks(job)) requireKubeGate(job.ctx.target, job.unit, need.entry, need.gate);
  },

  AutoUpdate({ unit, cmd }) {
    // registry, or name/registry for one container of the YAML.
    for (const update of unit.strv(S, 'AutoUpdate')) {
      const slash = update.indexOf('/');
      cmd.add(slash < 0
        ? `--annotation=io.containers.autoupdate=${update}`
        : `--annotation=io.containers.autoupdate/${update.slice(0, slash)}=${update.slice(slash + 1)}`);
    }
  },

  ConfigMap({ unit, cmd }) {
    for (const file of unit.strv(S, 'ConfigMap')) cmd.add('--configmap', absolutePath(unit, file));
  },
};

checkedTable('kube play', KUBE_KEYS, HANDLERS);

export function compileKube(job: Job): KindOutput {
  const { unit, service, ctx, problems } = job;
  const legacy = !supports(ctx.target, KUBE_PLAY);
  const yamlEntries = unit.list(S, 'Yaml');
  const yamls = unit.strv(S, 'Yaml').map((p) => absolutePath(unit, p));
  if (yamls.length === 0) problems.errors.push(fail(job, undefined, 'no Yaml key specified'));
  problems.guard(() => {
    const first = yamlEntries[0];
    if (!first) return;
    for (const g of ALWAYS) requireKubeGate(ctx.target, unit, first, g);
    if (yamls.length > 1) for (const g of SEVERAL_FILES) requireKubeGate(ctx.target, unit, yamlEntries[1] ?? first, g);
  });

  const killMode = service.get('Service', 'KillMode');
  if (killMode !== undefined && killMode !== 'mixed' && killMode !== 'control-group') {
    problems.errors.push(service.error(service.last('Service', 'KillMode')!, 'must be mixed or control-group for a kube'));
  }
  // Type=oneshot suits YAML that only creates resources (volumes, secrets …); otherwise a notify service.
  const type = service.get('Service', 'Type');
  if (type !== undefined && type !== 'notify' && type !== 'oneshot') {
    problems.errors.push(service.error(service.last('Service', 'Type')!, 'must be notify or oneshot for a kube'));
  }

  applyKeys(job, KUBE_KEYS, 'kube play', HANDLERS);
  const down: string[] = [];
  problems.guard(() => {
    const force = unit.bool(S, 'KubeDownForce');
    if (force !== undefined) down.push(force ? '--force' : '--force=false');
  });
  problems.guard(() => setWorkingDirectory(job, S));
  return {
    template: 'kube.service',
    values: {
      play: legacy ? ['play', 'kube'] : ['kube', 'play'],
      down: legacy ? ['play', 'kube', '--down'] : ['kube', 'down'],
      arguments: job.cmd.args,
      'down-arguments': down,
      yaml: yamls,
      type: type === 'oneshot' ? undefined : 'notify',
      'notify-access': type === 'oneshot' ? undefined : 'all',
    },
  };
}
