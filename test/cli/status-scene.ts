/**
 * The scene of the `berth status` tests: three definitions (web with a [Checkpoint] timer, db, and gone,
 * which systemd does not know) on BERTH_UNIT_DIRS, a private bus with a fake systemd that has web running
 * and db failed, and output streams to read back.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FakeSystemd } from '../systemd/fake-systemd.js';
import { startPrivateBus } from '../systemd/private-bus.js';

const CONTAINER = '[Container]\nImage=localhost/busybox:latest\nExec=sleep 1000\n';

/** Writes the definitions before this file's tests (and removes them after); returns the archive folder. */
export function useDefinitions(): { archives: string } {
  const defs = mkdtempSync(join(tmpdir(), 'berth-status-defs-'));
  const archives = mkdtempSync(join(tmpdir(), 'berth-status-archives-'));
  test.before(() => {
    writeFileSync(join(defs, 'web.container'), `${CONTAINER}[Checkpoint]\nOnCalendar=hourly\nDirectory=${archives}\n`);
    writeFileSync(join(defs, 'db.container'), CONTAINER);
    writeFileSync(join(defs, 'gone.container'), CONTAINER);
    process.env['BERTH_UNIT_DIRS'] = defs;
    process.env['PODMAN'] = '/bin/false';
  });
  test.after.always(() => {
    rmSync(defs, { recursive: true, force: true });
    rmSync(archives, { recursive: true, force: true });
  });
  return { archives };
}

export function io(stopped?: Promise<void>) {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  let errors = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  err.on('data', (b: Buffer) => (errors += b.toString()));
  return { io: { out, err, ...(stopped ? { stopped } : {}) }, text: () => text, errors: () => errors };
}

/** web running, db failed, web's checkpoint timer waiting, as a fake systemd on `address` has them. */
export async function fakeSystemd(t: ExecutionContext, address: string): Promise<FakeSystemd> {
  const fake = await FakeSystemd.start(address);
  t.teardown(() => fake.close());
  fake.define('web.service', { active: 'active', sub: 'running', unit: { ActiveEnterTimestamp: 1_700_000_000_000_000n }, service: { MainPID: 321, NRestarts: 1 } });
  fake.define('db.service', { active: 'failed', sub: 'failed', unit: { InactiveEnterTimestamp: 1_700_000_100_000_000n }, service: { Result: 'exit-code' } });
  fake.define('web-checkpoint.timer', { active: 'active', sub: 'waiting', timer: { NextElapseUSecRealtime: 1_900_000_000_000_000n } });
  return fake;
}

export async function scene(t: ExecutionContext) {
  const bus = await startPrivateBus(t);
  return { bus, fake: await fakeSystemd(t, bus.address) };
}
