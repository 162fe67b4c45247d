import test from 'ava';
import { LiveContainers, sinceOf, type StateKey } from '../../src/containers/live-containers.js';
import type { ContainerEntry } from '../../src/containers/inventory.js';
import type { ServiceStatus } from '../../src/systemd/properties.js';

const entry = (name: string, timer = false): ContainerEntry => ({
  name, unit: `${name}.service`, definition: `/d/${name}.container`, container: `systemd-${name}`, healthCheck: false, cron: [], onCalendar: [],
  ...(timer ? { timer: `${name}-checkpoint.timer` } : {}),
});
const status = (name: string, active: string, sub: string, mainPid = 0): ServiceStatus => ({
  unit: `${name}.service`, path: '', loadState: 'loaded', activeState: active, subState: sub, result: 'success', mainPid, restarts: 0, since: new Date(1000),
});

function live() {
  const changes: Array<[string, StateKey, string]> = [];
  const m = new LiveContainers((c, before) => changes.push([c.entry.name, before, `${c.service.active}/${c.service.sub}/${c.service.mainPid}`]));
  return { m, changes };
}

test('the first read reports nothing; later reads report what changed, appeared or went', (t) => {
  const { m, changes } = live();
  m.replace([entry('web'), entry('db')], [status('web', 'active', 'running', 5), status('db', 'inactive', 'dead')], new Map());
  t.deepEqual(changes, []);
  m.replace([entry('web'), entry('new')], [status('web', 'active', 'running', 5), status('new', 'active', 'running', 6)], new Map());
  t.deepEqual(changes.map((c) => [c[0], c[2]]), [['new', 'active/running/6'], ['db', 'inactive/dead/0']]);
});

test('PropertiesChanged updates state, main PID and since; a change of state is reported once', (t) => {
  const { m, changes } = live();
  m.replace([entry('web', true)], [status('web', 'active', 'running', 5)], new Map());
  t.true(m.apply('web.service', 'org.freedesktop.systemd1.Unit', { ActiveState: 'deactivating', SubState: 'stop-sigterm', ActiveExitTimestamp: 2_000_000n }, []));
  t.true(m.apply('web.service', 'org.freedesktop.systemd1.Service', { MainPID: 0, NRestarts: 1 }, []));
  t.true(m.apply('web.service', 'org.freedesktop.systemd1.Unit', { ActiveState: 'inactive', SubState: 'dead', InactiveEnterTimestamp: 3_000_000n }, []));
  t.deepEqual(changes.map((c) => c[2]), ['deactivating/stop-sigterm/5', 'deactivating/stop-sigterm/0', 'inactive/dead/0']);
  const web = m.get('web')!;
  t.deepEqual(sinceOf(web.service), new Date(3000));
  t.is(web.service.restarts, 1);
  t.is(m.stale.size, 0);
  // Timers change next and last run; other units are not ours.
  t.true(m.apply('web-checkpoint.timer', 'org.freedesktop.systemd1.Timer', { NextElapseUSecRealtime: 9_000_000n }, []));
  t.deepEqual(m.get('web')!.timer?.nextElapse, new Date(9000));
  t.false(m.apply('other.service', 'org.freedesktop.systemd1.Unit', { ActiveState: 'active' }, []));
});

test('values systemd only invalidates mark the unit for a re-read, which clears the mark', (t) => {
  const { m } = live();
  m.replace([entry('web')], [status('web', 'active', 'running', 5)], new Map());
  m.apply('web.service', 'org.freedesktop.systemd1.Service', {}, ['MainPID']);
  t.deepEqual([...m.stale], ['web.service']);
  m.update(status('web', 'active', 'running', 8));
  t.deepEqual([...m.stale], []);
  t.is(m.get('web')!.service.mainPid, 8);
});

test('a unit systemd unloads is stopped, and says what a fresh load of it says: no restarts, no times, a timer never triggered', (t) => {
  const { m, changes } = live();
  m.replace([entry('web', true)], [{ ...status('web', 'active', 'running', 5), restarts: 3 }], new Map([['web-checkpoint.timer', {
    unit: 'web-checkpoint.timer', path: '', loadState: 'loaded', activeState: 'active', subState: 'waiting', nextElapse: new Date(9000), lastTrigger: new Date(8000),
  }]]));
  m.removed('web.service');
  m.removed('web-checkpoint.timer');
  t.deepEqual(changes.map((c) => c[2]), ['inactive/dead/0']);
  const web = m.get('web')!;
  t.like(web.service, { load: 'loaded', result: 'success', restarts: 0 });
  t.is(sinceOf(web.service), null);
  t.deepEqual(web.timer, { load: 'loaded', active: 'inactive', nextElapse: null, lastTrigger: null });
  m.removed('web.service');
  t.is(changes.length, 1);
});

test('a re-read that signals overtook keeps what the signals said; a new container signalled meanwhile is read again', (t) => {
  const { m, changes } = live();
  m.replace([entry('web')], [status('web', 'active', 'running', 5)], new Map());
  // The read went out; meanwhile web stopped (signal applied); the read answers with what it saw before.
  m.apply('web.service', 'org.freedesktop.systemd1.Unit', { ActiveState: 'inactive', SubState: 'dead', InactiveEnterTimestamp: 4_000_000n }, []);
  m.replace([entry('web'), entry('new')], [status('web', 'active', 'running', 5), status('new', 'active', 'running', 6)], new Map(), new Set(['web.service', 'new.service']));
  t.is(m.get('web')!.service.active, 'inactive');
  t.deepEqual(changes.map((c) => [c[0], c[2]]), [['web', 'inactive/dead/5'], ['new', 'active/running/6']]);
  t.deepEqual([...m.stale], ['new.service']);
});
