/**
 * What a checkpoint costs the running service and what a restore buys at start, on a real systemd system
 * manager (the test harness's: systemd-nspawn, with podman, runc and CRIU inside):
 *
 * - downtime: how long CRIU kept the container frozen while `berth checkpoint` dumped it with
 *   LeaveRunning=yes (CRIU's frozen_time, from podman --print-stats in the archive's manifest);
 * - time to serving: from `systemctl start web.service` to the first HTTP answer on its published port,
 *   restoring from the newest archive (RestoreOnStart=latest) against a cold start (no archive).
 *
 *   npm run bench:restore [-- --rounds N] [--mib N]
 *
 * The container holds --mib MiB (default 256) of incompressible memory (as bench/checkpoint.ts's does), a
 * counter in memory and a file in its tmpfs, and serves a read-only bind-mounted folder with busybox httpd
 * on 8081→80. Each timing runs inside the host, so that polling costs no process start from outside. The
 * first line printed is the ratio line: restore's median time to serving over a cold start's.
 */
import { bootSystemdHost, type SystemdHost } from '../test/helpers/systemd-host.js';
import { loadNote, median, parseFlags, REPO } from './common.js';

const MiB = 1024 * 1024;
const STORE = '/var/lib/berth/checkpoints/web';

function definition(bytes: number): string {
  // /tmp/full says the memory is all there (head has written it into the pipe tail reads).
  const hold = `{ head -c ${bytes} /dev/urandom; touch /tmp/full; exec sleep 1d; } | tail -c ${bytes + MiB} > /dev/null &`;
  const counter = 'i=0; while true; do i=$$((i+1)); echo $$i > /tmp/counter; sleep 1; done &';
  return `[Container]
Image=localhost/busybox:latest
ContainerName=web
Exec=sh -c 'trap "exit 0" TERM; ${hold} ${counter} echo kept > /tmp/marker; httpd -f -p 80 -h /www & wait'
PublishPort=8081:80
Volume=/srv/www:/www:ro
Tmpfs=/tmp
[Checkpoint]
OnCalendar=*-01-01 04:00:00
RestoreOnStart=latest
Keep=2
`;
}

/** Milliseconds from `systemctl start` to the first HTTP answer, timed inside the host. */
async function toServing(host: SystemdHost): Promise<number> {
  const script =
    'start=$(date +%s%N); systemctl start web.service || exit 1; ' +
    'until busybox wget -q -O /dev/null http://127.0.0.1:8081/; do sleep 0.02; done; ' +
    'echo $(( ($(date +%s%N) - start) / 1000000 ))';
  return Number(await host.runOk(['/bin/sh', '-c', script], { timeoutMs: 120_000 }));
}

async function stop(host: SystemdHost): Promise<void> {
  await host.runOk(['systemctl', 'stop', 'web.service'], { timeoutMs: 120_000 });
}

/** CRIU's frozen time of the newest archive, in milliseconds. */
async function frozenMs(host: SystemdHost): Promise<number> {
  const newest = (await host.runOk(['/bin/sh', '-c', `ls -t ${STORE}/*.json | head -1`])).trim();
  const manifest = JSON.parse(await host.readFile(newest)) as { stats?: { container_statistics?: { criu_statistics?: { frozen_time?: number } }[] } };
  const frozen = manifest.stats?.container_statistics?.[0]?.criu_statistics?.frozen_time;
  if (typeof frozen !== 'number') throw new Error(`${newest} records no frozen time: ${JSON.stringify(manifest.stats).slice(0, 300)}`);
  return frozen / 1000;
}

async function main(): Promise<void> {
  const opts = parseFlags(process.argv.slice(2), { rounds: 3, mib: 256 });
  if (!(opts.rounds >= 1) || !(opts.mib >= 1)) throw new Error('--rounds and --mib must be at least 1');
  process.stderr.write('booting a systemd host…\n');
  const host = await bootSystemdHost({
    files: { '/etc/berth/definitions/web.container': definition(opts.mib * MiB), '/srv/www/index.html': 'hello\n' },
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`, '/usr/bin/berth': `${REPO}dist/berth.mjs` },
  });
  try {
    const cold: number[] = [];
    const restored: number[] = [];
    const frozen: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      await host.runOk(['rm', '-rf', STORE]);
      cold.push(await toServing(host));
      // The memory is filled in the background: checkpoint once it is all there.
      await host.runOk(['/bin/sh', '-c', 'until podman exec web test -e /tmp/full; do sleep 0.2; done'], { timeoutMs: 120_000 });
      // systemd-run looks a command up on this machine's PATH, where berth is not installed: through sh.
      await host.runOk(['/bin/sh', '-c', 'berth checkpoint web'], { timeoutMs: 300_000 });
      frozen.push(await frozenMs(host));
      await stop(host);
      restored.push(await toServing(host));
      const marker = (await host.runOk(['podman', 'exec', 'web', 'cat', '/tmp/marker'])).trim();
      if (marker !== 'kept') throw new Error(`the restore did not bring back the tmpfs: /tmp/marker is "${marker}"`);
      await stop(host);
      process.stderr.write(`round ${round + 1}: cold start ${cold[round]} ms, restore ${restored[round]} ms, frozen ${frozen[round]!.toFixed(0)} ms\n`);
    }
    const c = median(cold);
    const r = median(restored);
    process.stdout.write(
      [
        `restore: systemctl start to serving, restore ${r} ms / cold start ${c} ms = ${(r / c).toFixed(2)}; checkpoint downtime (CRIU frozen, LeaveRunning=yes, ${opts.mib} MiB) ${median(frozen).toFixed(0)} ms`,
        `rounds: cold start ${cold.join(', ')} ms; restore ${restored.join(', ')} ms; frozen ${frozen.map((f) => f.toFixed(0)).join(', ')} ms; ${loadNote()}`,
      ].join('\n') + '\n',
    );
  } finally {
    await host.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
