/**
 * Seeded hostile definition files: names and values chosen to break a generator that copies text or
 * trusts names — install names with `/` and `..`, service names that are paths, values with carriage
 * returns, trailing backslashes, continuations that swallow section headers, `$`/`%` patterns, control
 * characters, very long lines, binary garbage.
 */
import { prng } from './random-argv.js';

export { prng };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const UNIT_NAMES = [
  '../../x.target', '../y.service', 'sub/dir.target', '/etc/passwd', '..', '.', '', 'multi-user.target',
  'default.target', 'a b.target', 'x.wants', 'ok.target', '..service', 'x\\y.target', 'x@.target', '@x.target',
  'web.timer', 'a'.repeat(300) + '.target', 'é.target', '%n.target', '$HOME.target', 'x.target/', '.target',
];

const VALUE_PIECES = [
  'plain', ' ', '\\', '\\\\', '"', "'", '$$', '$&', "$'", '$`', '$1', '%%', '%n', '%', '\r', '\t', '\x01', '\x7f',
  ';', '#', '[Service]', '=', 'é', '😀', '\u00a0', '\u2028', '\ufeff', 'ExecStartPre=/bin/evil', '\\x20', '\\n',
];

/** A value made of nasty pieces. */
export function hostileValue(r: () => number, max = 6): string {
  let v = '';
  const n = 1 + Math.floor(r() * max);
  for (let i = 0; i < n; i++) v += pick(r, VALUE_PIECES);
  return v;
}

/** A line, sometimes continued over several physical lines with comments and headers inside. */
function line(r: () => number, key: string, value: string): string {
  if (r() < 0.2) {
    const cut = Math.floor(value.length / 2);
    const inner = pick(r, ['', '# [Service]', '[Service]', '; ExecStartPre=/bin/evil', '   ']);
    return `${key}=${value.slice(0, cut)}\\${pick(r, ['', ' ', '\t'])}\n${inner ? inner + '\n' : ''}  ${value.slice(cut)}`;
  }
  return `${key}=${value}`;
}

const KINDS = ['container', 'volume', 'network', 'pod', 'image', 'build', 'kube'] as const;
const SECTION: Record<(typeof KINDS)[number], string> = {
  container: 'Container', volume: 'Volume', network: 'Network', pod: 'Pod', image: 'Image', build: 'Build', kube: 'Kube',
};
const BASE: Record<(typeof KINDS)[number], string> = {
  container: 'Image=localhost/busybox', volume: '', network: '', pod: '', image: 'Image=localhost/busybox',
  build: 'ImageTag=localhost/b\nSetWorkingDirectory=unit', kube: 'Yaml=/dev/null',
};

/** A definition file's name: usually ordinary, sometimes a path-like or odd stem. */
export function hostileFileName(r: () => number, i: number): string {
  const kind = pick(r, KINDS);
  const stem = r() < 0.7 ? `d${i}` : pick(r, [`d${i} sp`, `d${i}@`, `d${i}@inst`, `d${i}%n`, `d${i}..`, `.d${i}`, `d${i}é`, `-d${i}`]);
  return `${stem}.${kind}`;
}

/** The text of a hostile definition of the kind its file name says. */
export function hostileDefinition(r: () => number, fileName: string): string {
  const kind = fileName.slice(fileName.lastIndexOf('.') + 1) as (typeof KINDS)[number];
  const lines: string[] = [`[${SECTION[kind]}]`];
  if (BASE[kind]) lines.push(BASE[kind]);
  if (r() < 0.3) lines.push(`ServiceName=${pick(r, ['../../etc/evil', 'sub/x', 'ok-name', hostileValue(r, 3), '.'])}`);
  if (kind === 'container' && r() < 0.4) lines.push(line(r, 'Exec', hostileValue(r)));
  if (kind === 'container' && r() < 0.3) lines.push(line(r, 'Environment', `A=${hostileValue(r)}`));
  if (kind === 'container' && r() < 0.3) lines.push(line(r, 'Label', `l=${hostileValue(r)}`));
  if (kind === 'container' && r() < 0.2) lines.push(`Mask=/m${pick(r, ['$$x', '$&', "$'"])}`);
  if (kind === 'container' && r() < 0.2) lines.push(`SecurityLabelType=t${pick(r, ['$&', '$$', "$'"])}`);
  if (r() < 0.5) {
    lines.push('[Service]');
    for (let i = Math.floor(r() * 4); i >= 0; i--) lines.push(line(r, pick(r, ['Environment', 'Description', 'ExecStartPre', 'TimeoutStartSec', 'X-Odd']), hostileValue(r)));
  }
  if (r() < 0.3) lines.push(`[X-${pick(r, ['Extra', 'Evil'])}]`, line(r, 'K', hostileValue(r)));
  if (r() < 0.7) {
    lines.push('[Install]');
    for (const key of ['WantedBy', 'RequiredBy', 'UpheldBy', 'Alias', 'DefaultInstance']) {
      if (r() < 0.5) lines.push(`${key}=${Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, UNIT_NAMES)).join(' ')}`);
    }
  }
  return lines.join('\n') + (r() < 0.9 ? '\n' : '');
}

/** Bytes no definition should hold: random binary, or a text that is far too long. */
export function garbage(r: () => number): Buffer {
  if (r() < 0.5) return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 4096) }, () => Math.floor(r() * 256)));
  return Buffer.from(`[Container]\nImage=x\n${'# filler\n'.repeat(150_000)}Exec=${'y'.repeat(200_000)}\n`);
}
