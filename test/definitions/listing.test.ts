import test from 'ava';
import { definitionFiles, listRows, NOT_GENERATED, NOT_LOADED, unitsToAsk, type DefinitionFile, type UnitState } from '../../src/definitions/listing.js';
import type { LastRun, RecordedDefinition } from '../../src/generator/last-run.js';
import { UnitFile } from '../../src/unit/unit-file.js';

const file = (name: string, kind: string, unit: string | null): DefinitionFile => ({ name, kind, source: `/defs/${name}`, unit, quadlet: null });
const recorded = (name: string, d: Partial<RecordedDefinition> = {}): RecordedDefinition => ({ source: `/defs/${name}`, kind: 'container', units: [], refused: false, problems: [], ...d });
const run = (definitions: RecordedDefinition[]): LastRun => ({ version: 1, time: '2026-12-07T03:00:00.000Z', podman: '4.3.1', scope: 'system', definitions, other: [], omitted: { definitions: 0, problems: 0 } });
const loaded: UnitState = { load: 'loaded', active: 'active', sub: 'running' };

test('every definition file is listed by name with its main unit; a template without an instance has none, and files that could not be read are listed too', (t) => {
  const def = (fileName: string, kind: string, text: string) => ({ fileName, kind, unit: UnitFile.parse(text, `/defs/${fileName}`).unit });
  const files = definitionFiles({
    definitions: [def('web.container', 'container', '[Container]\nImage=x\n'), def('data.volume', 'volume', '[Volume]\n'), def('named.container', 'container', '[Container]\nServiceName=other\n'), def('tpl@.container', 'container', '[Container]\n')],
    refused: [{ fileName: 'broken.network', kind: 'network', path: '/defs/broken.network' }],
  });
  t.deepEqual(files, [
    file('broken.network', 'network', 'broken-network.service'),
    file('data.volume', 'volume', 'data-volume.service'),
    file('named.container', 'container', 'other.service'),
    file('tpl@.container', 'container', null),
    file('web.container', 'container', 'web.service'),
  ]);
  // Where podman's Quadlet makes the same unit from a file of its own, that file is named.
  const shared = definitionFiles({ definitions: [def('web.container', 'container', '[Container]\nImage=x\n')], refused: [] }, new Map([['/defs/web.container', '/etc/containers/systemd/web.container']]));
  t.is(shared[0]!.quadlet, '/etc/containers/systemd/web.container');
  // systemd refuses the whole call for one name it cannot take: templates and invalid names are not asked.
  t.deepEqual(unitsToAsk([...files, file('odd.container', 'container', 'a b.service')]), ['broken-network.service', 'data-volume.service', 'other.service', 'web.service']);
});

test("a loaded unit has systemd's state; a refused definition is not loaded, with the generator's first error and how many more", (t) => {
  const files = [file('web.container', 'container', 'web.service'), file('bad.container', 'container', 'bad.service'), file('off.container', 'container', 'off.service')];
  const problems = [
    { severity: 'warning', file: '/defs/bad.container', line: 2, message: 'a warning first' },
    { severity: 'error', file: '/defs/bad.container', line: 3, column: 1, key: 'PublishPorts', message: 'unknown key in [Container]' },
    { severity: 'error', file: '/defs/bad.container', line: 4, column: 1, key: 'Foo', message: 'unknown key in [Container]' },
  ] as const;
  const states = new Map<string, UnitState>([
    ['web.service', loaded],
    ['bad.service', { load: 'not-found', active: 'inactive', sub: 'dead' }],
    ['off.service', { load: 'loaded', active: 'failed', sub: 'failed' }],
  ]);
  const rows = listRows(files, run([recorded('web.container'), recorded('bad.container', { refused: true, problems: [...problems], more: 2 }), recorded('off.container')]), states);
  t.like(rows[0], { name: 'web.container', state: 'active', load: 'loaded', sub: 'running', reason: null, problems: [] });
  t.like(rows[1], { state: NOT_LOADED, load: 'not-found', reason: '/defs/bad.container:3:1: PublishPorts: unknown key in [Container] (and 3 more)' });
  t.deepEqual(rows[1]!.problems, problems);
  t.like(rows[2], { state: 'failed', reason: null });
});

test('a unit systemd has not found is "not generated yet" when the record lacks its definition or is missing, and other load states are shown as they are', (t) => {
  const files = [file('new.container', 'container', 'new.service'), file('masked.container', 'container', 'masked.service'), file('tpl@.container', 'container', null)];
  const states = new Map<string, UnitState>([
    ['new.service', { load: 'not-found', active: 'inactive', sub: 'dead' }],
    ['masked.service', { load: 'masked', active: 'inactive', sub: 'dead' }],
  ]);
  for (const record of [undefined, run([])]) {
    const rows = listRows(files, record, states);
    t.like(rows[0], { state: NOT_LOADED, reason: NOT_GENERATED });
    t.like(rows[1], { state: 'masked', reason: null });
    t.like(rows[2], { state: 'template', load: null });
  }
});

test('without systemd to ask, only what the record says is known', (t) => {
  const files = [file('web.container', 'container', 'web.service'), file('bad.container', 'container', 'bad.service')];
  const rows = listRows(files, run([recorded('web.container'), recorded('bad.container', { refused: true })]), undefined);
  t.like(rows[0], { state: 'unknown', load: null });
  t.like(rows[1], { state: NOT_LOADED, reason: 'the generator wrote no unit for it (see its log)' });
});
