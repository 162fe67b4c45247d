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
/**
 * Whether an option of Quadlet's command and one of berth's stand for each other by `same`. Options are compared
 * as a multiset, so an option given twice may come apart into one difference per side: the other side's options
 * of the same flag are then looked up in its whole command.
 */
function pairedOption(d: Difference, same: (quadlet: string, berth: string) => boolean): boolean {
  if (d.kind !== 'exec-option') return false;
  if (d.quadlet !== undefined && d.berth !== undefined) return same(d.quadlet, d.berth);
  // Commands are rendered with each word that needs it as a JSON string.
  const options = (command: string, flag: string) => [...command.matchAll(new RegExp(`(?<=^|\\s)${flag} ("(?:[^"\\\\]|\\\\.)*"|\\S+)`, 'g'))]
    .map((m) => `${flag} ${m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!}`);
  if (d.quadlet !== undefined) return (d.berthAll ?? []).some((c) => options(c, d.quadlet!.split(' ')[0]!).some((b) => same(d.quadlet!, b)));
  return d.berth !== undefined && (d.quadletAll ?? []).some((c) => options(c, d.berth!.split(' ')[0]!).some((q) => same(q, d.berth!)));
}

/** systemd's unit_name_is_valid(), for names Quadlet makes links under. */
const isUnitName = (n: string) => n.length <= 255 && /^[A-Za-z0-9:\-_.\\][A-Za-z0-9:\-_.\\@]*\.(service|socket|target|device|mount|automount|swap|timer|path|slice|scope)$/.test(n);

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
      if (d.quadlet !== undefined && d.berth === undefined && DEFINITION_NAME.test(d.quadlet)) return true;
      // Translating reads the list as Quadlet's LookupAllStrv does (quotes group), where systemd reads quotes as
      // part of a name: a quoted word that is no unit name anyway comes out without its quotes.
      const unq = (w: string) => w.replace(/["']/g, '');
      if ((d.quadletAll ?? []).some((q) => DEFINITION_NAME.test(q))) {
        if (d.quadlet !== undefined && d.berth === undefined && /["']/.test(d.quadlet)) return true;
        if (d.berth !== undefined && d.quadlet === undefined && (d.quadletAll ?? []).some((q) => /["']/.test(q) && unq(q).includes(d.berth!))) return true;
      }
      if (d.quadlet !== undefined && d.berth === undefined) return false;
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
      && /refused: unable to translate dependency for \S+\.(container|volume|network|pod|image|build|kube): it is not defined on the search path/.test(d.berth),
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
      + 'Environment= word without `=` becomes `--env NAME` (the host\'s value); 5.4.2 drops it. The change is in '
      + 'LookupAllKeyVal and PodmanCmdline.addKeys, so Label=, Annotation= and the other key=value lists do the same',
    matches: (d) => d.kind === 'exec-option' && d.quadlet === undefined && d.berth !== undefined && /^--(env|label|annotation|build-arg|opt) [^=]+$/.test(d.berth),
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
    matches: (d) => (d.kind === 'file'
      && ((d.quadlet !== undefined && d.berth === undefined && /@-(volume|network|image|build|pod)\.service$/.test(d.unit))
        || (d.berth !== undefined && d.quadlet === undefined && /-(volume|network|image|build|pod)@[^/]*\.service$/.test(d.unit))))
      // The default name of a template's volume, network or pod: systemd-foo-%i (getResourceName on main), not systemd-foo@.
      || ((d.kind === 'exec' || d.kind === 'exec-option') && d.quadlet !== undefined && d.berth !== undefined
        && d.quadlet.replace(/systemd-([\w.-]+)@(?=$|[\s:])/g, 'systemd-$1-⟦%i⟧') === d.berth),
  },
  {
    id: 'bind-volume-requires-mounts-for',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 18ecd2046b "quadlet: generate RequiresMountsFor for Type=bind volumes" (first in v5.6.0): a Type=bind '
      + 'volume requires the mount of its Device= path',
    matches: (d, ctx) => d.kind === 'value' && d.section === 'Unit' && d.key === 'RequiresMountsFor' && d.quadlet === undefined
      && d.berth !== undefined && /-volume@?\.service$/.test(d.unit) && /^\s*Type\s*=\s*bind\s*$/m.test(ctx.source ?? '')
      // As systemd reads the path (path_simplify: repeated slashes are one).
      && [...(ctx.source ?? '').matchAll(/^\s*Device\s*=\s*(\S+)\s*$/gm)].some((m) => m[1]!.replace(/\/+/g, '/') === d.berth),
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
    id: 'dependents-of-refused-definitions-refused',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 (cmd/quadlet/main.go: a definition that fails to convert stays in unitsInfoMap) still writes the '
      + 'units that use a refused .volume, .network, .image, .build or .pod, with Requires=/BindsTo= on a unit that is '
      + 'never generated, so they fail at every start; berth refuses them too, naming the refused definition',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined && /depends on \S+, which was refused/.test(d.berth),
  },
  {
    id: 'requires-mounts-for-quoted',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 601a072b51 "Escape RequiresMountsFor value" (podman main, unreleased): 5.4.2 writes a source path with '
      + 'spaces bare (RequiresMountsFor=/srv/host path), which systemd splits into several paths; berth quotes it, in the '
      + 'only form systemd reads back for this key (it unquotes without C-unescaping)',
    matches: (d) => d.kind === 'value' && d.section === 'Unit' && d.key === 'RequiresMountsFor'
      && ((d.berth !== undefined && /\s/.test(d.berth)) || (d.quadlet !== undefined && d.berth === undefined
        && (d.berthAll ?? []).some((b) => /\s/.test(b) && b.startsWith(d.quadlet!)))),
  },
  {
    id: 'multiple-yaml-entries',
    reason: 'follows upstream Quadlet after 5.4',
    why: 'podman 8e013c0012 "feat(quadlet: kube): support multiple Yaml entries" (first in v5.7.0): Yaml= is a list read '
      + 'with systemd\'s word splitting, several files go to one `kube play`; podman 5.4 cannot play several files, so berth '
      + 'refuses a Yaml= of more than one word when compiling for it (5.4.2 took the whole line as one path)',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined
      && /needs podman 5\.7 or newer \(kube play KUBEFILE\.\.\.\)|SetWorkingDirectory=yaml is only supported when a single Yaml key/.test(d.berth),
  },
  {
    id: 'unit-names-systemd-cannot-load-refused',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 writes a unit under any ServiceName= (svc%i.service, names with spaces or slashes), and systemd '
      + 'ignores a file whose name is not a valid unit name (or, with a slash, Quadlet writes outside its folder); berth '
      + 'refuses the definition at its ServiceName= line instead',
    matches: (d) => (d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined && /holds characters a unit name cannot|does not end in a unit type|a unit name has at most/.test(d.berth))
      || (d.kind === 'file' && d.berth === undefined && d.quadlet !== undefined && /[^A-Za-z0-9:\-_.\\@/]/.test(d.unit.split('/').pop()!)),
  },
  {
    id: 'install-names-systemd-cannot-use-skipped',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 makes [Install] links under names systemd cannot use: Alias= with another type suffix than the '
      + 'unit, or with a specifier it writes literally (alias-%p.service), and Alias= paths that leave the output folder; '
      + 'berth resolves the unit-name specifiers as systemctl enable does and skips, with a warning, names that are still '
      + 'not valid unit names of the right type',
    matches: (d, ctx) => {
      if (d.kind !== 'file') return false;
      const [dir, name] = d.unit.includes('/') ? d.unit.split('/') as [string, string] : [undefined, d.unit];
      if (d.quadlet?.startsWith('→ ') && d.berth === undefined) {
        if (dir !== undefined) return !isUnitName(dir.replace(/\.(wants|requires|upholds)$/, ''));
        return !isUnitName(name) || !name.endsWith(d.quadlet.slice(d.quadlet.lastIndexOf('.')));
      }
      return d.berth?.startsWith('→ ') === true && d.quadlet === undefined && /^\s*(Alias|WantedBy|RequiredBy|UpheldBy)\s*=.*%/m.test(ctx.source ?? '');
    },
  },
  {
    id: 'value-podman-would-misread-refused',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 passes [Build] Pull=newer on as --pull=newer, which podman before 5.8 takes silently for "missing" '
      + '(cmd/podman/common/build.go, fixed in a19307f502, v5.8.0): the image is not pulled when it is newer, unlike what '
      + 'the definition asks; berth refuses the value below podman 5.8, naming the version',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined && /needs podman 5\.8 or newer \(build --pull=newer\)/.test(d.berth),
  },
  {
    id: 'volume-of-a-refused-definition',
    reason: 'fixes a Quadlet bug',
    why: 'when Quadlet 5.4.2 refuses a .volume (here for a reason the table accepts, such as Options= without Device=), '
      + 'the containers that use it still get `-v DEST`: an anonymous volume in place of the named one, with its options '
      + 'dropped; berth, which compiles the volume, passes `-v NAME:DEST:OPTIONS` (and refuses the container when it '
      + 'refuses the volume)',
    matches: (d) => pairedOption(d, (q, b) => (/^-v [^:\s]/.test(q) && b.startsWith('-v ') && b.includes(`:${q.slice(3)}`) && !q.slice(3).includes(':'))
      // The same through Mount=type=volume,source=x.volume: Quadlet leaves the source empty.
      || (q.startsWith('--mount ') && /(^|,)source=(,|$)/.test(q) && b.replace(/(^|,)source=[^,]+/, '$1source=') === q)),
  },
  {
    id: 'names-of-other-units-resolved-for-their-own-unit',
    reason: 'fixes a Quadlet bug',
    why: 'a NetworkName=, VolumeName= or PodName= with a unit specifier (n-%i, %N-data) is resolved by systemd in the unit '
      + 'that creates the object; Quadlet 5.4.2 copies it unresolved into the units that use the object, where systemd '
      + 'resolves it for that other unit, so they name an object that does not exist; berth resolves it for its own unit',
    matches: (d) => pairedOption(d, (q, b) => /⟦%[nNpPiIjJ]⟧/.test(q)
      && new RegExp(`^${q.split(/⟦%[nNpPiIjJ]⟧/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\s:]*')}$`).test(b)),
  },
  {
    id: 'alias-clash-first-wins',
    reason: 'fixes a Quadlet bug',
    why: 'when two definitions ask for the same Alias=, Quadlet 5.4.2 removes the link the first made and links the name '
      + 'to the second, silently; berth keeps the first and warns about the second (a unit\'s own name is never replaced)',
    matches: (d) => d.kind === 'symlink' && !d.unit.includes('/') && d.quadlet !== undefined && d.berth !== undefined,
  },
  {
    id: 'same-unit-name-refused',
    reason: 'fixes a Quadlet bug',
    why: 'when two definitions name the same unit (ServiceName=, or a template and its instance with one ServiceName=), '
      + 'Quadlet 5.4.2 writes both and the later silently replaces the earlier; berth keeps the first and refuses the '
      + 'second with an error naming both files (as test/conformance/floor.json lists for the dependent.* cases)',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined && /\.service is already generated from /.test(d.berth),
  },
  {
    id: 'values-podman-refuses-caught-when-generating',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 passes on values podman refuses at every start (ExitCodePropagation=bogus becomes '
      + '--service-exit-code-propagation=bogus, and the service fails when started); berth refuses the definition when '
      + 'generating, naming the line and the values podman takes',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined
      && /is not an exit code propagation policy|is not an exit policy|is not a number of seconds/.test(d.berth),
  },
  {
    id: 'pod-leaves-out-refused-members',
    reason: 'fixes a Quadlet bug',
    why: 'Quadlet 5.4.2 lists a container in its pod\'s Wants=/Before= as soon as it reaches Pod= (handlePod), even when '
      + 'the container is refused afterwards, so the pod wants a unit that does not exist; berth lists only the members '
      + 'that were generated',
    matches: (d, ctx) => d.kind === 'value' && d.section === 'Unit' && (d.key === 'Wants' || d.key === 'Before')
      && d.quadlet !== undefined && d.berth === undefined && d.quadlet.endsWith('.service') && isPodUnit(d, ctx),
  },
  {
    id: 'value-ending-in-backslash-refused',
    reason: 'fixes a Quadlet bug',
    why: 'a value on the last line of a file can end in a backslash (`Description=x\\\\`); Quadlet 5.4.2 writes it as is, so '
      + 'systemd joins the next line of the generated unit to it; berth refuses the definition, naming the line',
    matches: (d) => d.kind === 'refused' && d.quadlet === undefined && d.berth !== undefined && /the value ends in a backslash, which would join the next line/.test(d.berth),
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
