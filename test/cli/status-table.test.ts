import test from 'ava';
import { formatTable, stateText } from '../../src/cli/status-table.js';
import { withRefusals, type ContainerStatus } from '../../src/containers/status.js';
import type { LastRun } from '../../src/generator/last-run.js';

test('state text and table cells for the states systemd has', (t) => {
  const row = (over: Partial<ContainerStatus>): ContainerStatus => ({
    name: 'x', unit: 'x.service', definition: '', container: null, load: 'loaded', active: 'active', sub: 'running', result: 'success',
    mainPid: 0, since: null, restarts: 0, health: null, checkpoint: null, ...over,
  });
  t.is(stateText(row({})), 'active (running)');
  t.is(stateText(row({ load: 'not-found' })), 'not loaded');
  t.is(stateText(row({ load: 'masked', active: 'inactive' })), 'masked (inactive)');
  t.is(stateText(row({ active: 'failed', sub: 'failed', result: 'timeout' })), 'failed (failed): timeout');
  const table = formatTable([row({ health: 'healthy', checkpoint: { directory: '/c', last: { at: new Date(0).toISOString(), size: 3 * 1024 * 1024, valid: false, path: '/c/x' }, next: null, lastTrigger: null, timer: 'x-checkpoint.timer', timerState: 'inactive' } })]);
  t.regex(table, /healthy +\S+ \S+ 3\.0M INVALID +- \(timer inactive\)\n$/);
});

test("a container the generator refused shows why under its row, and withRefusals finds why in the generator's record", (t) => {
  const row = (name: string, load: string): ContainerStatus => ({
    name, unit: `${name}.service`, definition: `/defs/${name}.container`, container: null, load, active: 'inactive', sub: 'dead', result: 'success',
    mainPid: 0, since: null, restarts: 0, health: null, checkpoint: null,
  });
  const run: LastRun = {
    version: 1, time: new Date(0).toISOString(), podman: '4.3.1', scope: 'system', other: [], omitted: { definitions: 0, problems: 0 },
    definitions: ['bad', 'ok'].map((n) => ({
      source: `/defs/${n}.container`, kind: 'container', units: [`${n}.service`], refused: true,
      problems: [{ severity: 'error' as const, file: `/defs/${n}.container`, line: 3, column: 1, key: 'PublishPorts', message: 'unknown key in [Container]' }],
    })),
  };
  // A unit systemd has loaded is not called refused, whatever an older record says.
  const rows = withRefusals([row('bad', 'not-found'), row('ok', 'loaded'), row('new', 'not-found')], run);
  t.is(rows[0]!.refused, '/defs/bad.container:3:1: PublishPorts: unknown key in [Container]');
  t.false('refused' in rows[1]!);
  t.false('refused' in rows[2]!);
  t.deepEqual(withRefusals(rows, undefined), rows);
  t.regex(formatTable(rows), /\nbad +not loaded +- .*\n  \/defs\/bad\.container:3:1: PublishPorts: unknown key in \[Container\]\nok +inactive \(dead\)/);
});
