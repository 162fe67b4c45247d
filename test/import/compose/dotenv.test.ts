import test from 'ava';
import { DotenvError, parseDotenv } from '../../../src/import/compose/dotenv.js';

test('a .env file is read as compose reads it: comments, export, quotes, escapes and interpolation', (t) => {
  const env = parseDotenv(
    [
      '# a comment',
      '',
      'A=plain value  # trailing comment',
      'export B=exported',
      "C='single $A \\n'",
      'D="double $A\\nnext \\"q\\" \\$A"',
      'E=${B}-${HOME_DIR:-none}',
      'F=',
      'G=a#b',
    ].join('\n'),
    (name) => (name === 'HOME_DIR' ? undefined : undefined),
  );
  t.deepEqual(Object.fromEntries(env), {
    A: 'plain value',
    B: 'exported',
    C: 'single $A \\n',
    D: 'double plain value\nnext "q" $A',
    E: 'exported-none',
    F: '',
    G: 'a#b',
  });
});

test('the process environment is what a .env line refers to first', (t) => {
  const env = parseDotenv('A=from-file\nB=$A', (name) => (name === 'A' ? 'from-process' : undefined));
  t.is(env.get('B'), 'from-process');
});

test('a line that is no KEY=VALUE is an error naming its line', (t) => {
  const x = t.throws(() => parseDotenv('A=1\nnot a line\n'), { instanceOf: DotenvError });
  t.is(x?.line, 2);
});
