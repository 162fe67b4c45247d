import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEWEST_PODMAN } from '../../src/compile/version.js';
import { DefinitionError } from '../../src/errors.js';
import { generate } from '../../src/generator/generate.js';
import {
  LAST_RUN_VERSION, MAX_DEFINITIONS, MAX_MESSAGE, MAX_PER_DEFINITION, MAX_PROBLEMS, parseLastRun, recordRun, serializeLastRun, type RunFacts,
} from '../../src/generator/last-run.js';
import { loadDefinitions } from '../../src/generator/load.js';

const TIME = new Date('2026-12-07T03:00:00Z');

/** What a generator run over these files finds, as generate-command.ts hands it to recordRun. */
function runOver(t: { teardown(fn: () => void): void }, files: Record<string, string>): { facts: RunFacts; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-record-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const loaded = loadDefinitions([dir]);
  const units = new Map<string, string[]>();
  const result = generate(loaded.definitions, {
    target: NEWEST_PODMAN, user: false, podman: '/usr/bin/podman',
    emit: (u) => void units.set(u.source, [...(units.get(u.source) ?? []), u.fileName]),
  });
  const facts = {
    time: TIME, podman: '6.0.0', user: false, definitions: loaded.definitions, refused: loaded.refused,
    errors: [...loaded.errors, ...result.errors], warnings: [...loaded.warnings, ...result.warnings], units,
  };
  return { facts, dir };
}

test("the record names each refused definition's kind, units and problems with file, line, column and key, and leaves out those without problems", (t) => {
  const { facts, dir } = runOver(t, {
    'good.container': '[Container]\nImage=localhost/busybox\n[Checkpoint]\nOnCalendar=daily\n',
    'unknown.container': '[Container]\nImage=localhost/busybox\nPublishPorts=8080:80\n',
    'syntax.volume': '[Volume]\nno key here\n',
    'dropin.container': '[Container]\nImage=localhost/busybox\n',
    'dropin.container.d/10-bad.conf': '[Container]\nbroken line\n',
    'needs.container': '[Container]\nImage=localhost/busybox\nNetwork=missing.network\n',
    'missing.network': '[Network]\nNoSuchKey=1\n',
  });
  const run = recordRun(facts);
  t.like(run, { version: LAST_RUN_VERSION, time: TIME.toISOString(), podman: '6.0.0', scope: 'system', other: [], omitted: { definitions: 0, problems: 0 } });
  const by = Object.fromEntries(run.definitions.map((d) => [d.source.slice(d.source.lastIndexOf('/') + 1), d]));
  t.deepEqual(Object.keys(by).sort(), ['dropin.container', 'missing.network', 'needs.container', 'syntax.volume', 'unknown.container']);
  t.deepEqual(by['unknown.container']!.problems, [
    { severity: 'error', file: join(dir, 'unknown.container'), line: 3, column: 1, key: 'PublishPorts', message: 'unknown key in [Container]' },
  ]);
  t.like(by['unknown.container'], { refused: true, units: ['unknown.service'] });
  // A file that does not parse is refused under the name its file gives its unit.
  t.like(by['syntax.volume'], { kind: 'volume', units: ['syntax-volume.service'], refused: true });
  t.is(by['syntax.volume']!.problems[0]!.line, 2);
  // A broken drop-in refuses its definition, and its problem is filed under it, at the drop-in's line.
  t.like(by['dropin.container'], { refused: true, problems: [{ severity: 'error', file: join(dir, 'dropin.container.d/10-bad.conf'), line: 2 }] });
  // A definition refused for one it needs says so at its own line.
  t.like(by['needs.container'], { refused: true, problems: [{ line: 3, key: 'Network' }] });
  t.regex(by['needs.container']!.problems[0]!.message, /missing\.network, which was refused/);
});

test('a hostile tree of broken files makes a bounded record, with what was left out counted', (t) => {
  const n = 20_000;
  const refused = Array.from({ length: n }, (_, i) => ({ fileName: `bad${i}.container`, kind: 'container', path: `/defs/bad${i}.container` }));
  const long = 'x'.repeat(100_000);
  const errors = refused.flatMap((f) => Array.from({ length: 3 }, (_, l) => new DefinitionError({ file: f.path, line: l + 1, key: long }, long)));
  const folders = Array.from({ length: 50 }, (_, i) => new DefinitionError({ file: `/defs/folder${i}`, line: 0 }, 'folder skipped: EACCES'));
  const started = process.hrtime.bigint();
  const text = serializeLastRun(recordRun({ time: TIME, podman: '4.3.1', user: true, definitions: [], refused, errors, warnings: folders, units: new Map() }));
  t.log(`${Number(process.hrtime.bigint() - started) / 1e6} ms, ${text.length} bytes`);
  t.true(text.length < 4 * 1024 * 1024, `${text.length} bytes`);
  const run = parseLastRun(text)!;
  t.is(run.scope, 'user');
  t.is(run.definitions.length, MAX_DEFINITIONS);
  const problems = run.definitions.flatMap((d) => d.problems);
  t.is(problems.length, MAX_PROBLEMS);
  t.true(problems.every((p) => p.message.length <= MAX_MESSAGE && (p.key?.length ?? 0) <= MAX_MESSAGE));
  t.true(run.definitions.every((d) => d.problems.length <= MAX_PER_DEFINITION && d.refused));
  // The first files keep their reasons; later ones say how many problems were left out.
  t.is(run.definitions[0]!.problems.length, 3);
  t.is(run.definitions[MAX_DEFINITIONS - 1]!.more, 3);
  t.deepEqual(run.omitted, { definitions: n - MAX_DEFINITIONS, problems: 50 });
  t.deepEqual(run.other, []);
});

test('parsing refuses what is not a record and keeps only the fields of the expected types', (t) => {
  const good = recordRun({ time: TIME, podman: '4.3.1', user: false, definitions: [], refused: [{ fileName: 'a.container', kind: 'container', path: '/d/a.container' }], errors: [new DefinitionError({ file: '/d/a.container', line: 2, column: 1, key: 'K' }, 'bad')], warnings: [], units: new Map() });
  t.deepEqual(parseLastRun(serializeLastRun(good)), good);
  for (const text of ['', 'null', '[]', '{"version":2}', JSON.stringify({ ...good, version: 99 }), JSON.stringify({ ...good, time: 'yesterday' }), JSON.stringify({ ...good, podman: 4 })]) {
    t.is(parseLastRun(text), undefined, text);
  }
  const hostile = {
    ...good,
    extra: 'ignored',
    definitions: [
      'not an object',
      { source: 1, kind: 'container', refused: true },
      { source: '/d/b.container', kind: 'container', refused: 'yes' },
      { source: '/d/c.container', kind: 'container', refused: false, units: ['c.service', 7], problems: [{ severity: 'fatal', file: 'f', line: 1, message: 'm' }, { severity: 'warning', file: 'f', line: -1, message: 'm' }, { severity: 'warning', file: 'f', line: 1, column: 'x', message: 'm', more: 1 }], more: -3 },
    ],
    other: { not: 'a list' },
    omitted: { definitions: 'many' },
  };
  t.deepEqual(parseLastRun(JSON.stringify(hostile)), {
    ...good,
    definitions: [{ source: '/d/c.container', kind: 'container', refused: false, units: ['c.service'], problems: [{ severity: 'warning', file: 'f', line: 1, message: 'm' }] }],
    other: [],
    omitted: { definitions: 0, problems: 0 },
  });
});

test('a definition that compiled is in the record only with a warning, with its units and not refused', (t) => {
  const { facts, dir } = runOver(t, { 'good.container': '[Container]\nImage=localhost/busybox\n', 'quiet.container': '[Container]\nImage=localhost/busybox\n' });
  const warning = new DefinitionError({ file: join(dir, 'good.container'), line: 2, key: 'Image' }, 'a warning');
  const run = recordRun({ ...facts, warnings: [warning] });
  t.deepEqual(run.definitions, [
    { source: join(dir, 'good.container'), kind: 'container', units: ['good.service'], refused: false, problems: [{ severity: 'warning', file: join(dir, 'good.container'), line: 2, key: 'Image', message: 'a warning' }] },
  ]);
});
