/**
 * Behaviours that Podman's own Quadlet test suite checks and ../shared/conformance does not hold, written
 * anew here: each runs the generator in-process on a definition of our own and checks what upstream checks.
 */
import test from 'ava';
import { NEWEST_PODMAN } from '../../src/compile/version.js';
import { generate } from '../../src/generator/generate.js';
import { UnitFile } from '../../src/unit/unit-file.js';
import type { Definition } from '../../src/compile/definition.js';
import { kindOf } from '../../src/compile/kinds.js';

function run(files: Record<string, string>) {
  const defs: Definition[] = [];
  const parseErrors: string[] = [];
  for (const [fileName, text] of Object.entries(files)) {
    const { unit, errors } = UnitFile.parse(text, `/q/${fileName}`);
    parseErrors.push(...errors.map((e) => e.message));
    if (errors.length === 0) defs.push({ fileName, kind: kindOf(fileName)!, unit });
  }
  const r = generate(defs, { target: NEWEST_PODMAN, user: false, podman: '/usr/bin/podman' });
  const execStart = (name: string): string | undefined => r.units.find((u) => u.fileName === name)?.text.match(/\nExecStart=(.*)\n/)?.[1];
  return { ...r, parseErrors, execStart, messages: [...r.errors, ...r.warnings].map((e) => e.message).join('\n') };
}

test('a short image name is generated with Quadlet\'s warning that it is not fully qualified', (t) => {
  const r = run({ 'short.container': '[Container]\nImage=shortname\n' });
  t.truthy(r.execStart('short.service'));
  t.regex(r.messages, /Warning: short\.container specifies the image "shortname" which not a fully qualified image name/);
  for (const image of ['docker.io/library/x', 'localhost/x', 'registry:5000/x', 'sha256:abc', 'a'.repeat(64), 'built.build']) {
    t.notRegex(run({ 'ok.container': `[Container]\nImage=${image}\n`, 'built.build': '[Build]\nImageTag=localhost/b\nSetWorkingDirectory=unit\n' }).messages, /fully qualified/, image);
  }
});

test('Mount=type=image without a source is refused in Quadlet\'s words', (t) => {
  const r = run({ 'm.container': '[Container]\nImage=localhost/x\nMount=type=image,destination=/in,ro\n' });
  t.deepEqual(r.units, []);
  t.regex(r.messages, /m\.container:3:1: Mount: source parameter is required for mount type image/);
});

for (const [key, value] of [['Exec', "'test\\.com'"], ['ReloadCmd', "'test\\.sh'"], ['Label', 'regex=^foo(\\?.*)?$']] as const) {
  test(`an unsupported escape in ${key}= leaves that line out with a warning, and the unit is still generated`, (t) => {
    const r = run({ 'e.container': `[Container]\nImage=localhost/imagename\n${key}=${value}\n` });
    t.deepEqual(r.errors, []);
    t.regex(r.execStart('e.service')!, /localhost\/imagename$/);
    t.notRegex(r.units[0]!.text, /ExecReload=/);
    t.regex(r.messages, new RegExp(`e\\.container:3:1: ${key}: unsupported escape char`));
  });
}

test('a dependency on a definition that is not there refuses the unit: "unable to translate dependency"', (t) => {
  const r = run({ 'dep.container': '[Unit]\nAfter=basic.container\nRequires=basic.container\n[Container]\nImage=localhost/x\n' });
  t.deepEqual(r.units, []);
  t.regex(r.messages, /unable to translate dependency for basic\.container/);
});

test('a continuation left open before a blank line at the end loses its line, as in Quadlet (no Image)', (t) => {
  const r = run({ 'emptyline.container': '[Container]\nExec=true \\\n\n# must have a blank line above\n' });
  t.deepEqual(r.units, []);
  t.regex(r.messages, /no Image or Rootfs key specified/);
});
