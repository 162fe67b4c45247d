import test from 'ava';
import { UsageError } from '../../src/errors.js';
import { parseArgv } from '../../src/import/argv.js';
import { RUN_FLAGS } from '../../src/import/run-flags.js';

const parse = (...argv: string[]) => {
  const { options, positionals } = parseArgv(RUN_FLAGS, argv);
  return { options: options.map((o) => `${o.flag}=${o.value}`), positionals };
};

test('a flag takes its value after a space or after =, and short forms and aliases name the long flag', (t) => {
  t.deepEqual(parse('--name', 'web', '--tz=UTC', '-p', '8080:80', '--net', 'host', 'img'), {
    options: ['--name=web', '--tz=UTC', '--publish=8080:80', '--network=host'], positionals: ['img'],
  });
});

test('short boolean flags bundle, and a value flag in a bundle takes the rest of it or the next word', (t) => {
  t.deepEqual(parse('-dt', '-itp8080:80', '-de', 'A=1', '-p=9000', 'img').options, [
    '--detach=true', '--tty=true', '--interactive=true', '--tty=true', '--publish=8080:80', '--detach=true', '--env=A=1', '--publish=9000',
  ]);
});

test('a boolean flag takes no separate value, and reads its = value as Go does', (t) => {
  t.deepEqual(parse('--rm', '--init=0', '--privileged=True', 'false'), { options: ['--rm=true', '--init=false', '--privileged=true'], positionals: ['false'] });
  t.throws(() => parse('--rm=maybe', 'img'), { instanceOf: UsageError, message: /"maybe" for "--rm"/ });
});

test('a value may start with a dash, -- ends the options, and the first positional word ends them too', (t) => {
  t.deepEqual(parse('--entrypoint', '-x', '--', '-img', '-c'), { options: ['--entrypoint=-x'], positionals: ['-img', '-c'] });
  t.deepEqual(parse('img', '--rm'), { options: [], positionals: ['img', '--rm'] });
});

test('an unknown flag, or a flag without its value, is a usage error naming it', (t) => {
  t.throws(() => parse('--bogus', 'img'), { instanceOf: UsageError, message: 'unknown flag: --bogus' });
  t.throws(() => parse('-dZ', 'img'), { instanceOf: UsageError, message: 'unknown flag: -Z' });
  t.throws(() => parse('--name'), { instanceOf: UsageError, message: 'flag needs an argument: --name' });
});
