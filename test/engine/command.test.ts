import test from 'ava';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFailed, mustRun, runAttached, runCommand } from '../../src/engine/command.js';
import { EngineError } from '../../src/errors.js';

test('a command gives its output, its exit status and nothing on stdin', async (t) => {
  const r = await runCommand(['sh', '-c', 'cat; echo out; echo err >&2; exit 3']);
  t.deepEqual(r, { started: true, exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
});

test('a program that cannot start is reported, not thrown', async (t) => {
  const r = await runCommand(['/nonexistent/berth-test-program', '--version']);
  t.is(r.started, false);
  t.is(r.exitCode, -1);
  t.regex(r.stderr, /^cannot run \/nonexistent\/berth-test-program: .*ENOENT/);
});

test('a command that runs past its timeout is killed and says so', async (t) => {
  const t0 = Date.now();
  const r = await runCommand(['sleep', '30'], { timeoutMs: 200 });
  t.like(r, { started: true, exitCode: -1, timedOut: true });
  t.true(Date.now() - t0 < 5_000);
  t.regex(commandFailed(['sleep', '30'], r).message, /^sleep 30 failed \(killed\): killed: it ran past its timeout$/);
});

test('an open file can be the stdin, and env replaces the whole environment', async (t) => {
  const path = join(tmpdir(), `berth-command-${process.pid}`);
  await writeFile(path, 'from the file\n');
  const file = await open(path, 'r');
  t.teardown(() => file.close());
  const r = await runCommand(['/bin/sh', '-c', 'cat; echo "${HOME:-no home} $ONLY"'], { stdin: file.fd, env: { ONLY: 'this' } });
  t.is(r.stdout, 'from the file\nno home this\n');
});

test('mustRun throws an EngineError with argv, exit status and stderr', async (t) => {
  const error = await t.throwsAsync(mustRun(['sh', '-c', 'echo broken >&2; exit 7']), { instanceOf: EngineError });
  t.deepEqual(error?.argv, ['sh', '-c', 'echo broken >&2; exit 7']);
  t.is(error?.exitCode, 7);
  t.is(error?.stderr, 'broken\n');
  t.is(error?.message, 'sh -c echo broken >&2; exit 7 failed (exit 7): broken');
});

test('an attached command returns its exit status, 128 + a signal that ended it, 127 when it cannot start', async (t) => {
  t.is(await runAttached(['sh', '-c', 'exit 4']), 4);
  t.is(await runAttached(['sh', '-c', 'kill -TERM $$']), 128 + 15);
  t.is(await runAttached(['/nonexistent/berth-test-program']), 127);
});
