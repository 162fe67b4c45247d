import test from 'ava';
import {
  serviceStatus,
  servicePropertyPlan,
  sinceProperty,
  timerStatus,
  unitNameOfPath,
  unitObjectPath,
  USEC_INFINITY,
  usecToDate,
} from '../../src/systemd/properties.js';

test('unit object paths escape every byte but letters and non-leading digits, as systemd does, and decode back', (t) => {
  const cases: Array<[string, string]> = [
    ['dbus.service', '/org/freedesktop/systemd1/unit/dbus_2eservice'],
    ['systemd-logind.service', '/org/freedesktop/systemd1/unit/systemd_2dlogind_2eservice'],
    ['web@1.service', '/org/freedesktop/systemd1/unit/web_401_2eservice'],
    ['0day.service', '/org/freedesktop/systemd1/unit/_30day_2eservice'],
    ['web-checkpoint.timer', '/org/freedesktop/systemd1/unit/web_2dcheckpoint_2etimer'],
    ['ü.service', '/org/freedesktop/systemd1/unit/_c3_bc_2eservice'],
  ];
  for (const [unit, path] of cases) {
    t.is(unitObjectPath(unit), path, unit);
    t.is(unitNameOfPath(path), unit, path);
  }
  t.is(unitNameOfPath('/org/freedesktop/systemd1/job/12'), undefined);
});

test('timestamps in µs become Dates, and 0 and infinity mean never', (t) => {
  t.is(usecToDate(0n), null);
  t.is(usecToDate(USEC_INFINITY), null);
  t.is(usecToDate(undefined), null);
  t.deepEqual(usecToDate(1_700_000_000_123_456n), new Date(1_700_000_000_123));
  t.deepEqual(usecToDate({ signature: 't', value: 1_700_000_000_000_000n }), new Date(1_700_000_000_000));
});

test('since is the timestamp of entering the current active state, as systemctl status shows it', (t) => {
  t.is(sinceProperty('active'), 'ActiveEnterTimestamp');
  t.is(sinceProperty('reloading'), 'ActiveEnterTimestamp');
  t.is(sinceProperty('inactive'), 'InactiveEnterTimestamp');
  t.is(sinceProperty('failed'), 'InactiveEnterTimestamp');
  t.is(sinceProperty('activating'), 'InactiveExitTimestamp');
  t.is(sinceProperty('deactivating'), 'ActiveExitTimestamp');
});

test('only the properties a state leaves open are read: no main PID for a dead service, its Result only when it failed or is changing', (t) => {
  t.deepEqual(servicePropertyPlan('active'), { unit: ['ActiveEnterTimestamp'], service: ['MainPID', 'NRestarts'] });
  t.deepEqual(servicePropertyPlan('inactive'), { unit: ['InactiveEnterTimestamp'], service: ['NRestarts'] });
  t.deepEqual(servicePropertyPlan('failed'), { unit: ['InactiveEnterTimestamp'], service: ['NRestarts', 'Result'] });
  t.deepEqual(servicePropertyPlan('deactivating'), { unit: ['ActiveExitTimestamp'], service: ['MainPID', 'NRestarts', 'Result'] });
});

test('a status fills what was not read from the state: success and no PID for a known unit, nothing for an unknown one', (t) => {
  const row = { name: 'web.service', path: '/p', loadState: 'loaded', activeState: 'inactive', subState: 'dead' };
  t.deepEqual(serviceStatus(row, { InactiveEnterTimestamp: 1_000_000n, NRestarts: 2 }), {
    unit: 'web.service', path: '/p', loadState: 'loaded', activeState: 'inactive', subState: 'dead',
    result: 'success', mainPid: 0, restarts: 2, since: new Date(1000),
  });
  const unknown = serviceStatus({ ...row, loadState: 'not-found' }, {});
  t.is(unknown.result, '');
  t.is(unknown.since, null);
  const timer = timerStatus({ ...row, name: 'web-checkpoint.timer', activeState: 'active', subState: 'waiting' }, { NextElapseUSecRealtime: 5_000_000n, LastTriggerUSec: 0n });
  t.deepEqual([timer.nextElapse, timer.lastTrigger], [new Date(5000), null]);
});
