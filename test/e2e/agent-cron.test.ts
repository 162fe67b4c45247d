/**
 * The agent in cron mode (no systemd runs the units) with the real podman and CRIU of this machine, which
 * has no systemd as PID 1: the container runs under plain `podman run -d`, the agent serves a private bus,
 * takes checkpoints on its [Checkpoint] schedule and on request, and restores with podman alone.
 */
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { Agent } from '../../src/agent/agent.js';
import { CheckpointStore } from '../../src/checkpoint/store.js';
import { Podman } from '../../src/engine/podman.js';
import { Bus } from '../../src/systemd/bus.js';
import { agentSignals, call, until, unwrapAll } from '../agent/harness.js';
import { tempDir } from '../checkpoint/fixtures.js';
import { definitionsDir } from '../containers/fixtures.js';
import { startPrivateBus } from '../systemd/private-bus.js';

const podman = new Podman();
/** Counts seconds into /tmp/n (a tmpfs): a restore brings back the count of the checkpoint's moment. */
const COUNTER = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 1; done'];

async function runContainer(t: ExecutionContext): Promise<string> {
  const name = `berth-cron-${randomBytes(3).toString('hex')}`;
  t.teardown(() => podman.remove(name));
  await podman.run(['run', '-d', '--name', name, '--tmpfs', '/tmp', 'localhost/busybox:latest', ...COUNTER]);
  await until(async () => (await count(name)) >= 2, 10_000, `${name} to count`);
  return name;
}

async function count(name: string): Promise<number> {
  return Number((await podman.run(['exec', name, 'cat', '/tmp/n'])).stdout.trim() || 0);
}

async function cronAgent(t: ExecutionContext, name: string, checkpoint: string) {
  const bus = await startPrivateBus(t);
  const archives = await tempDir(t);
  const dir = definitionsDir(t, { 'counter.container': `[Container]\nImage=localhost/busybox:latest\nContainerName=${name}\n[Checkpoint]\nDirectory=${archives}\n${checkpoint}` });
  const logs: string[] = [];
  const agent = new Agent({ version: '1', address: bus.address, scheduler: 'cron', env: { ...process.env, BERTH_UNIT_DIRS: dir }, log: (l) => logs.push(l) });
  await agent.start();
  const client = await Bus.connect({ address: bus.address });
  t.teardown(async () => {
    await client.close();
    await agent.stop();
  });
  return { client, archives, logs, signals: await agentSignals(client) };
}

test.serial('in cron mode a scheduled run takes a real checkpoint, reports it, and the container keeps running', async (t) => {
  const name = await runContainer(t);
  const { archives, signals, client } = await cronAgent(t, name, 'Cron=*/2 * * * * *\nKeep=2\n');
  const finished = await until(() => signals.find((s) => s.member === 'CheckpointFinished'), 60_000, 'a scheduled checkpoint');
  t.deepEqual(finished.body.slice(0, 2), ['counter', true]);
  t.is(finished.body[3], '');
  const [newest] = await new CheckpointStore(archives, 'counter').list({ verify: true });
  t.is(newest?.path, finished.body[2] as string);
  t.is(newest?.valid, true);
  t.is(newest?.manifest?.container, name);
  t.like(unwrapAll((await call(client, 'GetContainer', 's', ['counter']))[0]), { LoadState: 'podman', ActiveState: 'active', SubState: 'running', LastCheckpointPath: newest!.path, LastCheckpointValid: true });
  t.is((await podman.inspect(name))?.running, true);
});

test.serial('in cron mode Restore replaces the running container with the archive, under the same name, with podman alone', async (t) => {
  const name = await runContainer(t);
  const { client, archives, signals } = await cronAgent(t, name, 'Keep=3\n');
  const [taken] = (await call(client, 'Checkpoint', 's', ['counter'], 120_000)) as [string];
  const atCheckpoint = await count(name);
  t.regex(taken, new RegExp(`^${archives}/counter/counter-\\d{8}T\\d{9}Z\\.tar\\.zst$`));
  await until(() => signals.find((s) => s.member === 'CheckpointFinished'), 2000, 'CheckpointFinished');
  t.deepEqual(signals.find((s) => s.member === 'CheckpointFinished')!.body, ['counter', true, taken, '']);

  await until(async () => (await count(name)) >= atCheckpoint + 4, 20_000, 'the count to move on');
  const before = await podman.inspect(name);
  const servedBefore = unwrapAll((await call(client, 'GetContainer', 's', ['counter']))[0]);
  t.like(servedBefore, { ActiveState: 'active', SubState: 'running' });
  const [restored] = (await call(client, 'Restore', 'ss', ['counter', ''], 120_000)) as [string];
  t.is(restored, taken);
  const after = await podman.inspect(name);
  t.is(after?.running, true);
  t.is(after?.id, before?.id, 'the archive brings back the same container');
  t.not(after?.conmonPid, before?.conmonPid, 'a new conmon: the container was replaced');
  // The count went back to where the checkpoint left it (plus the seconds since the restore).
  const now = await count(name);
  t.true(now >= atCheckpoint - 1 && now <= atCheckpoint + 3, `count ${now} after the restore, ${atCheckpoint} at the checkpoint`);
  // The agent reads podman again after a restore: the restored container's process, running.
  const served = await until(async () => {
    const c = unwrapAll((await call(client, 'GetContainer', 's', ['counter']))[0]);
    return c['MainPID'] !== servedBefore['MainPID'] ? c : undefined;
  }, 5000, 'the agent to see the restored container');
  t.like(served, { ActiveState: 'active', SubState: 'running' });
});
