/**
 * One service → the parts of its .container definition. Most keys are a `podman run` flag, made here and
 * read into Quadlet keys by the run importer (container.ts runKeys), so a service and a `podman run` line
 * with the same meaning import the same; references to the project's networks, volumes and services, and
 * the [Unit], [Service] and [Install] lines, are compose's own. Every key that cannot be carried over is
 * reported at its line.
 */
import { UsageError } from '../../errors.js';
import { importRestart, type RestartImport } from '../restart.js';
import { durationSeconds } from './durations.js';
import { hostPath, type ComposeContext } from './context.js';
import { dependencies, dependOn, type Dependency } from './depends.js';
import { healthcheck } from './health.js';
import { volumes, tmpfs } from './mounts.js';
import { networkMode, serviceNetworks } from './networks.js';
import { Parts } from './parts.js';
import { expose, ports } from './ports.js';
import { ShellWordsError, shellWords } from './shell-words.js';
import type { Entry, Node } from './tree.js';
import { field } from './values.js';

type Handler = (ctx: ComposeContext, parts: Parts, e: Entry) => void;

/** Keys that are one podman run flag with the value as written. */
const SINGLE: Readonly<Record<string, string>> = {
  container_name: '--name', hostname: '--hostname', user: '--user', working_dir: '--workdir', stop_signal: '--stop-signal',
  platform: '--platform', ipc: '--ipc', pid: '--pid', uts: '--uts', cgroup: '--cgroupns', userns_mode: '--userns',
  mac_address: '--mac-address', cgroup_parent: '--cgroup-parent', shm_size: '--shm-size', mem_limit: '--memory',
  memswap_limit: '--memory-swap', mem_reservation: '--memory-reservation', mem_swappiness: '--memory-swappiness',
  cpus: '--cpus', cpu_shares: '--cpu-shares', cpuset: '--cpuset-cpus', cpu_period: '--cpu-period', cpu_quota: '--cpu-quota',
  cpu_rt_period: '--cpu-rt-period', cpu_rt_runtime: '--cpu-rt-runtime', pids_limit: '--pids-limit', oom_score_adj: '--oom-score-adj',
};
/** Keys that are a boolean podman run flag. */
const BOOLEAN: Readonly<Record<string, string>> = {
  read_only: '--read-only', init: '--init', privileged: '--privileged', tty: '--tty', stdin_open: '--interactive', oom_kill_disable: '--oom-kill-disable',
};
/** Keys that are one flag per value of a list (or one value). */
const LIST: Readonly<Record<string, string>> = {
  cap_add: '--cap-add', cap_drop: '--cap-drop', dns: '--dns', dns_search: '--dns-search', dns_opt: '--dns-option',
  security_opt: '--security-opt', group_add: '--group-add', device_cgroup_rules: '--device-cgroup-rule',
};
/** Keys that are KEY=VALUE pairs, a mapping or a list. */
const PAIRS: Readonly<Record<string, string>> = { labels: '--label', annotations: '--annotation', sysctls: '--sysctl' };

/** Keys compose knows that have no Quadlet equivalent, and why. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  domainname: 'podman run has no --domainname',
  links: 'links are legacy; services reach each other by name on their networks',
  external_links: 'links are legacy; join the other container\'s network instead',
  configs: 'no Quadlet equivalent: mount the file with volumes:',
  volumes_from: 'no Quadlet equivalent for another service\'s volumes: name the volumes themselves',
  profiles: 'every service is imported; compose would start this one only with its profile',
  scale: 'one definition runs one container: copy it, or make it a template (NAME@.container)',
  develop: 'compose watch has no Quadlet equivalent',
  extends: 'not followed: merge the extended service into this one',
  runtime: 'podman\'s --runtime is a global option: give it in GlobalArgs= by hand',
  isolation: 'Windows only',
  storage_opt: 'no Quadlet equivalent',
  gpus: 'no Quadlet equivalent: give the devices with devices: (CDI names such as nvidia.com/gpu=all)',
  credential_spec: 'Windows only',
  post_start: 'lifecycle hooks have no Quadlet equivalent: use ExecStartPost= in [Service] by hand',
  pre_stop: 'lifecycle hooks have no Quadlet equivalent: use ExecStop= in [Service] by hand',
  attach: 'no terminal under systemd',
  blkio_config: 'no Quadlet equivalent: use PodmanArgs= (--blkio-weight …) by hand',
};

/** The words of command: or entrypoint: (a string is split as compose splits it). */
function words(ctx: ComposeContext, node: Node): string[] {
  if (node.kind === 'seq') return ctx.v.texts(node).map((t) => t.value);
  try {
    return shellWords(ctx.v.text(node));
  } catch (x) {
    if (x instanceof ShellWordsError) return ctx.v.fail(node.at, x.message);
    throw x;
  }
}

/** restart: → Restart= (restart.ts, as for podman's --restart); a service compose would start again with its engine is started at boot (WantedBy=). */
const restart: Handler = (ctx, parts, e) => {
  const policy = ctx.v.text(e.value);
  let r: RestartImport;
  try {
    r = importRestart(`restart: ${policy}`, policy);
  } catch (x) {
    if (x instanceof UsageError) return ctx.v.fail(e.value.at, 'restart: no, always, on-failure[:N] or unless-stopped');
    throw x;
  }
  if (r.restart === undefined) return;
  parts.key('Service', 'Restart', r.restart);
  if (r.restart === 'always') parts.key('Install', 'WantedBy', 'default.target');
  if (r.warning) parts.report(e.value.at, r.warning);
};

const environment: Handler = (ctx, parts, e) => {
  for (const p of ctx.v.pairs(e.value)) {
    const value = p.value ?? ctx.lookup(p.key);
    if (value === undefined) parts.report(p.at, `${p.key} has no value here and is not set in the environment: left out, as compose leaves it out`);
    else parts.flag(p.at, '--env', `${p.key}=${value}`);
  }
};

/** env_file: podman reads each file itself when the unit starts (EnvironmentFile=), at its absolute path. */
const envFile: Handler = (ctx, parts, e) => {
  const { v } = ctx;
  const items = e.value.kind === 'seq' ? e.value.items : [e.value];
  for (const item of items) {
    const entries = item.kind === 'map' ? item.entries : undefined;
    const pathEntry = entries && field(entries, 'path');
    if (entries && !pathEntry) v.fail(item.at, 'an env_file entry needs path:');
    const path = hostPath(ctx, v.text(pathEntry ? pathEntry.value : item));
    if (path === undefined) return v.fail(item.at, 'no home folder to resolve ~ against');
    const required = entries && field(entries, 'required');
    if (required && !v.bool(required.value)) parts.report(required.at, 'required: false has no Quadlet equivalent: podman refuses to start the container while the file is missing');
    const format = entries && field(entries, 'format');
    if (format) parts.report(format.at, 'no Quadlet equivalent: podman reads the file in its own format');
    parts.flag(item.at, '--env-file', path);
    parts.note(item.at, `podman reads ${path} as it stands when the unit starts: KEY=VALUE lines, no quotes removed, no \${VAR} interpolated`);
  }
};

const devices: Handler = (ctx, parts, e) => {
  for (const item of ctx.v.items(e.value)) {
    if (item.kind !== 'map') {
      parts.flag(item.at, '--device', ctx.v.text(item));
      continue;
    }
    const text = (k: string): string | undefined => {
      const f = field(item.entries, k);
      return f && ctx.v.text(f.value);
    };
    const source = text('source');
    if (source === undefined) return ctx.v.fail(item.at, 'a device needs source:');
    parts.flag(item.at, '--device', [source, text('target') ?? source, ...(text('permissions') ? [text('permissions')!] : [])].join(':'));
  }
};

const extraHosts: Handler = (ctx, parts, e) => {
  // Listed as HOST:IP or HOST=IP, or a mapping of HOST: IP; podman takes HOST:IP.
  const hosts = e.value.kind === 'map' ? ctx.v.pairs(e.value) : ctx.v.texts(e.value).map((t) => {
    const cut = /[=:]/.exec(t.value)?.index ?? -1;
    return { key: t.value.slice(0, cut), value: cut < 0 ? undefined : t.value.slice(cut + 1), at: t.at };
  });
  for (const h of hosts) {
    if (h.value === undefined) return ctx.v.fail(h.at, 'an extra host is HOST:IP');
    parts.flag(h.at, '--add-host', `${h.key}:${h.value.replace(/^\[(.*)\]$/, '$1')}`);
  }
};

const ulimits: Handler = (ctx, parts, e) => {
  for (const u of ctx.v.entries(e.value)) {
    if (u.value.kind !== 'map') {
      parts.flag(u.at, '--ulimit', `${u.key}=${ctx.v.integer(u.value)}`);
      continue;
    }
    const soft = field(u.value.entries, 'soft');
    const hard = field(u.value.entries, 'hard');
    if (!soft || !hard) return ctx.v.fail(u.at, 'a ulimit takes soft: and hard:');
    parts.flag(u.at, '--ulimit', `${u.key}=${ctx.v.integer(soft.value)}:${ctx.v.integer(hard.value)}`);
  }
};

const logging: Handler = (ctx, parts, e) => {
  for (const l of ctx.v.entries(e.value)) {
    if (l.key === 'driver') parts.flag(l.at, '--log-driver', ctx.v.text(l.value));
    else if (l.key === 'options') for (const o of ctx.v.pairs(l.value)) parts.flag(o.at, '--log-opt', `${o.key}=${o.value ?? ''}`);
    else if (!l.key.startsWith('x-')) parts.report(l.at, 'unknown logging key, left out');
  }
};

const PULL: Readonly<Record<string, string>> = { always: 'always', never: 'never', missing: 'missing', if_not_present: 'missing' };

const pullPolicy: Handler = (ctx, parts, e) => {
  const policy = ctx.v.text(e.value);
  const pull = PULL[policy];
  if (pull) parts.flag(e.at, '--pull', pull);
  else parts.report(e.at, `pull_policy ${policy} has no Quadlet equivalent, left out (Pull= takes always, missing, never or newer)`);
};

const stopGracePeriod: Handler = (ctx, parts, e) => {
  const seconds = durationSeconds(ctx.v.text(e.value));
  if (seconds === undefined) return ctx.v.fail(e.value.at, `"${ctx.v.text(e.value)}" is no duration (e.g. 1m30s)`);
  parts.flag(e.at, '--stop-timeout', String(seconds));
};

/** secrets: each as a podman secret mounted where compose mounts it (/run/secrets/NAME unless target:). */
const secrets: Handler = (ctx, parts, e) => {
  for (const item of ctx.v.items(e.value)) {
    const entries = item.kind === 'map' ? item.entries : [];
    const text = (k: string): string | undefined => {
      const f = field(entries, k);
      return f && ctx.v.text(f.value);
    };
    const source = item.kind === 'map' ? text('source') : ctx.v.text(item);
    if (source === undefined) return ctx.v.fail(item.at, 'a secret needs source:');
    const declared = ctx.secrets.get(source);
    if (declared === undefined) return ctx.v.fail(item.at, `the secret "${source}" is not declared in the top-level secrets:`);
    const options = ['type=mount', `target=${text('target') ?? source}`, ...['uid', 'gid', 'mode'].flatMap((k) => (text(k) === undefined ? [] : [`${k}=${text(k)}`]))];
    for (const f of entries) if (!['source', 'target', 'uid', 'gid', 'mode'].includes(f.key) && !f.key.startsWith('x-')) parts.report(f.at, 'unknown secret key, left out');
    parts.flag(item.at, '--secret', [declared.name, ...options].join(','));
    if (declared.create) parts.note(item.at, `the podman secret ${declared.name} must exist before the unit starts: ${declared.create}`);
  }
};

/** deploy: only the resource limits mean anything on one host without swarm. */
const deploy: Handler = (ctx, parts, e) => {
  const LIMITS: Readonly<Record<string, string>> = { cpus: '--cpus', memory: '--memory', pids: '--pids-limit' };
  for (const d of ctx.v.entries(e.value)) {
    if (d.key !== 'resources') {
      if (!d.key.startsWith('x-')) parts.report(d.at, 'swarm deployment settings have no Quadlet equivalent, left out');
      continue;
    }
    for (const r of ctx.v.entries(d.value)) {
      for (const l of r.value.kind === 'map' ? r.value.entries : []) {
        const flag = r.key === 'limits' ? LIMITS[l.key] : r.key === 'reservations' && l.key === 'memory' ? '--memory-reservation' : undefined;
        if (flag) parts.flag(l.at, flag, ctx.v.text(l.value));
        else parts.report(l.at, 'no Quadlet equivalent, left out');
      }
      if (r.value.kind !== 'map') parts.report(r.at, 'no Quadlet equivalent, left out');
    }
  }
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  ...Object.fromEntries(Object.entries(SINGLE).map(([k, flag]) => [k, (ctx: ComposeContext, parts: Parts, e: Entry) => parts.flag(e.at, flag, ctx.v.text(e.value))])),
  ...Object.fromEntries(Object.entries(BOOLEAN).map(([k, flag]) => [k, (ctx: ComposeContext, parts: Parts, e: Entry) => parts.flag(e.at, flag, String(ctx.v.bool(e.value)))])),
  ...Object.fromEntries(Object.entries(LIST).map(([k, flag]) => [k, (ctx: ComposeContext, parts: Parts, e: Entry) => ctx.v.texts(e.value).forEach((t) => parts.flag(t.at, flag, t.value))])),
  ...Object.fromEntries(Object.entries(PAIRS).map(([k, flag]) => [k, (ctx: ComposeContext, parts: Parts, e: Entry) => ctx.v.pairs(e.value).forEach((p) => parts.flag(p.at, flag, `${p.key}=${p.value ?? ''}`))])),
  restart, environment, env_file: envFile, devices, extra_hosts: extraHosts, ulimits, logging, pull_policy: pullPolicy,
  stop_grace_period: stopGracePeriod, secrets, deploy,
  healthcheck: (ctx, parts, e) => healthcheck(ctx.v, parts, e.value),
  ports: (ctx, parts, e) => ports(ctx.v, parts, e.value),
  expose: (ctx, parts, e) => expose(ctx.v, parts, e.value),
  volumes: (ctx, parts, e) => volumes(ctx, parts, e.value),
  tmpfs: (ctx, parts, e) => tmpfs(ctx, parts, e.value),
  network_mode: (ctx, parts, e) => networkMode(ctx, parts, e.value),
  entrypoint: (ctx, parts, e) => {
    const w = words(ctx, e.value);
    // podman reads a JSON array as the entrypoint's words, and one word as itself.
    parts.flag(e.at, '--entrypoint', w.length === 0 ? '' : w.length === 1 ? w[0]! : JSON.stringify(w));
  },
};

/** Handled by the caller (or with the others' knowledge): image, command, build, networks, depends_on. */
const AROUND = new Set(['image', 'command', 'build', 'networks', 'depends_on']);

/** What one service becomes, and what it asks of others (its dependencies). */
export interface ServiceParts {
  readonly parts: Parts;
  readonly image: string | undefined;
  readonly command: readonly string[];
  readonly dependencies: readonly Dependency[];
  readonly build: Entry | undefined;
}

export function serviceParts(ctx: ComposeContext, name: string, service: Entry): ServiceParts {
  const parts = new Parts(ctx.v.file);
  const entries = ctx.v.entries(service.value);
  for (const e of entries) {
    if (e.key.startsWith('x-') || AROUND.has(e.key)) continue;
    const handler = HANDLERS[e.key];
    if (handler) handler(ctx, parts, e);
    else parts.report(e.at, UNSUPPORTED[e.key] ? `${UNSUPPORTED[e.key]}, left out` : 'unknown key, left out');
  }
  const networks = field(entries, 'networks');
  if (!field(entries, 'network_mode')) serviceNetworks(ctx, parts, name, networks?.value, service.at);
  else if (networks) ctx.v.fail(networks.at, 'a service with network_mode: cannot also have networks:');
  const depends = field(entries, 'depends_on');
  const deps = depends ? dependencies(ctx, depends.value) : [];
  dependOn(ctx, parts, deps);
  const image = field(entries, 'image');
  const command = field(entries, 'command');
  return {
    parts,
    image: image && ctx.v.text(image.value),
    command: command === undefined || (command.value.kind === 'scalar' && command.value.value === null) ? [] : words(ctx, command.value),
    dependencies: deps,
    build: field(entries, 'build'),
  };
}
