import test from 'ava';
import { formatTable, stateText } from '../../src/cli/status-table.js';
import type { ContainerStatus } from '../../src/containers/status.js';

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
