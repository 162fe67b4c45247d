import test from 'ava';
import type * as DBus from 'dbus-next';
import { Bus, busAddress, matchRule, MAX_IN_FLIGHT } from '../../src/systemd/bus.js';
import { BusError } from '../../src/errors.js';
import { matchRulesOf, startPrivateBus } from './private-bus.js';

const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };

test('the address is the system bus by default and the user bus with user, each overridable by the environment', (t) => {
  t.is(busAddress({ env: {} }), 'unix:path=/run/dbus/system_bus_socket');
  t.is(busAddress({ env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/x' } }), 'unix:path=/x');
  t.is(busAddress({ user: true, env: { XDG_RUNTIME_DIR: '/run/user/1000' } }), 'unix:path=/run/user/1000/bus');
  t.is(busAddress({ user: true, env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/y', XDG_RUNTIME_DIR: '/run/user/1000' } }), 'unix:path=/y');
  t.is(busAddress({ address: 'unix:path=/z', env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/x' } }), 'unix:path=/z');
});

test('match rules quote their values, a quote inside included', (t) => {
  t.is(matchRule({ type: 'signal', sender: undefined, arg0: "it's" }), "type='signal',arg0='it'\\''s'");
});

test('connecting where no bus is gives an "unavailable" error naming the address, for a missing socket and for a dead one', async (t) => {
  const missing = await t.throwsAsync(Bus.connect({ address: 'unix:path=/nonexistent/berth/bus' }), { instanceOf: BusError });
  t.is(missing.code, 'unavailable');
  t.regex(missing.message, /cannot reach the D-Bus system bus at unix:path=\/nonexistent\/berth\/bus: .*does not exist; is dbus running\?/);

  const bus = await startPrivateBus(t);
  await bus.kill(); // its socket file stays, nobody listens
  const dead = await t.throwsAsync(Bus.connect({ address: bus.address, user: true }), { instanceOf: BusError });
  t.is(dead.code, 'unavailable');
  t.regex(dead.message, /user's D-Bus.*ECONNREFUSED/s);
});

test('a call is answered, and an error reply becomes a "remote" error with its D-Bus name', async (t) => {
  const bus = await startPrivateBus(t);
  const c = await Bus.connect({ address: bus.address });
  t.teardown(() => c.close());
  t.regex(c.uniqueName, /^:1\.\d+$/);
  const [id] = await c.call({ ...DBUS, member: 'GetId' });
  t.regex(String(id), /^[0-9a-f]{32}$/);
  const err = await t.throwsAsync(c.call({ destination: 'org.example.Nobody', path: '/', interface: 'org.example.X', member: 'Y' }), { instanceOf: BusError });
  t.is(err.code, 'remote');
  t.is(err.remoteName, 'org.freedesktop.DBus.Error.ServiceUnknown');
});

test('a call that gets no reply times out and leaves nothing of itself behind', async (t) => {
  const bus = await startPrivateBus(t);
  const server = await Bus.connect({ address: bus.address, serve: true });
  const client = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  server.raw.addMethodHandler((msg: DBus.Message) => msg.member === 'Never'); // "handled", never answered
  const started = Date.now();
  const err = await t.throwsAsync(client.call({ destination: server.uniqueName, path: '/', interface: 'org.example.Test', member: 'Never' }, { timeoutMs: 200 }), { instanceOf: BusError });
  t.is(err.code, 'timeout');
  t.true(Date.now() - started >= 190);
  t.is(client.pendingCalls, 0);
});

test('calls pending when the bus dies are rejected as "disconnected", and the disconnect listener runs once', async (t) => {
  const bus = await startPrivateBus(t);
  const server = await Bus.connect({ address: bus.address, serve: true });
  const client = await Bus.connect({ address: bus.address });
  server.raw.addMethodHandler((msg: DBus.Message) => msg.member === 'Never');
  let disconnects = 0;
  client.onDisconnect(() => disconnects++);
  const pending = client.call({ destination: server.uniqueName, path: '/', interface: 'org.example.Test', member: 'Never' }, { timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 50));
  await bus.kill();
  const err = await t.throwsAsync(pending, { instanceOf: BusError });
  t.is(err.code, 'disconnected');
  await new Promise((r) => setTimeout(r, 50));
  t.is(disconnects, 1);
  t.true(client.closed);
  const after = await t.throwsAsync(client.call({ ...DBUS, member: 'GetId' }), { instanceOf: BusError });
  t.is(after.code, 'disconnected');
  await client.close();
  await server.close();
});

test('match rules are counted: the bus sees one per distinct rule, removing the last use removes it, close() removes the rest', async (t) => {
  const bus = await startPrivateBus(t);
  const observer = await Bus.connect({ address: bus.address });
  const c = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await c.close();
    await observer.close();
  });
  const a = matchRule({ type: 'signal', interface: 'org.example.A' });
  const b = matchRule({ type: 'signal', interface: 'org.example.B' });
  await c.addMatch(a);
  await c.addMatch(a);
  await c.addMatch(b);
  t.is(await matchRulesOf(observer, c.uniqueName), 2);
  await c.removeMatch(a);
  t.is(await matchRulesOf(observer, c.uniqueName), 2);
  await c.removeMatch(a);
  t.is(await matchRulesOf(observer, c.uniqueName), 1);
  await c.removeMatch(a); // not held any more: nothing happens
  t.deepEqual(c.matchRules(), [b]);
  // close() removes what is left before it disconnects (observed through a rule the bus counts in total).
  const [before] = await observer.call({ ...DBUS, interface: 'org.freedesktop.DBus.Debug.Stats', member: 'GetStats' });
  t.is(Number((before as Record<string, { value: unknown }>)['MatchRules']!.value), 1);
  await c.close();
  t.deepEqual(c.matchRules(), []);
});

test('more calls than may be in flight at once all get their answers', async (t) => {
  const bus = await startPrivateBus(t);
  const c = await Bus.connect({ address: bus.address });
  t.teardown(() => c.close());
  const answers = await Promise.all(Array.from({ length: MAX_IN_FLIGHT * 5 }, () => c.call({ ...DBUS, member: 'GetId' })));
  t.is(new Set(answers.map((a) => String(a[0]))).size, 1);
});

test('a name requested while connecting goes out with Hello and is owned once connected', async (t) => {
  const bus = await startPrivateBus(t);
  let reply: Promise<number> | undefined;
  const c = await Bus.connect({ address: bus.address, prepare: (raw) => (reply = raw.requestName('org.example.Early', 4)) });
  t.teardown(() => c.close());
  t.is(await reply, 1);
  t.is(await c.nameOwner('org.example.Early'), c.uniqueName);
  t.is(await c.nameOwner('org.example.Nobody'), undefined);
});

test('signals reach subscribers with their body, and a throwing subscriber does not stop the others', async (t) => {
  const bus = await startPrivateBus(t);
  const sender = await Bus.connect({ address: bus.address });
  const c = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await c.close();
    await sender.close();
  });
  await c.addMatch(matchRule({ type: 'signal', interface: 'org.example.S' }));
  const got: unknown[][] = [];
  c.onSignal(() => {
    throw new Error('careless subscriber');
  });
  const done = new Promise<void>((resolve) => c.onSignal((s) => {
    if (s.interface !== 'org.example.S') return;
    got.push(s.body);
    if (got.length === 2) resolve();
  }));
  sender.emitSignal('/x', 'org.example.S', 'Ping', 'su', ['a', 1]);
  sender.emitSignal('/x', 'org.example.S', 'Ping', 'su', ['b', 2]);
  await done;
  t.deepEqual(got, [['a', 1], ['b', 2]]);
});
