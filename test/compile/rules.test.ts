import test from 'ava';
import { applyKeys, checkedTable, keyGate, keyVals, ruleFlag, valueSyntax, type KeyTable } from '../../src/compile/rules.js';
import { parseVersion } from '../../src/compile/version.js';
import { jobFor } from '../helpers/definitions.js';

const v = (s: string) => parseVersion(s)!;

const TABLE: KeyTable = {
  Name: { rule: { kind: 'string', flag: '--name', joined: true } },
  Dns: { rule: { kind: 'lines', flag: '--dns-option', legacy: '--dns-opt' } },
  Flag: { rule: { kind: 'bool', flag: '--read-only' } },
  Caps: { rule: { kind: 'words', flag: '--cap-add', lower: true } },
  Mask: { rule: { kind: 'args', flag: '--security-opt', format: 'mask=%s' } },
  Env: { rule: { kind: 'keyval', flag: '--env' } },
  Custom: { rule: { kind: 'custom' } },
  Raw: { rule: { kind: 'raw' } },
};

test('each rule kind turns its key into flags, in table order, and a custom key runs its handler even when absent', (t) => {
  const job = jobFor('web.container', '[Container]\nRaw=--x "y z"\nEnv=B=2 A=1\nMask=/a$&b "/c d"\nCaps=CHOWN net_raw\nFlag=no\nDns=ndots:1\nName=web\n');
  const seen: string[] = [];
  applyKeys({ ...job, section: 'Container' }, TABLE, 'run', { Custom: () => seen.push('custom') });
  t.deepEqual(job.cmd.args, [
    '--name=web', '--dns-option', 'ndots:1', '--read-only=false', '--cap-add', 'chown', '--cap-add', 'net_raw',
    '--security-opt', 'mask=/a$&b', '--security-opt', 'mask=/c d', '--env', 'A=1', '--env', 'B=2', '--x', 'y z',
  ]);
  t.deepEqual(seen, ['custom']);
});

test('a lines rule uses the older spelling where the target podman lacks the flag', (t) => {
  const job = jobFor('web.container', '[Container]\nDns=ndots:1\n', { target: '4.2' });
  applyKeys(job, { Dns: TABLE['Dns']! }, 'run', {});
  t.deepEqual(job.cmd.args, ['--dns-opt', 'ndots:1']);
  t.is(ruleFlag(TABLE['Dns']!.rule, 'run', v('4.3')), '--dns-option');
});

test('a key\'s gate is the one its table names, or that of the flag it emits for the target', (t) => {
  t.deepEqual(keyGate({ rule: { kind: 'string', flag: '--retry' } }, 'run', v('6.0')), { name: 'run --retry', since: '5.0' });
  t.deepEqual(keyGate({ rule: { kind: 'none' }, gate: 'global --module' }, 'run', v('6.0')), { name: 'global --module', since: '4.7' });
  t.is(keyGate({ rule: { kind: 'none' } }, 'run', v('6.0')), undefined);
});

test('a key table with an unknown gate or a custom key without its handler fails when checked at load', (t) => {
  t.throws(() => checkedTable('run', { Typo: { rule: { kind: 'string', flag: '--retyr' } } }, {}), { message: /unknown version gate "run --retyr"/ });
  t.throws(() => checkedTable('run', { X: { rule: { kind: 'none' }, gate: 'run --no-such' } }, {}), { message: /unknown version gate/ });
  t.throws(() => checkedTable('run', { Custom: { rule: { kind: 'custom' } } }, {}), { message: /custom key Custom has no handler/ });
  t.throws(() => checkedTable('run', {}, { Stray: () => undefined }), { message: /handler for Stray/ });
  t.notThrows(() => checkedTable('run', TABLE, { Custom: () => undefined }));
});

test('key=value lists merge, a later key wins, a bare name stays bare, and an unsplittable line is left out', (t) => {
  const job = jobFor('web.container', '[Container]\nEnv=A=1 B\nEnv=A=2\nEnv=C=\\q\n');
  t.deepEqual([...keyVals(job.unit, 'Container', 'Env')], [['A', '2'], ['B', undefined]]);
});

test('a rule implies how its value is read; a custom key says it', (t) => {
  t.is(valueSyntax({ rule: { kind: 'bool', flag: '--x' } }), 'bool');
  t.is(valueSyntax({ rule: { kind: 'words', flag: '--x' } }), 'strv');
  t.is(valueSyntax({ rule: { kind: 'keyval', flag: '--x' } }), 'args');
  t.is(valueSyntax({ rule: { kind: 'custom' }, syntax: 'strv' }), 'strv');
  t.is(valueSyntax({ rule: { kind: 'string', flag: '--x' } }), undefined);
});
