/**
 * `berth import compose.yaml`: a compose file → the definitions of its project, as text (no I/O here: the
 * caller reads the compose file, its .env and the environment). Services become .container definitions,
 * declared networks and volumes .network and .volume ones (names: names.ts); each report names the compose
 * file, line, column and key, in the definition it belongs to and in the warnings.
 */
import { CONTAINER_KEYS } from '../../compile/container-keys.js';
import { DefinitionError, UsageError } from '../../errors.js';
import { literalValue } from '../../unit/quote.js';
import { runKeys } from '../container.js';
import { buildDefinition } from './build.js';
import { definitionText, type Imported } from '../definition.js';
import type { ComposeContext } from './context.js';
import { DotenvError, parseDotenv } from './dotenv.js';
import { normalizeProjectName, projectName, serviceStem } from './names.js';
import { located } from './parts.js';
import { network, secret, volume, type Resource } from './resources.js';
import { serviceParts, type ServiceParts } from './service.js';
import { readComposeTree, type Entry } from './tree.js';
import { field, Values } from './values.js';

export interface ComposeInput {
  /** The compose file as the user named it, for messages. */
  readonly file: string;
  /** Its folder, absolute. */
  readonly dir: string;
  readonly text: string;
  /** The process environment: it wins over .env, as in compose. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The text of the .env file beside the compose file, if there is one. */
  readonly dotenv?: string;
  readonly home?: string;
  /** -p, --project-name: wins over the file's name: and COMPOSE_PROJECT_NAME. */
  readonly projectName?: string;
}

export interface ComposeImport {
  readonly project: string;
  /** The definitions: networks, volumes, then the services, each in the file's order. */
  readonly files: readonly Imported[];
  /** About the file as a whole (unset variables, secrets to make, top-level keys); each file has its own too. */
  readonly warnings: readonly string[];
}

const TOP_LEVEL = new Set(['name', 'services', 'networks', 'volumes', 'secrets']);
const TOP_LEVEL_UNSUPPORTED: Readonly<Record<string, string>> = {
  version: 'obsolete, and ignored by compose too',
  configs: 'no Quadlet equivalent: mount the files with volumes:',
  include: 'not followed: import each compose file on its own',
  models: 'no Quadlet equivalent',
};

/** [Container] keys in the key table's order (the run importer's and compose's own mixed). */
const ORDER = new Map(Object.keys(CONTAINER_KEYS).map((k, i) => [k, i]));
const inTableOrder = (entries: ReadonlyArray<readonly [string, string]>) => [...entries].sort((a, b) => ORDER.get(a[0])! - ORDER.get(b[0])!);

function readDotenv(input: ComposeInput): Map<string, string> {
  if (input.dotenv === undefined) return new Map();
  try {
    return parseDotenv(input.dotenv, (name) => input.env[name]);
  } catch (x) {
    if (x instanceof DotenvError) throw new DefinitionError({ file: `${input.dir}/.env`, line: x.line }, x.message);
    throw x;
  }
}

export function importCompose(input: ComposeInput): ComposeImport {
  const dotenv = readDotenv(input);
  const lookup = (name: string): string | undefined => input.env[name] ?? dotenv.get(name);
  const warnings: string[] = [];
  const root = readComposeTree(input.file, input.text, {
    lookup,
    unset: (name, at) => warnings.push(`${located(input.file, at)}: ${name} is not set: an empty string is used, as compose does`),
  });
  const v = new Values(input.file);
  const top = v.entries(root);
  const topNotes: string[] = [];
  for (const e of top) {
    if (TOP_LEVEL.has(e.key) || e.key.startsWith('x-')) continue;
    topNotes.push(`${located(input.file, e.at)}: ${TOP_LEVEL_UNSUPPORTED[e.key] ?? 'unknown key'}, left out`);
  }
  warnings.push(...topNotes);

  const nameEntry = field(top, 'name');
  const project = input.projectName !== undefined ? normalizeProjectName(input.projectName) : projectName(nameEntry && v.text(nameEntry.value), lookup('COMPOSE_PROJECT_NAME'), input.dir);
  if (project === '') throw new UsageError(`no project name can be made for ${input.file}: give one with --project-name`);
  const section = (key: string): readonly Entry[] => {
    const e = field(top, key);
    return e === undefined || (e.value.kind === 'scalar' && e.value.value === null) ? [] : v.entries(e.value);
  };
  const serviceEntries = section('services');
  if (serviceEntries.length === 0) throw new DefinitionError({ file: input.file, line: 1 }, 'no services: nothing to import');
  const base = { v, project, dir: input.dir, home: input.home };

  const networks = new Map<string, Resource>();
  for (const e of section('networks')) networks.set(e.key, network(base, e));
  // Services without networks: or network_mode: join the project's default network, made only when used.
  const usesDefault = serviceEntries.some((s) => s.value.kind === 'map' && !field(s.value.entries, 'networks') && !field(s.value.entries, 'network_mode'));
  if (usesDefault && !networks.has('default')) networks.set('default', network(base, { key: 'default', at: root.at, value: { kind: 'scalar', at: root.at, value: null } }));
  const volumes = new Map(section('volumes').map((e) => [e.key, volume(base, e)] as const));
  const secrets = new Map(section('secrets').map((e) => [e.key, secret(base, e, warnings)] as const));

  const ctx: ComposeContext = {
    ...base, lookup,
    networks: new Map([...networks].map(([k, r]) => [k, r.ref])),
    volumes: new Map([...volumes].map(([k, r]) => [k, r.ref])),
    secrets,
    services: new Set(serviceEntries.map((e) => e.key)),
  };
  const services = serviceEntries.map((e) => [e, serviceParts(ctx, e.key, e)] as const);
  const healthy = new Set(services.flatMap(([, s]) => s.dependencies.filter((d) => d.condition === 'service_healthy').map((d) => d.service)));
  const containers = services.flatMap(([e, s]) => {
    const build = s.build && buildDefinition(ctx, e.key, s.build, s.image);
    return [...(build ? [build] : []), containerDefinition(ctx, e, s, build?.fileName, healthy.has(e.key), topNotes)];
  });
  const resources = [...networks.values(), ...volumes.values()].flatMap((r) => (r.definition ? [r.definition] : []));
  return { project, files: [...resources, ...containers], warnings };
}

/** The service's .container definition; `build` names the .build definition that makes its image. */
function containerDefinition(ctx: ComposeContext, e: Entry, s: ServiceParts, build: string | undefined, healthy: boolean, topNotes: readonly string[]): Imported {
  const { parts } = s;
  if (s.image === undefined && build === undefined) ctx.v.fail(e.at, 'a service needs image: or build:');
  if (healthy) {
    parts.key('Container', 'Notify', 'healthy');
    const entries = ctx.v.entries(e.value);
    if (!field(entries, 'healthcheck')) parts.report(e.at, "another service waits for this one to be healthy: Notify=healthy needs a health check, the image's own or healthcheck:");
  }
  // The run importer takes image names only: a built image is named by its .build definition instead.
  const run = runKeys(parts.options, [s.image ?? 'built', ...s.command]);
  const image = build === undefined ? run.image : (['Image', build] as const);
  const stem = serviceStem(ctx.project, e.key);
  const description = literalValue(`${e.key} of compose project ${ctx.project}`);
  return definitionText(
    'container',
    stem,
    [
      ['Unit', [...(description ? [['Description', description] as const] : []), ...parts.keys.Unit]],
      ['Container', [image, ...inTableOrder([...run.entries, ...parts.keys.Container]), ...run.exec, ...run.podmanArgs]],
      ['Service', parts.keys.Service],
      ['Install', parts.keys.Install],
    ],
    [...topNotes, ...parts.notes, ...run.notes],
    [...parts.warnings, ...run.warnings],
  );
}
