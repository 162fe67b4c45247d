import test from 'ava';
import { durationMs, durationSeconds } from '../../../src/import/compose/durations.js';
import { ShellWordsError, shellWords } from '../../../src/import/compose/shell-words.js';

test('a command string is split into words as compose splits it, without expanding variables', (t) => {
  t.deepEqual(shellWords(`sh -c 'echo "$HOME"'  "a b" c\\ d "x\\"y" ''`), ['sh', '-c', 'echo "$HOME"', 'a b', 'c d', 'x"y', '']);
  t.deepEqual(shellWords('  '), []);
  t.throws(() => shellWords('echo "open'), { instanceOf: ShellWordsError });
});

test("compose's durations are read as Go reads them, and rounded up to whole seconds for StopTimeout=", (t) => {
  t.is(durationMs('1m30s'), 90_000);
  t.is(durationMs('1.5s'), 1500);
  t.is(durationMs('500ms'), 500);
  t.is(durationMs('1h2m'), 3_720_000);
  t.is(durationMs('0'), 0);
  t.is(durationMs('10'), undefined);
  t.is(durationMs('1x'), undefined);
  t.is(durationSeconds('1500ms'), 2);
});
