/** `podman pod create …` → a .pod definition, by POD_KEYS (keys.ts). */
import { POD_KEYS } from '../compile/pod-keys.js';
import { UsageError } from '../errors.js';
import { literalValue } from '../unit/quote.js';
import { parseArgv } from './argv.js';
import { SHARED_CUSTOM } from './container.js';
import { POD_CREATE_FLAGS } from './create-flags.js';
import { definitionText, type Imported } from './definition.js';
import { importKeys, targetsOf, type ImportSpec } from './keys.js';

const SPEC: ImportSpec = {
  flags: POD_CREATE_FLAGS,
  table: POD_KEYS,
  custom: [
    ...SHARED_CUSTOM,
    { key: 'ExitPolicy', flag: '--exit-policy', read: (v) => (['continue', 'stop'].includes(v) ? v : undefined) },
  ],
  dropped: new Map([
    ['--replace', 'the unit replaces the pod itself'],
    ['--infra-conmon-pidfile', "the unit's PIDFile= is the infra container's conmon"],
  ]),
};
const TARGETS = targetsOf(SPEC);

/** `podman pod create` arguments (after `create`) → the definition; the pod is named by --name or its argument. */
export function importPodCreate(argv: readonly string[]): Imported {
  const { options, positionals } = parseArgv(POD_CREATE_FLAGS, argv);
  if (positionals.length > 1) throw new UsageError(`podman pod create takes one name, not ${positionals.length} words`);
  // The compiled unit names the pod (--name, and its infra container after it): the name is PodName=, never PodmanArgs=.
  const name = options.findLast((o) => o.flag === '--name')?.value ?? positionals[0];
  if (name === undefined) throw new UsageError('podman pod create needs a name (--name or an argument) for the definition');
  const podName = literalValue(name);
  if (podName === undefined) throw new UsageError(`the pod name "${name}" cannot be written as PodName=`);
  const { entries, podmanArgs, notes, warnings } = importKeys(SPEC, TARGETS, options.filter((o) => o.flag !== '--name'));
  return definitionText('pod', name, [['Pod', [['PodName', podName], ...entries, ...podmanArgs]]], notes, warnings);
}
