import test from 'ava';
import { program } from '../../src/cli/program.js';
import { parseStatusArgs } from '../../src/cli/status-args.js';

/** What the command line gives runStatus for `berth status ARGS…`: its operands and options, or why it refuses. */
function commanderReads(args: string[]): { names: string[]; flags: Record<string, unknown> } | 'refused' {
  const status = program().commands.find((c) => c.name() === 'status')!;
  try {
    const { operands, unknown } = status.parseOptions(args);
    return unknown.length > 0 ? 'refused' : { names: operands, flags: { ...status.opts() } };
  } catch {
    return 'refused';
  }
}

const READ_HERE = [
  [],
  ['web'],
  ['web.service', 'db', '--json'],
  ['--json', '--watch', 'web'],
  ['--user', '--address', 'unix:path=/run/x', 'a', 'b'],
  ['--address=unix:path=/run/x,guid=0', '--json'],
  ['--address='],
  ['--json', '--json'],
];

test('the plain forms are read as the command line reads them', (t) => {
  for (const args of READ_HERE) {
    const mine = parseStatusArgs(['status', ...args]);
    t.not(mine, undefined, args.join(' '));
    t.deepEqual(commanderReads(args), { names: mine!.names, flags: { ...mine!.flags } }, args.join(' '));
  }
});

test('help, unknown or malformed flags, "--" and other commands are left to the command line', (t) => {
  for (const argv of [
    ['status', '--help'], ['status', '-h'], ['status', '--jsonn'], ['status', '--address'], ['status', '--address', '--json'],
    ['status', '--', '-x'], ['status', '-'], ['status', '--json=yes'], ['generate', 'out'], ['--version'], [], ['help', 'status'],
  ]) {
    t.is(parseStatusArgs(argv), undefined, argv.join(' '));
  }
});
