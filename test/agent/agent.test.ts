import test from 'ava';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { Agent } from '../../src/agent/agent.js';
import { CheckpointStore } from '../../src/checkpoint/store.js';
import { BusError } from '../../src/errors.js';
import { runGenerate } from '../../src/cli/generate-command.js';
import { runList } from '../../src/cli/list-command.js';
import { NOT_GENERATED, type DefinitionRow } from '../../src/definitions/listing.js';
import { FakeSystemd } from '../systemd/fake-systemd.js';
import { matchRulesOf } from '../systemd/private-bus.js';
import { fields, tempDir, writeExport } from '../checkpoint/fixtures.js';
import { agentSignals, call, CONTAINER, property, startAgent, until, unwrapAll } from './harness.js';

const WITH_CHECKPOINT = (dir: string) => `${CONTAINER}[Checkpoint]\nOnCalendar=hourly\nDirectory=${dir}\n`;

test('the agent owns io.berth.Manager1 and serves Version, Containers and GetContainer from systemd', async (t) => {
  const { client } = await startAgent(t, { 'web.container': `${CONTAINER}HealthCmd=true\n`, 'db.container': CONTAINER, 'tpl@.container': CONTAINER }, {}, (fake) => {
    fake.define('web.service', { active: 'active', sub: 'running', unit: { ActiveEnterTimestamp: 1_700_000_000_000_000n }, service: { MainPID: 77, NRestarts: 2 } });
  });
  t.is(await property(client, 'Version'), '9.9.9');
  t.is(await property(client, 'Scheduler'), 'systemd');
  const containers = (await property(client, 'Containers')) as unknown[][];
  // The template is not a unit of its own; db is defined but systemd does not know it.
  t.deepEqual(containers.map((c) => c.slice(0, 9)), [
    ['db', 'db.service', 'not-found', 'inactive', 'dead', '', 0, 0n, 0],
    ['web', 'web.service', 'loaded', 'active', 'running', 'success', 77, 1_700_000_000_000_000n, 2],
  ]);
  t.deepEqual((await call(client, 'ListContainers'))[0], containers);
  const web = unwrapAll((await call(client, 'GetContainer', 's', ['web']))[0]);
  t.like(web, { Name: 'web', Unit: 'web.service', Container: 'systemd-web', ActiveState: 'active', MainPID: 77, NRestarts: 2, HasCheckpoints: false });
  t.regex(String(web['Definition']), /web\.container$/);
  t.is(web['Health'], 'unknown'); // podman is /bin/false here: the check exists, its state is unknown
});

test('a state change in systemd reaches clients as ContainerStateChanged, with Containers and Definitions invalidated, within a second', async (t) => {
  const { client, fake } = await startAgent(t, { 'web.container': CONTAINER }, {}, (f) => f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } }));
  const signals = await agentSignals(client);
  const sent = Date.now();
  fake.set('web.service', 'deactivating', 'stop-sigterm');
  fake.set('web.service', 'inactive', 'dead', { MainPID: 0 });
  const stopped = await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[1] === 'inactive'), 1000, 'the stop signal');
  t.true(Date.now() - sent < 1000);
  t.deepEqual(stopped.body, ['web', 'inactive', 'dead', 'success', 0]);
  t.true(signals.some((s) => s.member === 'ContainerStateChanged' && s.body[1] === 'deactivating'));
  const invalidation = signals.find((s) => s.member === 'PropertiesChanged');
  t.deepEqual(invalidation?.body.slice(0, 3), ['io.berth.Manager1', {}, ['Containers', 'Definitions']]);
  const [web] = (await property(client, 'Containers')) as unknown[][];
  t.deepEqual(web!.slice(3, 7), ['inactive', 'dead', 'success', 0]);
});

test('a unit systemd drops from memory is reported stopped, not forgotten; after a daemon-reload the definitions are read again', async (t) => {
  const { client, fake, dir } = await startAgent(t, { 'web.container': CONTAINER, 'db.container': CONTAINER }, {}, (f) => {
    f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } });
    f.define('db.service');
  });
  const signals = await agentSignals(client);
  fake.remove('web.service');
  await until(() => signals.find((s) => s.member === 'ContainerStateChanged'), 1000, 'the removal');
  let names = ((await property(client, 'Containers')) as unknown[][]).map((c) => `${c[0]} ${c[3]}`);
  t.deepEqual(names, ['db inactive', 'web inactive']);

  rmSync(join(dir, 'db.container'));
  writeFileSync(join(dir, 'cache.container'), CONTAINER);
  fake.define('cache.service', { active: 'active', sub: 'running', service: { MainPID: 5 } });
  fake.reload();
  names = await until(async () => {
    const now = ((await property(client, 'Containers')) as unknown[][]).map((c) => `${c[0]} ${c[3]}`);
    return now.includes('cache active') ? now : undefined;
  }, 2000, 'the reload');
  t.deepEqual(names, ['cache active', 'web inactive']);
});

test('a second agent cannot take the name, and says who has it', async (t) => {
  const { bus, env } = await startAgent(t, { 'web.container': CONTAINER });
  const second = new Agent({ version: '1', address: bus.address, scheduler: 'systemd', env, log: () => undefined });
  const err = await t.throwsAsync(second.start(), { instanceOf: BusError });
  t.regex(err.message, /io\.berth\.Manager1 is owned by another process/);
});

test('after the bus is killed and started again the agent owns its name again, serves, and follows systemd once it is back', async (t) => {
  const { bus, client, logs, agent, env } = await startAgent(t, { 'web.container': CONTAINER }, {}, (f) => f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } }));
  t.is(await property(client, 'Version'), '9.9.9');
  await bus.kill();
  await until(() => logs.some((l) => /lost the bus/.test(l)), 2000, 'the agent to notice');
  await bus.start();
  await until(() => agent.serving, 5000, 'the agent to reconnect');
  // systemd comes back after the agent, with web stopped meanwhile.
  const fake = await FakeSystemd.start(bus.address);
  t.teardown(() => fake.close());
  fake.define('web.service', { unit: { InactiveEnterTimestamp: 1_000_000n } });
  const client2 = await (await import('../../src/systemd/bus.js')).Bus.connect({ address: bus.address });
  t.teardown(() => client2.close());
  await until(() => fake.subscribers.size === 1, 3000, 'the agent to subscribe again');
  const web = await until(async () => {
    const [c] = (await property(client2, 'Containers')) as unknown[][];
    return c![3] === 'inactive' ? c : undefined;
  }, 2000, 'the fresh state');
  t.deepEqual(web.slice(0, 5), ['web', 'web.service', 'loaded', 'inactive', 'dead']);
  // The same agent, still relaying.
  const signals = await agentSignals(client2);
  fake.set('web.service', 'active', 'running', { MainPID: 99 });
  await until(() => signals.find((s) => s.member === 'ContainerStateChanged' && s.body[4] === 99), 1000, 'the relayed start');
  t.true(logs.some((l) => /reconnected after \d+ attempt/.test(l)));
  void env;
  void client;
});

test.serial('a flood of signals about other units is ignored and causes no reads', async (t) => {
  const { client, fake } = await startAgent(t, { 'web.container': CONTAINER }, {}, (f) => f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } }));
  const gets = fake.calls.get('Get') ?? 0;
  const lists = fake.calls.get('ListUnitsByNames') ?? 0;
  fake.flood(20_000);
  fake.set('web.service', 'inactive', 'dead', { MainPID: 0 });
  const web = await until(async () => {
    const [c] = (await property(client, 'Containers')) as unknown[][];
    return c![3] === 'inactive' ? c : undefined;
  }, 10_000, 'the change behind the flood');
  t.deepEqual(web.slice(3, 7), ['inactive', 'dead', 'success', 0]);
  t.is(fake.calls.get('Get') ?? 0, gets);
  t.is(fake.calls.get('ListUnitsByNames') ?? 0, lists);
});

test("unknown containers and containers without [Checkpoint] are refused with berth's error names", async (t) => {
  const { client } = await startAgent(t, { 'web.container': CONTAINER });
  for (const [member, signature, body, error] of [
    ['GetContainer', 's', ['nope'], 'NoSuchContainer'],
    ['Checkpoint', 's', ['web'], 'NoCheckpointSection'],
    ['ListCheckpoints', 's', ['web'], 'NoCheckpointSection'],
    ['Restore', 'ss', ['web', ''], 'NoCheckpointSection'],
  ] as const) {
    const err = await t.throwsAsync(call(client, member, signature, [...body]), { instanceOf: BusError });
    t.is(err.remoteName, `io.berth.Manager1.Error.${error}`, member);
  }
});

test('in cron mode a Restore without a usable archive fails before touching the container, and says why', async (t) => {
  const archives = await tempDir(t);
  // A name of its own: a restore takes the container's lock (in /run/berth/locks), which the cron test's
  // runs of "web" hold at times.
  const { client } = await startAgent(t, { 'lonely.container': `${CONTAINER}[Checkpoint]\nDirectory=${archives}\n` }, { scheduler: 'cron' });
  const none = await t.throwsAsync(call(client, 'Restore', 'ss', ['lonely', '']), { instanceOf: BusError });
  t.is(none.remoteName, 'io.berth.Manager1.Error.Failed');
  t.regex(none.message, new RegExp(`: no valid archive of lonely in ${archives}/lonely$`));
  const elsewhere = await t.throwsAsync(call(client, 'Restore', 'ss', ['lonely', '/tmp/other.tar']), { instanceOf: BusError });
  t.regex(elsewhere.message, new RegExp(`: /tmp/other\\.tar is not an archive of lonely in ${archives}/lonely$`));
});

test('ListCheckpoints lists archives newest first with their validity, and GetContainer shows the newest and the next run', async (t) => {
  const archives = await tempDir(t);
  const store = new CheckpointStore(archives, 'web');
  for (const day of [1, 2]) {
    const pending = await store.prepare('none', new Date(Date.UTC(2025, 2, day, 10)));
    await writeExport(pending.tmpPath, 'none');
    await pending.commit(fields());
  }
  writeFileSync(join(archives, 'web', 'web-20250303T100000000Z.tar'), 'no manifest');
  const next = 1_900_000_000_000_000n;
  const { client } = await startAgent(t, { 'web.container': WITH_CHECKPOINT(archives) }, {}, (f) => {
    f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } });
    f.define('web-checkpoint.timer', { active: 'active', sub: 'waiting', timer: { NextElapseUSecRealtime: next, LastTriggerUSec: 1_800_000_000_000_000n } });
  });
  const [list] = (await call(client, 'ListCheckpoints', 's', ['web'])) as [unknown[][]];
  t.deepEqual(list.map((a) => [String(a[3]).replace(/.*\//, ''), a[2]]), [
    ['web-20250303T100000000Z.tar', false],
    ['web-20250302T100000000Z.tar', true],
    ['web-20250301T100000000Z.tar', true],
  ]);
  const web = unwrapAll((await call(client, 'GetContainer', 's', ['web']))[0]);
  t.like(web, { HasCheckpoints: true, LastCheckpointValid: false, NextCheckpoint: next, LastTrigger: 1_800_000_000_000_000n, CheckpointTimer: 'web-checkpoint.timer' });
  t.regex(String(web['LastCheckpointPath']), /web-20250303T100000000Z\.tar$/);
  t.like(web, { LastCheckpointResult: 'it has no manifest: the checkpoint did not complete', LastCheckpointFreezeUSec: 0n });
});

test('without systemd the agent runs the [Checkpoint] schedules itself and reports each run', async (t) => {
  const archives = await tempDir(t);
  const { client } = await startAgent(t, { 'web.container': `${CONTAINER}[Checkpoint]\nCron=* * * * * *\nDirectory=${archives}\n` }, { scheduler: 'cron' });
  t.is(await property(client, 'Scheduler'), 'cron');
  const signals = await agentSignals(client);
  const web = unwrapAll((await call(client, 'GetContainer', 's', ['web']))[0]);
  const next = Number(web['NextCheckpoint']) / 1000;
  t.true(next > Date.now() - 1000 && next <= Date.now() + 1000, `next run at ${new Date(next).toISOString()}`);
  // podman is /bin/false here: the run fails, and says so (inspect fails too, so the export's own failure is told).
  // A run that finds the one before it still going (one a second, on a busy machine) is refused as such.
  const finished = await until(() => signals.find((s) => s.member === 'CheckpointFinished' && !/^another checkpoint of web is running/.test(String(s.body[3]))), 5000, 'a scheduled run');
  t.deepEqual(finished.body.slice(0, 3), ['web', false, '']);
  t.regex(String(finished.body[3]), /^\/bin\/false container checkpoint --export \S+ --compress zstd --print-stats --leave-running systemd-web failed \(exit 1\)$/);
});

test('when systemd leaves the bus and comes back the agent subscribes again, relays each change once, and holds no extra match rule', async (t) => {
  const { bus, client, fake, logs } = await startAgent(t, { 'web.container': CONTAINER }, {}, (f) => f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } }));
  const agentName = (await client.nameOwner('io.berth.Manager1'))!;
  t.is(await matchRulesOf(client, agentName), 3); // systemd's name, its units' PropertiesChanged, its manager signals
  await fake.close();
  await until(() => logs.some((l) => /systemd left the bus/.test(l)), 2000, 'the agent to notice');
  const back = await FakeSystemd.start(bus.address);
  t.teardown(() => back.close());
  back.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } });
  await until(() => back.subscribers.size === 1, 3000, 'a new subscription');
  await until(() => logs.filter((l) => /following systemd/.test(l)).length === 2, 3000, 'the agent to follow the new systemd');
  await until(async () => (await matchRulesOf(client, agentName)) === 3, 2000, 'the rules to settle');
  const signals = await agentSignals(client);
  back.set('web.service', 'inactive', 'dead', { MainPID: 0 });
  await until(() => signals.some((s) => s.member === 'ContainerStateChanged'), 2000, 'the relayed stop');
  await new Promise((r) => setTimeout(r, 200));
  // Once each: systemd's (here the fake's) Service change (MainPID 0), then its Unit change.
  t.deepEqual(signals.filter((s) => s.member === 'ContainerStateChanged').map((s) => s.body), [
    ['web', 'active', 'running', 'success', 0],
    ['web', 'inactive', 'dead', 'success', 0],
  ]);
});

test.serial("Definitions and ListDefinitions show what berth list shows, and follow the generator's record and the units' states", async (t) => {
  const runtime = await tempDir(t);
  const generated = join(runtime, 'systemd/generator');
  mkdirSync(join(generated, 'berth'), { recursive: true });
  const { bus, client, fake, env, dir } = await startAgent(
    t,
    { 'web.container': CONTAINER, 'bad.container': `${CONTAINER}PublishPorts=8080:80\n` },
    { user: true, env: { XDG_RUNTIME_DIR: runtime, BERTH_PODMAN_VERSION: '4.3.1' } },
    (f) => f.define('web.service', { active: 'active', sub: 'running', service: { MainPID: 10 } }),
  );
  const list = async () => JSON.parse(String((await call(client, 'ListDefinitions'))[0])) as DefinitionRow[];
  // No record yet: the generator has not run since bad.container came.
  t.like((await list())[0], { name: 'bad.container', state: 'not loaded', reason: NOT_GENERATED });

  const signals = await agentSignals(client);
  t.is(await runGenerate([generated], { user: true, kmsgLog: false }, { ...env, XDG_RUNTIME_DIR: runtime }), 1);
  await until(() => signals.find((s) => s.member === 'PropertiesChanged' && (s.body[2] as string[]).includes('Definitions')), 3000, 'Definitions to be invalidated');
  const reason = `${dir}/bad.container:4:1: PublishPorts: unknown key in [Container]`;
  t.deepEqual(await property(client, 'Definitions'), [
    ['bad.container', 'container', `${dir}/bad.container`, 'bad.service', 'not loaded', reason],
    ['web.container', 'container', `${dir}/web.container`, 'web.service', 'active', ''],
  ]);
  const rows = await list();
  t.like(rows[0], { load: 'not-found', problems: [{ severity: 'error', line: 4, column: 1, key: 'PublishPorts' }] });

  // The same as berth list --json, run against the same bus.
  let printed = '';
  const out = new Writable({ write: (chunk, _enc, done) => void ((printed += String(chunk)), done()) });
  t.is(await runList({ json: true, user: true, address: bus.address }, out, { ...env, XDG_RUNTIME_DIR: runtime }), 0);
  t.deepEqual(JSON.parse(printed), rows);

  // A state change reaches the property from systemd's signal, without asking systemd again.
  const lists = fake.calls.get('ListUnitsByNames') ?? 0;
  fake.set('web.service', 'inactive', 'dead', { MainPID: 0 });
  await until(async () => ((await property(client, 'Definitions')) as string[][])[1]![4] === 'inactive', 3000, 'web.service to be inactive');
  t.is(fake.calls.get('ListUnitsByNames') ?? 0, lists);
});
