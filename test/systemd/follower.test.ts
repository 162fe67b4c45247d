import test from 'ava';
import { Bus } from '../../src/systemd/bus.js';
import { SystemdFollower } from '../../src/systemd/follower.js';
import { until } from '../agent/harness.js';
import { FakeSystemd } from './fake-systemd.js';
import { matchRulesOf, startPrivateBus } from './private-bus.js';

test('a follower attaches when systemd is on the bus and each time it comes back, relays its signals, and leaves no rule or subscription behind', async (t) => {
  const bus = await startPrivateBus(t);
  const connection = await Bus.connect({ address: bus.address });
  const observer = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await connection.close();
    await observer.close();
  });
  const logs: string[] = [];
  const seen: string[] = [];
  const follower = new SystemdFollower(connection, { user: false, log: (l) => logs.push(l) }, {
    attached: async (manager) => {
      seen.push(`attached ${(await manager.readService('web.service')).activeState}`);
    },
    unitChanged: (unit, iface, changed) => {
      if (iface.endsWith('.Unit')) seen.push(`${unit} ${String(changed['ActiveState'])}`);
    },
  });
  await follower.start();
  t.deepEqual(logs, ['org.freedesktop.systemd1 is not on the bus yet; waiting for it']);
  t.is(follower.manager, undefined);

  const first = await FakeSystemd.start(bus.address);
  first.define('web.service', { active: 'active', sub: 'running' });
  await until(() => first.subscribers.size === 1 && seen.length === 1, 3000, 'the first attach');
  first.set('web.service', 'inactive', 'dead');
  await until(() => seen.length === 2, 3000, 'the relayed stop');
  await first.close();
  await until(() => logs.includes('systemd left the bus'), 3000, 'the departure');
  t.is(follower.manager, undefined);

  const second = await FakeSystemd.start(bus.address);
  t.teardown(() => second.close());
  second.define('web.service', { active: 'active', sub: 'running' });
  await until(() => second.subscribers.size === 1 && seen.length === 3, 3000, 'the second attach');
  t.deepEqual(seen, ['attached active', 'web.service inactive', 'attached active']);
  t.is(await matchRulesOf(observer, connection.uniqueName), 3);

  await follower.close();
  t.is(second.subscribers.size, 0);
  t.is(await matchRulesOf(observer, connection.uniqueName), 0);
});
