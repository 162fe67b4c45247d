/**
 * The known, accepted differences between berth (compiling for podman 5.4) and Podman 5.4.2's Quadlet.
 * Every difference the differential tests (random.test.ts, corpus.test.ts) find must match one entry here,
 * or the tests fail. An entry's reason is one of:
 * - "follows upstream Quadlet after 5.4": berth does what a later Quadlet does (the commit is cited, with
 *   the first release that has it, or "podman main, unreleased");
 * - "fixes a Quadlet bug": Quadlet 5.4.2 does something wrong, said how.
 * Commits are those of github.com/containers/podman.
 */
import type { Difference } from '../helpers/unit-compare.js';

export type Reason = 'follows upstream Quadlet after 5.4' | 'fixes a Quadlet bug';

export interface DifferenceContext {
  /** The definition the difference comes from, with its drop-ins, as `--- NAME` blocks (when known). */
  readonly source?: string;
  /** What Quadlet printed on stderr for the whole source folder. */
  readonly quadletStderr?: string;
}

export interface KnownDifference {
  readonly id: string;
  readonly reason: Reason;
  /** What changed upstream (commit, release) or which Quadlet bug is fixed. */
  readonly why: string;
  readonly matches: (d: Difference, ctx: DifferenceContext) => boolean;
}

const DEFINITION_NAME = /\.(container|volume|network|pod|image|build|kube|artifact)$/;
const QUADLET_DEPENDENCY_KEYS = new Set([
  'After', 'Before', 'BindsTo', 'Conflicts', 'OnFailure', 'OnSuccess', 'PartOf', 'PropagatesReloadTo', 'PropagatesStopTo',
  'ReloadPropagatedFrom', 'Requires', 'Requisite', 'StopPropagatedFrom', 'Upholds', 'Wants',
]);
const EXEC_STOP_KEYS = new Set(['ExecStop', 'ExecStopPost']);

/** Keys Quadlet 5.4.2 refuses that a later Quadlet accepts (shared/conformance/QUADLET-KEYS.md, "Since"). */
const LATER_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Container: { AppArmor: '5.8', HttpProxy: '5.7', Memory: '5.5', ReloadCmd: '5.5', ReloadSignal: '5.5', Retry: '5.5', RetryDelay: '5.5' },
  Volume: { GID: 'main', UID: 'main' },
  Network: { InterfaceName: '5.6', NetworkDeleteOnStop: '5.5' },
  Image: { Policy: '5.6', Retry: '5.5', RetryDelay: '5.5' },
  Build: { BuildArg: '5.7', IgnoreFile: '5.7', Retry: '5.5', RetryDelay: '5.5' },
  Pod: { ExitPolicy: '5.6', HostName: '5.5', Label: '5.6', StopTimeout: '5.7' },
};

const hasCidOrPodIdFile = (all: readonly string[] | undefined) => (all ?? []).some((c) => /--cidfile=|--pod-id-file[= ]/.test(c));
const squash = (s: string | undefined) => (s ?? '').replace(/\s+/g, '');
/** A line of the definition that ends in a backslash (a continuation). */
const hasContinuation = (ctx: DifferenceContext) => /\\[ \t]*\r?$/m.test(ctx.source ?? '');
/**
 * True when a line of the definition continues (ends in an odd number of backslashes, blanks after them allowed
 * as Quadlet allows them) and the continuation reaches a blank line (comment lines in between are skipped).
 */
function blankLineAfterContinuation(source: string): boolean {
  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    const m = /(\\+)$/.exec(t);
    if (!m || m[1]!.length % 2 === 0 || /^[#;]/.test(t)) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*[#;]/.test(lines[j]!)) j++;
    if (j < lines.length && lines[j]!.trim() === '' && !lines[j]!.startsWith('--- ')) return true;
  }
  return false;
}

/** A continuation Quadlet and systemd treat differently in kind: blanks after the backslash, or `\\` at the end. */
const hasOddContinuation = (ctx: DifferenceContext) => /\\[ \t]+\r?$/m.test(ctx.source ?? '') || /(^|[^\\])(\\\\)+\r?$/m.test(ctx.source ?? '');

const isPodUnit = (d: Difference, ctx: DifferenceContext) => /\.pod\b/.test(d.source ?? '') || (d.source === undefined && /^--- \S+\.pod/m.test(ctx.source ?? ''));

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'no-cidfile-or-pod-id-file',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 9b2fb40ab8 "Quadlet - remove the usage of cid and podid for container and pod files" (first in v5.6.0): '
      + 'containers and pods are named on the command line (`podman rm … NAME`, `pod start NAME`, `--pod NAME`) '
      + 'instead of through %t/%N.cid and %t/%N.pod-id files',
    matches: (d) => {
      if (d.kind !== 'exec-option' && d.kind !== 'exec') return false;
      if (d.kind === 'exec-option') {
        if (d.quadlet !== undefined && /^(--cidfile ⟦%t⟧\/⟦%N⟧\.cid|--pod-id-file ⟦%t⟧\/\S+\.pod-id)$/.test(d.quadlet) && (d.berth === undefined || /^--pod \S/.test(d.berth))) return true;
        return d.quadlet === undefined && d.berth !== undefined && /^--pod \S/.test(d.berth) && hasCidOrPodIdFile(d.quadletAll);
      }
      // The name that replaces the file: `podman rm -v -f -i NAME`, `podman pod start|stop|rm NAME`.
      return d.note?.startsWith('positional') === true && d.quadlet === '' && d.berth !== undefined && d.berth !== ''
        && hasCidOrPodIdFile(d.quadletAll) && (EXEC_STOP_KEYS.has(d.key ?? '') || d.key === 'ExecStart');
    },
  },
  {
    id: 'dependencies-on-definitions-translated',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman e498c6526b "Quadlet - translate dependencies on other quadlet units" and 6ac0a28564 "Quadlet - support '
      + 'additional systemd unit relationship keys" (first in v5.5.0): After=/Requires=/Wants=/… naming a definition '
      + '(x.network) name its service (x-network.service); 5.4.2 copies the file name, which systemd cannot resolve',
    matches: (d) => {
      if (d.kind !== 'value' || d.section !== 'Unit' || !QUADLET_DEPENDENCY_KEYS.has(d.key ?? '')) return false;
      if (d.quadlet !== undefined && d.berth === undefined) return DEFINITION_NAME.test(d.quadlet);
      // The translated name, new on berth's side: Quadlet's side names a definition berth's side does not.
      return d.quadlet === undefined && d.berth !== undefined && /\.service$/.test(d.berth)
        && (d.quadletAll ?? []).some((q) => DEFINITION_NAME.test(q) && !(d.berthAll ?? []).includes(q));
    },
  },
  {
    id: 'unknown-definition-in-dependencies-refused',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman e498c6526b "Quadlet - translate dependencies on other quadlet units" (first in v5.5.0): a [Unit] '
      + 'dependency naming a definition that is not on the search path (or that could not be loaded) is an error',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined
      && /refused: \w+=\S+\.(container|volume|network|pod|image|build|kube) is not defined on the search path/.test(d.berth),
  },
  {
    id: 'volume-options-without-device',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 6c41f55aa7 "Quadlet Volume - allow setting mount option without a device" (podman main, unreleased): '
      + '5.4.2 refuses [Volume] Options= without Device=',
    matches: (d) => d.kind === 'refused' && d.berth === undefined && d.quadlet === "refused: key Options can't be used without Device",
  },
  {
    id: 'unmatched-quotes-kept',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman cf6404f387 "Fix Quadlet `Lookup()` stripping unmatched quotes" (podman main, unreleased): 5.4.2 trims every '
      + 'leading and trailing `"` of a single-valued key (HealthCmd=sh -c "exit 0" loses its closing quote); only a '
      + 'matched pair around the whole value is removed now',
    matches: (d) => d.kind === 'exec-option' && d.quadlet !== undefined && d.berth !== undefined && d.quadlet !== d.berth
      && d.berth.replace(/^(\S+ )"+/, '$1').replace(/"+$/, '') === d.quadlet,
  },
  {
    id: 'environment-name-without-value',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 2b6c477884 "quadlet: handle generate environment params that inherit from host" (first in v5.6.0): an '
      + 'Environment= word without `=` becomes `--env NAME` (the host\'s value); 5.4.2 drops it',
    matches: (d) => d.kind === 'exec-option' && d.quadlet === undefined && d.berth !== undefined && /^--env [^=\s]+$/.test(d.berth),
  },
  {
    id: 'keys-of-later-quadlets',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'keys added to Quadlet after 5.4 (Memory=, Retry=, RetryDelay=, ReloadCmd=, ReloadSignal=, NetworkDeleteOnStop=, '
      + '[Pod] HostName= in v5.5.0; [Pod] Label=, ExitPolicy=, [Network] InterfaceName=, [Image] Policy= in v5.6.0; …): '
      + 'berth accepts them when the target podman (5.4) has the flag they compile to; 5.4.2 refuses the file',
    matches: (d) => {
      if (d.kind !== 'refused' || d.quadlet === undefined || d.berth !== undefined) return false;
      const m = /unsupported key '(\w+)' in group '(\w+)'/.exec(d.quadlet);
      return m !== null && LATER_KEYS[m[2]!]?.[m[1]!] !== undefined;
    },
  },
  {
    id: 'template-volume-and-network-service-names',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 83e65f91a4 "Quadlet - Support template dependency" (first in v5.7.0): `foo@.volume` compiles to the template '
      + '`foo-volume@.service`; 5.4.2 writes `foo@-volume.service`, which is not a template',
    matches: (d) => d.kind === 'file'
      && ((d.quadlet !== undefined && d.berth === undefined && /@-(volume|network|image|build|pod)\.service$/.test(d.unit))
        || (d.berth !== undefined && d.quadlet === undefined && /-(volume|network|image|build|pod)@\.service$/.test(d.unit))),
  },
  {
    id: 'bind-volume-requires-mounts-for',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 18ecd2046b "quadlet: generate RequiresMountsFor for Type=bind volumes" (first in v5.6.0): a Type=bind '
      + 'volume requires the mount of its Device= path',
    matches: (d, ctx) => d.kind === 'value' && d.section === 'Unit' && d.key === 'RequiresMountsFor' && d.quadlet === undefined
      && d.berth !== undefined && /-volume@?\.service$/.test(d.unit) && /^\s*Type\s*=\s*bind\s*$/m.test(ctx.source ?? '')
      && new RegExp(`^\\s*Device\\s*=\\s*${d.berth.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm').test(ctx.source ?? ''),
  },
  {
    id: 'pod-keeps-user-restart',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 33e8abd637 "Respect user-specified Restart= policy in pod units" (podman main, unreleased): 5.4.2 adds '
      + 'Restart=on-failure after the [Service] Restart= the definition sets, overriding it',
    matches: (d, ctx) => d.kind === 'value' && d.section === 'Service' && d.key === 'Restart' && d.quadlet === 'on-failure'
      && d.berth !== undefined && isPodUnit(d, ctx),
  },
  {
    id: 'empty-entrypoint-clears-image-entrypoint',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 926f562bd5 "quadlet: allow empty Entrypoint to clear image default" (podman main, unreleased): '
      + '`Entrypoint=` gives `--entrypoint=`; 5.4.2 writes nothing',
    matches: (d) => d.kind === 'exec-option' && d.quadlet === undefined && d.berth === '--entrypoint ',
  },
  {
    id: 'volume-user-group-names-refused',
    reason: 'fixes a Quadlet bug',
    why: '[Volume] User= and Group= are numeric ids (podman-systemd.unit(5): "The host (numeric) UID/GID"); Quadlet 5.4.2 '
      + '(and podman main) read them with LookupUint32 and silently use 0, so `Group=lidarr` makes a root-owned volume. '
      + 'berth refuses the definition instead',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined && /is not a numeric [UG]ID/.test(d.berth),
  },
  {
    id: 'one-unparsable-file-drops-nothing-else',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 (cmd/quadlet/main.go loadUnitsFromDir, unchanged on podman main) discards every definition of a '
      + 'folder when one file of it cannot be parsed ("error loading …"), so no unit at all is generated from that folder; '
      + 'berth refuses only the broken file and compiles (or judges) the others',
    matches: (d, ctx) => (d.kind === 'file' || d.kind === 'refused') && d.quadlet === undefined && d.berth !== undefined
      && /error loading "[^"]+", file contains line/.test(ctx.quadletStderr ?? ''),
  },
  {
    id: 'blank-line-ends-a-continuation',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 (pkg/systemd/parser/unitfile.go: lineIsComment() is true for an empty line, and UnitFile.Parse skips '
      + 'comment lines inside a continuation) lets a continuation run over blank lines and swallow the lines after them, '
      + 'section headers included; systemd\'s config_parse() skips only `#`/`;` lines there, and a blank line ends the '
      + 'continuation. berth reads such a definition as systemd would, so every setting after the blank line differs',
    matches: (_d, ctx) => blankLineAfterContinuation(ctx.source ?? ''),
  },
  {
    id: 'continuation-joined-as-systemd-joins',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 (pkg/systemd/parser/unitfile.go, UnitFile.Parse) joins a continued line by dropping the backslash and '
      + 'the next line\'s indentation (`a\\` + `b` gives `ab`); systemd.syntax(7) and systemd\'s config_parse() replace the '
      + 'backslash with a space and keep the next line as it is. berth joins as systemd does, so the joined values differ in '
      + 'whitespace, and words Quadlet glues together stay apart. Only definitions whose continuations all end in a bare '
      + 'unescaped backslash are covered (a backslash followed by blanks, or an escaped one, is another matter)',
    matches: (d, ctx) => {
      if (!hasContinuation(ctx) || hasOddContinuation(ctx)) return false;
      if (d.quadlet !== undefined && d.berth !== undefined && squash(d.quadlet) === squash(d.berth)) return true;
      // Words glued or split at a joint: the same characters on both sides of the whole command or list.
      const chars = (xs: readonly string[] | undefined) => [...squash((xs ?? []).join(''))].sort().join('');
      return (d.kind === 'exec-option' || d.kind === 'exec' || d.kind === 'value') && d.quadletAll !== undefined
        && chars(d.quadletAll) === chars(d.berthAll) || (d.kind === 'value' && d.section === 'Unit' && d.quadlet !== undefined && d.berth === undefined
        && (d.berthAll ?? []).some((b) => d.quadlet!.includes(b)));
    },
  },
  {
    id: 'empty-quoted-word-kept',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2\'s port of extract_first_word (pkg/systemd/parser/split.go splitString, unchanged on podman main) '
      + 'takes an empty quoted word ("" or \'\') for the end of the value and drops it with every word after it, so '
      + '`PodmanArgs=--label \'\' --memory=512m` loses both; systemd\'s extract_first_word returns an empty word, and '
      + 'berth keeps it (`--label ""`) and the rest',
    matches: (d, ctx) => (d.kind === 'exec-option' || d.kind === 'exec') && /(^|[\s=])(""|'')(\s|$)/m.test(ctx.source ?? ''),
  },
  {
    id: 'pod-keeps-user-environment',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman f1a1948b23 "Quadlet - Do not override existing Environment in Service group for Pod units" (first in '
      + 'v5.6.0): 5.4.2 replaces the [Service] Environment= of a .pod with PODMAN_SYSTEMD_UNIT=%n',
    matches: (d, ctx) => d.kind === 'value' && d.section === 'Service' && d.key === 'Environment' && d.quadlet === undefined
      && d.berth !== undefined && isPodUnit(d, ctx),
  },
];

export function explain(d: Difference, ctx: DifferenceContext = {}): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find((k) => k.matches(d, ctx));
}
