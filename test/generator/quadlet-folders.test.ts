import test from 'ava';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Definition } from '../../src/compile/definition.js';
import { kindOf } from '../../src/compile/kinds.js';
import {
  lookGenerator, podmanQuadletRuns, probePodmanGenerator, quadletOverlaps, type GeneratorState,
} from '../../src/generator/quadlet-folders.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const host = (files: Record<string, GeneratorState>) => (path: string): GeneratorState => files[path] ?? 'absent';

test("podman's Quadlet runs when systemd would run its generator link", (t) => {
  const none = probePodmanGenerator('system', host({}));
  t.deepEqual(none, { scope: 'system', state: 'absent' });
  t.false(podmanQuadletRuns(none));

  const rpm = probePodmanGenerator('system', host({ '/usr/lib/systemd/system-generators/podman-system-generator': 'present' }));
  t.is(rpm.path, '/usr/lib/systemd/system-generators/podman-system-generator');
  t.true(podmanQuadletRuns(rpm));

  const user = probePodmanGenerator('user', host({ '/usr/lib/systemd/user-generators/podman-user-generator': 'present' }));
  t.true(podmanQuadletRuns(user));
  t.false(podmanQuadletRuns(probePodmanGenerator('user', host({ '/usr/lib/systemd/system-generators/podman-system-generator': 'present' }))));
});

test('a mask in an earlier generator folder hides the link, as systemd reads them; a dangling link runs nothing', (t) => {
  const masked = probePodmanGenerator('system', host({
    '/etc/systemd/system-generators/podman-system-generator': 'masked',
    '/usr/lib/systemd/system-generators/podman-system-generator': 'present',
  }));
  t.is(masked.path, '/etc/systemd/system-generators/podman-system-generator');
  t.false(podmanQuadletRuns(masked));
  t.false(podmanQuadletRuns(probePodmanGenerator('system', host({ '/usr/lib/systemd/system-generators/podman-system-generator': 'broken' }))));
});

test('the probe costs one look per generator folder at most', (t) => {
  const looked: string[] = [];
  probePodmanGenerator('system', (p) => (looked.push(p), 'absent'));
  t.true(looked.length <= 5);
  looked.length = 0;
  probePodmanGenerator('system', (p) => (looked.push(p), 'present'));
  t.is(looked.length, 1);
});

test('lookGenerator tells a program, a /dev/null mask, an empty file, a dangling link and nothing apart', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-gen-'));
  writeFileSync(join(dir, 'prog'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'empty'), '');
  symlinkSync('/dev/null', join(dir, 'mask'));
  symlinkSync(join(dir, 'prog'), join(dir, 'link'));
  symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
  t.is(lookGenerator(join(dir, 'prog')), 'present');
  t.is(lookGenerator(join(dir, 'link')), 'present');
  t.is(lookGenerator(join(dir, 'mask')), 'masked');
  t.is(lookGenerator(join(dir, 'empty')), 'masked');
  t.is(lookGenerator(join(dir, 'dangling')), 'broken');
  t.is(lookGenerator(join(dir, 'nothing')), 'absent');
});

const def = (path: string, text = '[Container]\nImage=x\n'): Definition => {
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  return { fileName, kind: kindOf(fileName)!, unit: UnitFile.parse(text, path).unit };
};

test('an overlap is one unit name both would write, ServiceName= counted, with its two paths', (t) => {
  const berth = [
    def('/etc/berth/definitions/web.container'),
    def('/etc/berth/definitions/db.container'),
    def('/etc/berth/definitions/data.volume', '[Volume]\n'),
    def('/etc/berth/definitions/api.container', '[Container]\nImage=x\nServiceName=backend\n'),
  ];
  const quadlet = [
    def('/etc/containers/systemd/web.container'),
    def('/etc/containers/systemd/data.container'), // data.service, not data-volume.service
    def('/etc/containers/systemd/backend.container'),
    def('/usr/share/containers/systemd/web.container'), // hidden by /etc's in Quadlet's own order
  ];
  t.deepEqual(quadletOverlaps(berth, quadlet), [
    { unit: 'web.service', berth: '/etc/berth/definitions/web.container', quadlet: '/etc/containers/systemd/web.container' },
    { unit: 'backend.service', berth: '/etc/berth/definitions/api.container', quadlet: '/etc/containers/systemd/backend.container' },
  ]);
  t.deepEqual(quadletOverlaps(berth, []), []);
});
