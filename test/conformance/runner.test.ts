/** The pure parts of the conformance runner (test/helpers/conformance-runner.ts). */
import test from 'ava';
import {
  dropinFolders, expectedUnitName, isCrash, neededVersion, summarize, type CaseOutcome,
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
