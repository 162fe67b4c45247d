/**
 * Property test of quoteArgvLiteral() with systemd itself as the oracle: random argvs are written as the
 * ExecStart= lines of one Type=oneshot service, the throwaway system manager runs it, and a dumper script
 * records the argv each line really received. Replay a failure with BERTH_QUOTE_SEED=<seed>; change the
 * number of argvs with BERTH_QUOTE_CASES.
 */
import test from 'ava';
import fs from 'node:fs/promises';
import { quoteArgvLiteral } from '../../src/unit/quote.js';
import { bootSystemdHost } from '../helpers/systemd-host.js';
import { prng, randomArgv, seedFromEnv } from '../helpers/random-argv.js';

const CASES = Number(process.env['BERTH_QUOTE_CASES'] ?? 1000);
const DUMPER = '/usr/local/libexec/berth-argv-dump';
const OUT = '/var/lib/berth-quote/argv.bin';
const UNIT = 'berth-quote.service';

/**
 * Appends one record per run: the argument count, then each argument, all NUL-terminated
 * (argv[0], the script's path, is left out).
 */
const DUMPER_SCRIPT = `#!/bin/sh
{ printf '%d\\0' "$#"; for a in "$@"; do printf '%s\\0' "$a"; done; } >> ${OUT}
`;

/** Splits the dump into argvs (without argv[0]). */
function parseDump(buf: Buffer): string[][] {
  const fields = buf.toString('utf8').split('\0');
  fields.pop(); // after the last NUL
  const records: string[][] = [];
  let i = 0;
  while (i < fields.length) {
    const n = Number(fields[i++]);
    if (!Number.isInteger(n) || n < 0 || i + n > fields.length) throw new Error(`corrupt dump at field ${i - 1}: ${JSON.stringify(fields[i - 1])}`);
    records.push(fields.slice(i, i + n));
    i += n;
  }
  return records;
}

const show = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length} chars)` : v));

test('systemd runs every ExecStart= line written by quoteArgvLiteral with exactly the argv it was written from', async (t) => {
  const seed = seedFromEnv();
  t.log(`quoting: seed ${seed} (replay with BERTH_QUOTE_SEED=${seed})`);
  const rnd = prng(seed);
  // argv[1] is the case's index, so a line systemd drops or splits is found by number.
  const argvs = Array.from({ length: CASES }, (_, i) => [DUMPER, String(i), ...randomArgv(rnd)]);
  const lines = argvs.map((argv) => `ExecStart=${quoteArgvLiteral(argv)}`);
  const unit = [
    '[Unit]',
    'Description=berth quoting oracle',
    '',
    '[Service]',
    'Type=oneshot',
    // Set, so a `$X` or `${X}` that escaped escaping shows up as "EXPANDED" rather than vanishing.
    'Environment=X=EXPANDED "Y=TWO WORDS"',
    'TimeoutStartSec=600',
    ...lines,
    '',
  ].join('\n');

  const host = await bootSystemdHost({ t, files: { [DUMPER]: DUMPER_SCRIPT, [`/etc/systemd/system/${UNIT}`]: unit } });
  await host.runOk(['mkdir', '-p', '/var/lib/berth-quote']);
  const started = Date.now();
  const start = await host.systemctl('start', UNIT);
  const ranMs = Date.now() - started;
  const parseWarnings = (await host.journal())
    .split('\n')
    .filter((l) => l.includes(`/etc/systemd/system/${UNIT}:`)) // "<file>:<line>: <complaint>"
    .slice(0, 20);
  t.is(start.exitCode, 0, `${start.stderr}\n${parseWarnings.join('\n')}\n${await host.journal(UNIT)}`);

  const got = parseDump(await fs.readFile(host.hostPath(OUT)));
  const byIndex = new Map<number, string[][]>();
  for (const rec of got) {
    const i = Number(rec[0]);
    byIndex.set(i, [...(byIndex.get(i) ?? []), rec]);
  }
  const mismatches: string[] = [];
  argvs.forEach((argv, i) => {
    const expected = argv.slice(1);
    const recs = byIndex.get(i) ?? [];
    if (recs.length === 1 && JSON.stringify(recs[0]) === JSON.stringify(expected)) return;
    const fileLine = 7 + i + 1; // 1-based line of this ExecStart= in the unit file
    mismatches.push(
      `case ${i} (unit line ${fileLine}):\n  argv     ${show(expected)}\n  written  ${show(lines[i])}\n  received ${recs.length === 0 ? '(no run: the line was dropped or misnumbered)' : recs.map(show).join(' AND ')}`,
    );
  });
  if (got.length !== argvs.length) mismatches.push(`${got.length} runs recorded for ${argvs.length} ExecStart= lines`);

  t.log(`quoting: ${argvs.length} argvs, ${mismatches.length} mismatches (seed ${seed}; the service ran in ${ranMs} ms)`);
  for (const m of mismatches.slice(0, 10)) t.log(m);
  if (parseWarnings.length) t.log(`systemd said about the unit file:\n${parseWarnings.join('\n')}`);
  t.is(mismatches.length, 0);
  await host.stop();
});
