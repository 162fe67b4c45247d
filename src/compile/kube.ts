/**
 * Compiles a .kube definition into the service that runs Kubernetes YAML with `podman kube play` (and
 * tears it down with `podman kube down`). podman's service container makes the whole play one notify
 * service. On podman before 4.3 the same commands are spelled `podman play kube` / `play kube --down`.
 */
import { VersionError } from '../errors.js';
import type { Definition } from '../model/definition.js';
import { quoteWords } from '../unit/quote.js';
import type { Entry } from '../unit/syntax.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { Command } from './command.js';
import type { CompiledUnit } from './compiled.js';
import type { CompileContext } from './context.js';
import { FLAG_SINCE } from './flag-versions.js';
import { KUBE_KEYS, PLAY_KUBE_SINCE } from './kube-keys.js';
import { ruleFlag, type KeyTable } from './rules.js';
import { applyKeys, checkKeys, initService, Problems, requireFeature } from './service.js';
import { absolutePath, addNetworks, baseCommand, failAt, networkNeeds, userMappings } from './shared.js';
import { atLeast, formatVersion } from './version.js';
import { setWorkingDirectory } from './working-directory.js';

const S = 'Kube';

/** State one compilation shares between its key handlers. */
interface Job {
  readonly unit: UnitFile;
  readonly service: UnitFile;
  readonly ctx: CompileContext;
  readonly cmd: Command;
}

type Handler = (job: Job) => void;

const fail = (unit: UnitFile, e: Entry | undefined, detail: string) => failAt(unit, S, e, detail);

const noop: Handler = () => undefined;

/** True when the target podman has `kube play` / `kube down`; before, `play kube` / `play kube --down`. */
const hasKubePlay = (ctx: CompileContext): boolean => atLeast(ctx.target, FLAG_SINCE['kube play']!);

/** The `play kube` spelling of a 'kube play …' / 'kube down …' feature; undefined for other features. */
function playKubeGate(gate: string): string | undefined {
  if (gate === 'kube play' || gate.startsWith('kube play ')) return 'play kube' + gate.slice('kube play'.length);
  if (gate === 'kube down' || gate.startsWith('kube down ')) return 'play kube --down' + gate.slice('kube down'.length);
  return undefined;
}

/**
 * requireFeature for kube features: on podman before 4.3 a 'kube play …' or 'kube down …' feature is met
 * by its `play kube` equivalent when that exists (PLAY_KUBE_SINCE), and otherwise needs the version that
 * brought it to `kube play`.
 */
function requireKube(ctx: CompileContext, unit: UnitFile, e: Entry, gate: string): void {
  const legacy = playKubeGate(gate);
  if (hasKubePlay(ctx) || legacy === undefined) return requireFeature(ctx, unit, e, gate);
  const [needed, what] = PLAY_KUBE_SINCE[legacy] ? [PLAY_KUBE_SINCE[legacy], legacy] : [FLAG_SINCE[gate], gate];
  if (needed && !atLeast(ctx.target, needed)) {
    throw new VersionError(
      { file: e.file ?? unit.path, line: e.line, column: e.column, key: e.key },
      `needs podman ${needed} or newer (${what}); the target podman is ${formatVersion(ctx.target)}`,
      needed,
    );
  }
}

/** The FLAG_SINCE key a table key needs (given, or derived from its flag), as checkKeys derives it. */
function keyGate(key: string, target: CompileContext['target']): string | undefined {
  const keyDef = KUBE_KEYS[key]!;
  const flag = ruleFlag(keyDef.rule, target);
  return keyDef.gate ?? (flag ? `kube play ${flag}` : undefined);
}

/** The table without gates: for checkKeys' unknown-key check when the gates are checked by requireKube. */
const UNGATED_KEYS: KeyTable = Object.fromEntries(Object.keys(KUBE_KEYS).map((k) => [k, { rule: { kind: 'none' } }]));

/** Unknown keys and version gates; before 4.3, gates against `play kube`. */
function checkKubeKeys(def: Definition, ctx: CompileContext, problems: Problems): void {
  if (hasKubePlay(ctx)) {
    checkKeys(def, KUBE_KEYS, 'kube play', ctx, problems);
    return;
  }
  checkKeys(def, UNGATED_KEYS, 'play kube', ctx, problems);
  const seen = new Set<string>();
  for (const e of def.unit.entries(S)) {
    if (!Object.hasOwn(KUBE_KEYS, e.key) || e.value === '' || seen.has(e.key)) continue;
    seen.add(e.key);
    const gate = keyGate(e.key, ctx.target);
    if (gate) problems.guard(() => requireKube(ctx, def.unit, e, gate));
  }
}

const EXIT_CODE_PROPAGATION = new Set(['all', 'any', 'none']);

const HANDLERS: Readonly<Record<string, Handler>> = {
  Yaml: noop,
  GlobalArgs: noop,
  ContainersConfModule: noop,
  SetWorkingDirectory: noop,
  KubeDownForce: noop,

  ExitCodePropagation({ unit, cmd }) {
    const v = unit.get(S, 'ExitCodePropagation');
    if (!v) return;
    if (!EXIT_CODE_PROPAGATION.has(v)) {
      throw fail(unit, unit.last(S, 'ExitCodePropagation'), `"${v}" is not an exit code propagation policy (all, any, none)`);
    }
    cmd.add(`--service-exit-code-propagation=${v}`);
  },

  UserNS(job) {
    // kube play has no --uidmap/--gidmap: RemapUsers=manual is refused (Quadlet's wording).
    for (const need of userMappings(job, S, job.cmd, false)) requireKube(job.ctx, job.unit, need.entry, need.gate);
  },
  RemapUsers: noop,
  RemapUid: noop,
  RemapGid: noop,
  RemapUidSize: noop,

  Network(job) {
    for (const need of networkNeeds(job, S)) requireKube(job.ctx, job.unit, need.entry, need.gate);
    addNetworks(job, S, job.cmd);
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

export function compileKube(def: Definition, ctx: CompileContext): CompiledUnit {
  const problems = new Problems();
  const unit = def.unit;
  checkKubeKeys(def, ctx, problems);
  const service = initService(def, ctx, problems);
  const info = ctx.units.get(def.fileName)!;
  const legacy = !hasKubePlay(ctx);

  const yamlEntries = unit.list(S, 'Yaml');
  const yamls = unit.strv(S, 'Yaml').map((p) => absolutePath(unit, p));
  if (yamls.length === 0) problems.errors.push(fail(unit, undefined, 'no Yaml key specified'));
  problems.guard(() => {
    const first = yamlEntries[0];
    if (!first) return;
    // The service container (a notify service for the whole play) and --replace are not optional.
    for (const gate of ['kube play --replace', 'kube play --service-container', 'kube down']) requireKube(ctx, unit, first, gate);
    if (yamls.length > 1) {
      const second = yamlEntries[1] ?? first;
      requireKube(ctx, unit, second, 'kube play KUBEFILE...');
      requireKube(ctx, unit, second, 'kube down KUBEFILE...');
    }
  });

  const killMode = service.get('Service', 'KillMode');
  if (killMode === undefined) service.set('Service', 'KillMode', 'mixed');
  else if (killMode !== 'mixed' && killMode !== 'control-group') {
    problems.errors.push(service.error(service.last('Service', 'KillMode')!, 'must be mixed or control-group for a kube'));
  }
  service.add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  // Type=oneshot suits YAML that only creates resources (volumes, secrets …); otherwise a notify service.
  const type = service.get('Service', 'Type');
  if (type !== undefined && type !== 'notify' && type !== 'oneshot') {
    problems.errors.push(service.error(service.last('Service', 'Type')!, 'must be notify or oneshot for a kube'));
  }
  if (type !== 'oneshot') {
    service.set('Service', 'Type', 'notify');
    service.set('Service', 'NotifyAccess', 'all');
  }
  if (!unit.has('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');

  const cmd = baseCommand(unit, S, ctx).add(...(legacy ? ['play', 'kube'] : ['kube', 'play']));
  cmd.add('--replace', '--service-container=true');
  const job: Job = { unit, service, ctx, cmd };
  applyKeys(unit, S, KUBE_KEYS, HANDLERS, job, cmd, ctx, problems);
  cmd.addAll(yamls);
  service.add('Service', 'ExecStart', quoteWords(cmd.args));

  // ExecStopPost, not ExecStop: the play is removed even when it failed to start.
  const down = baseCommand(unit, S, ctx).add(...(legacy ? ['play', 'kube', '--down'] : ['kube', 'down']));
  problems.guard(() => {
    const force = unit.bool(S, 'KubeDownForce');
    if (force !== undefined) down.addBool('--force', force);
  });
  down.addAll(yamls);
  service.add('Service', 'ExecStopPost', quoteWords(down.args));

  problems.guard(() => setWorkingDirectory(job, S));

  return { definition: def, serviceName: info.serviceName, service, errors: problems.errors, warnings: problems.warnings };
}
