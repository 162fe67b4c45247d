import test from 'ava';
import { parseGeneratorArgs } from '../../src/cli/generator-args.js';

test('systemd\'s three folders, and the berth generate flags tests and users add', (t) => {
  t.deepEqual(parseGeneratorArgs(['/run/a', '/run/b', '/run/c']), { dirs: ['/run/a', '/run/b', '/run/c'], flags: { kmsgLog: true } });
  t.deepEqual(parseGeneratorArgs(['--no-kmsg-log', '--user', '--podman-version', '5.4', 'out']), {
    dirs: ['out'],
    flags: { kmsgLog: false, user: true, podmanVersion: '5.4' },
  });
  t.deepEqual(parseGeneratorArgs(['--dryrun', '--podman-version=4.3.1']), { dirs: [], flags: { kmsgLog: true, dryrun: true, podmanVersion: '4.3.1' } });
  t.deepEqual(parseGeneratorArgs([]), { dirs: [], flags: { kmsgLog: true } });
});

test('anything else is left to the full command line', (t) => {
  for (const argv of [['--help'], ['-h'], ['--version'], ['--kmsg-log', 'out'], ['--podman-version'], ['--podman-version', '--user'], ['--', 'out'], ['-x']]) {
    t.is(parseGeneratorArgs(argv), undefined, argv.join(' '));
  }
});
