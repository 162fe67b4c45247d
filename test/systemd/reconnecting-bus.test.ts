import test from 'ava';
import { BusError } from '../../src/errors.js';
import type { Bus } from '../../src/systemd/bus.js';
import { ReconnectingBus } from '../../src/systemd/reconnecting-bus.js';
import { until } from '../agent/harness.js';
import { startPrivateBus } from './private-bus.js';

test('a lost connection is made again and set up again, each one dropped once; stop() says goodbye and closes', async (t) => {
  const bus = await startPrivateBus(t);
  const events: string[] = [];
  const logs: string[] = [];
  let current: Bus | undefined;
  const connection = new ReconnectingBus({ address: bus.address, log: (l) => logs.push(l), maxDelayMs: 100 }, {
    connected: async (b) => {
      current = b;
      events.push('connected');
    },
    dropped: (b) => events.push(b === current ? 'dropped' : 'dropped another'),
  });
  await connection.connect();
  t.is(connection.bus, current);
  for (let i = 0; i < 3; i++) {
    await bus.kill();
    await until(() => connection.bus === undefined, 2000, 'the loss');
    await bus.start();
    await until(() => connection.bus !== undefined, 5000, 'the new connection');
  }
  t.deepEqual(events, ['connected', 'dropped', 'connected', 'dropped', 'connected', 'dropped', 'connected']);
  t.is(logs.filter((l) => /^reconnected after \d+ attempt\(s\)$/.test(l)).length, 3);
  let said = '';
  await connection.stop(async (b) => {
    said = b.uniqueName;
  });
  t.is(said, current!.uniqueName);
  t.true(current!.closed);
  t.is(connection.bus, undefined);
});

test('a refusal while setting up a new connection ends the reconnecting; other failures are tried again', async (t) => {
  const bus = await startPrivateBus(t);
  let attempts = 0;
  const fatal: BusError[] = [];
  const connection = new ReconnectingBus({ address: bus.address, log: () => undefined, maxDelayMs: 50, fatal: (e) => fatal.push(e) }, {
    connected: async () => {
      attempts++;
      if (attempts === 2) throw new BusError('timeout', 'no answer');
      if (attempts === 3) throw new BusError('remote', 'refused', 'org.freedesktop.DBus.Error.AccessDenied');
    },
  });
  t.teardown(() => connection.stop());
  await connection.connect();
  await bus.kill();
  await bus.start();
  await until(() => fatal.length === 1, 5000, 'the refusal');
  await new Promise((r) => setTimeout(r, 300));
  t.is(attempts, 3);
  t.is(fatal[0]!.message, 'refused');
  t.is(connection.bus, undefined);
});
