import test from 'ava';
import { interpolate, InterpolationError } from '../../../src/import/compose/interpolate.js';

const VARS: Record<string, string> = { SET: 'value', EMPTY: '', FALLBACK: 'fallback' };
const lookup = (name: string) => VARS[name];

/** template → what compose makes of it, with SET=value, EMPTY='', FALLBACK=fallback and UNSET unset. */
const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['${SET}', 'value'],
  ['$SET', 'value'],
  ['a-$SET-b', 'a-value-b'],
  ['$SET_more', ''],
  ['${SET}_more', 'value_more'],
  ['${UNSET}', ''],
  ['$UNSET', ''],
  ['${SET:-default}', 'value'],
  ['${EMPTY:-default}', 'default'],
  ['${UNSET:-default}', 'default'],
  ['${SET-default}', 'value'],
  ['${EMPTY-default}', ''],
  ['${UNSET-default}', 'default'],
  ['${SET:+alt}', 'alt'],
  ['${EMPTY:+alt}', ''],
  ['${UNSET:+alt}', ''],
  ['${SET+alt}', 'alt'],
  ['${EMPTY+alt}', 'alt'],
  ['${UNSET+alt}', ''],
  ['${SET:?must be set}', 'value'],
  ['${EMPTY?must be set}', ''],
  ['${UNSET:-${FALLBACK}}', 'fallback'],
  ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
  ['${UNSET-$FALLBACK}', 'fallback'],
  ['${UNSET:-a b}', 'a b'],
  ['$$SET', '$SET'],
  ['$${SET}', '${SET}'],
  ['$$$SET', '$value'],
  ['cost: 5$', 'cost: 5$'],
  ['$1 and $-', '$1 and $-'],
  ['no variables', 'no variables'],
];

for (const [template, expected] of TABLE) {
  test(`"${template}" interpolates to "${expected}"`, (t) => {
    t.is(interpolate(template, lookup), expected);
  });
}

test('a required variable without a value fails with its message, with a colon also when empty', (t) => {
  t.throws(() => interpolate('${UNSET:?set UNSET first}', lookup), { instanceOf: InterpolationError, message: 'required variable UNSET is missing a value: set UNSET first' });
  t.throws(() => interpolate('${EMPTY:?no}', lookup), { message: /EMPTY is missing a value: no/ });
  t.throws(() => interpolate('${UNSET?}', lookup), { message: 'required variable UNSET is missing a value' });
});

test('templates compose refuses are errors: no name, shell substitutions, no closing brace', (t) => {
  for (const bad of ['${}', '${SET/a/b}', '${SET', '${1}']) t.throws(() => interpolate(bad, lookup), { instanceOf: InterpolationError }, bad);
});

test('every variable used without a value or default is told, in order', (t) => {
  const unset: string[] = [];
  interpolate('$UNSET ${OTHER} ${NOPE:-x} ${SET}', lookup, (n) => unset.push(n));
  t.deepEqual(unset, ['UNSET', 'OTHER']);
});
