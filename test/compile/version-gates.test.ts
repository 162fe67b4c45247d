/**
 * Every key whose podman flag arrived after 4.0 is gated: one podman minor release too old, the generator
 * names the file, line, key and the version needed (or leaves a refinement out with a warning); at that
 * version the key compiles. The flag each key maps to is read from shared/conformance/QUADLET-KEYS.md, not
 * from berth's own key tables, so a table that names the wrong flag (or lacks a key) fails here.
 */
import test from 'ava';
import { ARTIFACT_KEYS } from '../../src/compile/artifact-keys.js';
import { BUILD_KEYS } from '../../src/compile/build-keys.js';
import { CONTAINER_KEYS } from '../../src/compile/container-keys.js';
import { IMAGE_KEYS } from '../../src/compile/image-keys.js';
import { readFileSync } from 'node:fs';
import { KUBE_KEYS } from '../../src/compile/kube-keys.js';
import { NETWORK_KEYS } from '../../src/compile/network-keys.js';
import { POD_KEYS } from '../../src/compile/pod-keys.js';
import { VOLUME_KEYS } from '../../src/compile/volume-keys.js';
import { FLAG_SINCE } from '../../src/compile/flag-versions.js';
import type { KeyTable } from '../../src/compile/rules.js';
import { atLeast, parseVersion, type Version } from '../../src/compile/version.js';
import { generate } from '../../src/generator/generate.js';
import { definition } from '../helpers/definitions.js';

interface Kind {
  readonly file: string;
  readonly section: string;
  readonly subcommand: string;
  readonly table: KeyTable;
  /** Lines every definition of the kind needs. */
  readonly base: string;
}

const KINDS: Kind[] = [
  { file: 'gated.container', section: 'Container', subcommand: 'run', table: CONTAINER_KEYS, base: 'Image=img' },
  { file: 'gated.volume', section: 'Volume', subcommand: 'volume create', table: VOLUME_KEYS, base: '' },
  { file: 'gated.network', section: 'Network', subcommand: 'network create', table: NETWORK_KEYS, base: '' },
  { file: 'gated.pod', section: 'Pod', subcommand: 'pod create', table: POD_KEYS, base: '' },
  { file: 'gated.kube', section: 'Kube', subcommand: 'kube play', table: KUBE_KEYS, base: 'Yaml=/srv/app.yaml' },
  { file: 'gated.image', section: 'Image', subcommand: 'image pull', table: IMAGE_KEYS, base: 'Image=quay.io/x/y' },
  { file: 'gated.build', section: 'Build', subcommand: 'build', table: BUILD_KEYS, base: 'ImageTag=localhost/x\nSetWorkingDirectory=/srv' },
  { file: 'gated.artifact', section: 'Artifact', subcommand: 'artifact pull', table: ARTIFACT_KEYS, base: '' },
];

/** Values that pass the compiler's own checks, for keys where any word would not. */
const SAMPLES: Record<string, string> = {
  Notify: 'healthy',
  ExposeHostPort: '8080',
  Mount: 'type=glob,source=/a*,destination=/b',
  User: '1000',
  RemapUsers: 'auto',
  ReloadSignal: 'SIGHUP',
  ExitPolicy: 'stop',
  ExitCodePropagation: 'all',
  StopTimeout: '10',
};

const KEYS_MD = new URL('../../../../shared/conformance/QUADLET-KEYS.md', import.meta.url).pathname;

/** QUADLET-KEYS.md's rows of one section: each key with the podman flag its "Maps to" column names first. */
function documentedFlags(section: string): Map<string, string | undefined> {
  const text = readFileSync(KEYS_MD, 'utf8');
  const start = text.indexOf(`## [${section}]`);
  const body = text.slice(start, text.indexOf('\n## ', start + 1));
  const out = new Map<string, string | undefined>();
  for (const m of body.matchAll(/^\| (\w+) \| (.*?) \| ([^|]+) \|$/gm)) {
    if (m[1] === 'Key') continue;
    out.set(m[1]!, /`(--[a-z][a-z0-9-]*)/.exec(m[2]!)?.[1]);
  }
  return out;
}

/** The line the key under test stands on: after the header and the kind's base lines. */
const keyLine = (kind: Kind): number => 2 + (kind.base === '' ? 0 : kind.base.split('\n').length);

const previousMinor = (v: Version): Version => (v.minor > 0 ? { ...v, minor: v.minor - 1 } : { major: v.major - 1, minor: 9, patch: 0 });

function compile(kind: Kind, line: string, target: Version) {
  const def = definition(kind.file, `[${kind.section}]\n${kind.base ? kind.base + '\n' : ''}${line}\n`);
  const result = generate([def], { target, user: false, podman: '/usr/bin/podman' });
  return { errors: result.errors.map((e) => e.message), warnings: result.warnings.map((e) => e.message), units: result.units };
}

for (const kind of KINDS) {
  test(`each ${kind.section} key newer than podman 4.0 is refused one release early and accepted at its version`, (t) => {
    let gated = 0;
    const documented = documentedFlags(kind.section);
    t.deepEqual([...documented.keys()].filter((k) => !Object.hasOwn(kind.table, k)), [], `keys of QUADLET-KEYS.md that berth's [${kind.section}] table lacks`);
    for (const [key, keyDef] of Object.entries(kind.table)) {
      // The flag QUADLET-KEYS.md says the key maps to, when podman has it under this subcommand; else the table's gate.
      const flag = documented.get(key);
      const gate = flag && FLAG_SINCE[`${kind.subcommand} ${flag}`] ? `${kind.subcommand} ${flag}` : keyDef.gate;
      const since = gate ? FLAG_SINCE[gate] : undefined;
      const sample = SAMPLES[key] ?? 'x';
      if (kind.base.split('\n').some((l) => l.startsWith(`${key}=`))) continue;
      // A value-level gate (e.g. Notify=healthy) may be newer than the key's own flag.
      const valueGate = key === 'Notify' ? FLAG_SINCE['run --sdnotify=healthy'] : key === 'Mount' ? FLAG_SINCE['run --mount type=glob'] : undefined;
      const needed = [since, valueGate].filter((v): v is string => !!v).sort((a, b) => (atLeast(parseVersion(a)!, b) ? -1 : 1))[0];
      if (!needed || needed === '4.0') continue;
      gated++;
      const v = parseVersion(needed)!;
      const { errors: early, warnings: earlyWarnings, units } = compile(kind, `${key}=${sample}`, previousMinor(v));
      // Before 4.3, .kube runs `podman play kube`, which had many of kube play's flags earlier.
      const early4 = previousMinor(v);
      const playKube = kind.section === 'Kube' && gate && !atLeast(early4, '4.3') ? FLAG_SINCE[gate.replace(/^kube play/, 'play kube')] : undefined;
      if (playKube && atLeast(early4, playKube)) {
        t.deepEqual(early, [], `${key} falls back to play kube`);
        continue;
      }
      if (keyDef.rule.kind === 'lines' && keyDef.rule.legacy) {
        // An older podman has an equivalent flag: the key compiles to that instead of failing.
        t.deepEqual(early, [], `${key} maps to ${keyDef.rule.legacy} where podman lacks ${keyDef.rule.flag}`);
        continue;
      }
      if (keyDef.below === 'drop' || (key === 'Notify' && valueGate === needed)) {
        // A refinement: the unit is still written, without it, and a warning says so.
        t.deepEqual(early, [], `${key} is left out, not refused`);
        t.true(units.length > 0);
        t.true(
          earlyWarnings.some((m) => m.includes(`/${kind.file}:${keyLine(kind)}:1: ${key}: Warning: needs podman ${needed} or newer`)),
          `${key} at ${previousMinor(v).major}.${previousMinor(v).minor}: ${earlyWarnings.join(' | ') || 'no warning'}`,
        );
        t.false(units.some((u) => u.text.includes(`=${sample}`) && u.text.includes(`--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).slice(1)}`)));
        continue;
      }
      t.true(
        early.some((m) => m.includes(`/${kind.file}:${keyLine(kind)}:1: ${key}: needs podman`) && m.includes(`needs podman ${needed} or newer`)),
        `${key} at ${previousMinor(v).major}.${previousMinor(v).minor}: ${early.join(' | ') || 'no error'}`,
      );
      const atVersion = compile(kind, `${key}=${sample}`, v).errors;
      t.false(atVersion.some((m) => m.includes('needs podman')), `${key} at ${needed}: ${atVersion.join(' | ')}`);
    }
    t.log(`${kind.section}: ${gated} gated keys`);
    t.true(gated > 0);
  });
}
