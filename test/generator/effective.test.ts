import test from 'ava';
import { effectiveDefinition, formatEffective } from '../../src/generator/effective.js';
import { UnitFile } from '../../src/unit/unit-file.js';
import type { Definition } from '../../src/compile/definition.js';

/** A definition with drop-ins merged as the loader merges them. */
function merged(main: string, dropins: Record<string, string>): Definition {
  const unit = UnitFile.parse(main, '/d/web.container').unit;
  for (const [path, text] of Object.entries(dropins)) unit.merge(UnitFile.parse(text, path).unit);
  return { fileName: 'web.container', kind: 'container', unit };
}

test('drop-ins merge as berth reads them: list keys append, an empty assignment resets, a single-valued key counts at its last line; each line keeps its file and line', (t) => {
  const def = merged('[Container]\nImage=a\nPublishPort=1:1\nPublishPort=2:2\nLabel=x=1\nPull=always\n[Install]\nWantedBy=multi-user.target\n', {
    '/d/web.container.d/10-a.conf': '[Container]\nPublishPort=\nPublishPort=3:3\nPull=never\nLabel=y=2\n[Service]\nRestart=always\n',
    '/d/container.d/20-b.conf': '[Container]\nEnvironment=A=1\nEnvironment=\n[Install]\nWantedBy=other.target\n',
  });
  const sections = effectiveDefinition(def);
  const flat = sections.map((s) => [s.name, s.entries.map((e) => `${e.key}=${e.value} @${e.file}:${e.line}`)]);
  t.deepEqual(flat, [
    ['Container', [
      'Image=a @/d/web.container:2',
      'Label=x=1 @/d/web.container:5',
      'PublishPort=3:3 @/d/web.container.d/10-a.conf:3',
      'Pull=never @/d/web.container.d/10-a.conf:4',
      'Label=y=2 @/d/web.container.d/10-a.conf:5',
      'Environment= @/d/container.d/20-b.conf:3',
    ]],
    ['Install', ['WantedBy=multi-user.target @/d/web.container:8', 'WantedBy=other.target @/d/container.d/20-b.conf:5']],
    ['Service', ['Restart=always @/d/web.container.d/10-a.conf:7']],
  ]);
  const text = formatEffective(def, sections, ['/d/web.container.d/10-a.conf', '/d/container.d/20-b.conf']);
  t.true(text.startsWith('# /d/web.container with 2 drop-in(s) merged, as berth reads it'));
  t.regex(text, /\[Container\]\n# \/d\/web\.container:2\nImage=a\n# \/d\/web\.container:5\nLabel=x=1\n/);
  // The text reads back as the same entries (comments are not values).
  const back = UnitFile.parse(text, 'x').unit;
  t.deepEqual(back.entries('Container').map((e) => `${e.key}=${e.value}`), sections[0]!.entries.map((e) => `${e.key}=${e.value}`));
});

test('[Checkpoint] keys count at their last assignment, but its schedules add up', (t) => {
  const def = merged('[Container]\nImage=a\n[Checkpoint]\nKeep=3\nOnCalendar=daily\n', { '/d/x.conf': '[Checkpoint]\nKeep=5\nCron=0 * * * *\nOnCalendar=weekly\n' });
  const checkpoint = effectiveDefinition(def).find((s) => s.name === 'Checkpoint')!;
  t.deepEqual(checkpoint.entries.map((e) => `${e.key}=${e.value}`), ['OnCalendar=daily', 'Keep=5', 'Cron=0 * * * *', 'OnCalendar=weekly']);
});
