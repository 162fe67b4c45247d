/** The pure parts of the conformance runner (test/helpers/conformance-runner.ts). */
import test from 'ava';
import {
  dropinFolders, expectedUnitName, isCrash, neededVersion, summarize, unexpectedFailures, type CaseOutcome, type ExpectedFailure,
} from '../helpers/conformance-runner.js';

test('the checked unit: serviceName, else base name + kind suffix + .service', (t) => {
  t.is(expectedUnitName('basic.container'), 'basic.service');
  t.is(expectedUnitName('basic.kube'), 'basic.service');
  t.is(expectedUnitName('a.b.volume'), 'a.b-volume.service');
  t.is(expectedUnitName('x.artifact'), 'x-artifact.service');
  t.is(expectedUnitName('service-name.pod', 'basic.service'), 'basic.service');
});

test('drop-in folders: file.d, and foo@.ext.d for an instance', (t) => {
  t.deepEqual(dropinFolders('merged.container'), ['merged.container.d']);
  t.deepEqual(dropinFolders('template@instance.container'), ['template@instance.container.d', 'template@.container.d']);
  t.deepEqual(dropinFolders('template@.container'), ['template@.container.d']);
});

test('version gates and crashes are recognized in stderr', (t) => {
  t.is(neededVersion('x: needs podman 5.3 or newer (run --foo)\ny: needs podman 5.10 or newer'), '5.10');
  t.is(neededVersion('x.container:3: unknown key'), undefined);
  t.true(isCrash('file:///a.js:1\nTypeError: boom\n    at f (file:///a.js:1:2)\n'));
  t.false(isCrash('berth-generator: x.container:1: bad'));
});

const outcome = (status: CaseOutcome['status'], needs?: string): CaseOutcome => ({
  file: 'x', status, needs, failures: [], exitCode: 0, stderr: '', stdout: '', unitName: 'x.service', sourceDir: '/s',
});

test('the summary line', (t) => {
  t.is(summarize([outcome('pass'), outcome('fail')]).line, 'conformance: 1 passed, 1 failed, 0 not applicable');
  t.is(summarize([outcome('pass'), outcome('na', '6.1'), outcome('na', '6.0.2')]).line,
    'conformance: 1 passed, 0 failed, 2 not applicable (needs podman ≥ 6.1)');
});

test('a failed case is expected only when it fails exactly as floor.json lists it, message included', (t) => {
  const failed = (file: string, failures: string[], stderr: string): CaseOutcome => ({
    file, status: 'fail', failures, exitCode: 1, stderr, stdout: '', unitName: 'x.service', sourceDir: '/tmp/podman-e2e-1/subtest-3/quadlet',
  });
  const expected: ExpectedFailure[] = [
    { case: 'dup.container', failures: ['exit code 1, expected 0'], stderr: ['berth-generator: basic.service is already generated from <src>/basic.container'], reason: 'by design' },
  ];
  const clash = 'berth-generator: basic.service is already generated from /tmp/podman-e2e-1/subtest-3/quadlet/basic.container\n';
  t.deepEqual(unexpectedFailures([failed('dup.container', ['exit code 1, expected 0'], clash)], expected), []);
  t.deepEqual(unexpectedFailures([outcome('pass')], expected), []);
  // The same exit code for another reason, one more message, or another case: each fails the suite.
  const other = failed('dup.container', ['exit code 1, expected 0'], 'berth-generator: x.container:1: bad\n');
  t.deepEqual(unexpectedFailures([other], expected), [{ case: 'dup.container', failures: ['exit code 1, expected 0'], stderr: ['berth-generator: x.container:1: bad'] }]);
  t.is(unexpectedFailures([failed('dup.container', ['exit code 1, expected 0'], `${clash}berth-generator: y.container:2: bad\n`)], expected).length, 1);
  t.is(unexpectedFailures([failed('dup.container', ['exit code 1, expected 0', 'no dup.service generated'], clash)], expected).length, 1);
  t.is(unexpectedFailures([failed('other.container', ['exit code 1, expected 0'], clash)], expected).length, 1);
});
