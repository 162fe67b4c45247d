/**
 * A systemd test host (test/helpers/systemd-host.ts) for the checkpoint tests: berth installed as the
 * system generator and as /usr/bin/berth (which the units call), container definitions in
 * /etc/berth/definitions, and helpers that act on the host this file booted (one per test file: ava runs
 * each file in a process of its own).
 */
import type { ExecutionContext } from 'ava';
import { bootSystemdHost, requireSystemdHarness, type RunResult, type SystemdHost } from '../helpers/systemd-host.js';
import { RECORD_FILE } from '../../src/checkpoint/record.js';

const REPO = new URL('../../../', import.meta.url).pathname;
export const DEFS = '/etc/berth/definitions';
export const STORE = '/var/lib/berth/checkpoints';

/** A counter in memory and in the container's tmpfs (it goes on after a restore, restarts at 1 when fresh). */
export const COUNTER = 'i=0; while true; do i=$$((i+1)); echo $$i > /tmp/counter; sleep 1; done &';

/**
 * The issue's web server: busybox httpd on a published port serving a read-only bind-mounted folder, with
 * the counter in memory and a tmpfs, checkpointed at stop and restored at start; `install` starts it at boot.
 */
export function webServer(name: string, port: number, www: string, install = false): string {
  return `[Container]
Image=localhost/busybox:latest
ContainerName=${name}
Exec=sh -c 'trap "exit 0" TERM; ${COUNTER} httpd -f -p 80 -h /www & wait'
PublishPort=${port}:80
Volume=${www}:/www:ro
Tmpfs=/tmp
[Checkpoint]
OnStop=yes
RestoreOnStart=latest
${install ? '[Install]\nWantedBy=multi-user.target\n' : ''}`;
}

let host: SystemdHost;

/** Boots the host with these definitions (by name, without .container) and more files. */
export async function bootCheckpointHost(definitions: Record<string, string>, files: Record<string, string> = {}): Promise<SystemdHost> {
  requireSystemdHarness();
  host = await bootSystemdHost({
    files: { ...Object.fromEntries(Object.entries(definitions).map(([name, text]) => [`${DEFS}/${name}.container`, text])), ...files },
    symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${REPO}dist/berth-generator.cjs`, '/usr/bin/berth': `${REPO}dist/src/cli/main.js` },
  });
  return host;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs a shell command inside; returns exit code and output. */
export function run(cmd: string): Promise<RunResult> {
  return host.run(['/bin/sh', '-c', cmd]);
}

/** Runs a shell command inside; throws unless it exits 0; returns stdout, trimmed. */
export async function sh(cmd: string): Promise<string> {
  return (await host.runOk(['/bin/sh', '-c', cmd])).trim();
}

export async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const r = await f();
  return [r, Date.now() - t0];
}

/** systemctl show -p …, as a record. */
export async function show(unit: string, ...props: string[]): Promise<Record<string, string>> {
  const r = await host.systemctl('show', unit, '-p', props.join(','));
  return Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

export async function isActive(unit: string): Promise<string> {
  return (await host.systemctl('is-active', unit)).stdout.trim();
}

export async function start(t: ExecutionContext, name: string): Promise<void> {
  const r = await host.systemctl('start', `${name}.service`);
  t.is(r.exitCode, 0, `systemctl start ${name}: ${r.stderr}\n${await host.journal(`${name}.service`)}`);
}

export async function stop(t: ExecutionContext, name: string): Promise<void> {
  const r = await host.systemctl('stop', `${name}.service`);
  t.is(r.exitCode, 0, `systemctl stop ${name}: ${r.stderr}`);
  const s = await show(`${name}.service`, 'ActiveState', 'Result');
  t.is(s['ActiveState'], 'inactive', `${name}: ${JSON.stringify(s)}\n${await host.journal(`${name}.service`)}`);
  t.is(s['Result'], 'success', name);
  t.false((await containers()).includes(name), `${name}: the container is removed`);
}

export async function containers(): Promise<string[]> {
  return (await sh('podman ps -a --format "{{.Names}}"')).split('\n').filter(Boolean);
}

export async function inContainer(name: string, cmd: string): Promise<string> {
  return sh(`podman exec ${name} sh -c '${cmd}'`);
}

export async function readCounter(name: string): Promise<number> {
  return Number(await inContainer(name, 'cat /tmp/counter'));
}

export async function waitCounter(name: string, atLeast: number): Promise<number> {
  for (let i = 0; i < 60; i++) {
    const r = await run(`podman exec ${name} cat /tmp/counter`);
    if (r.exitCode === 0 && Number(r.stdout) >= atLeast) return Number(r.stdout);
    await sleep(250);
  }
  throw new Error(`the counter of ${name} did not reach ${atLeast}`);
}

/** The unit is active and its main PID is the container's conmon (systemd supervises the container). */
export async function assertSupervised(t: ExecutionContext, name: string, when: string): Promise<void> {
  t.is(await isActive(`${name}.service`), 'active', `${when}\n${await host.journal(`${name}.service`)}`);
  const mainPid = (await show(`${name}.service`, 'MainPID'))['MainPID'];
  const conmon = await sh(`podman container inspect --format '{{.State.ConmonPid}}' ${name}`);
  t.is(mainPid, conmon, `${when}: MainPID is conmon`);
  t.regex(await sh(`tr '\\0' ' ' < /proc/${mainPid}/cmdline`), /conmon /, `${when}: MainPID runs conmon`);
}

export interface Listed {
  path: string;
  createdAt: string;
  size: number;
  valid: boolean;
  problem?: string;
  sha256?: string;
  container?: string;
  durationMs?: number;
}

/** `berth checkpoints NAME --json` (every archive's sha256 computed again). */
export async function listArchives(name: string): Promise<Listed[]> {
  return JSON.parse(await sh(`berth checkpoints ${name} --json`)) as Listed[];
}

/** `berth checkpoint NAME`, which must succeed; returns the new archive's path and what it pruned. */
export async function checkpoint(t: ExecutionContext, name: string): Promise<{ path: string; removed: string[]; ms: number }> {
  const [r, ms] = await timed(() => run(`berth checkpoint ${name}`));
  t.is(r.exitCode, 0, `berth checkpoint ${name}: ${r.stdout}${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const path = /^(\/\S+) \(/.exec(lines[0] ?? '')?.[1];
  if (!path) throw new Error(`berth checkpoint ${name} printed no archive: ${r.stdout}${r.stderr}`);
  return { path, removed: lines.slice(1).map((l) => l.replace(/^removed /, '')), ms };
}

/** Every entry of a folder, hidden ones too, with size, mtime and inode ("absent" when there is no folder). */
export async function folderState(dir: string): Promise<string> {
  return sh(`if [ -d ${dir} ]; then cd ${dir} && for f in $(ls -A); do stat -c '%n %s %Y %i %a' "$f"; done; else echo absent; fi`);
}

/** The files of a container's archive folder, but for berth's record of them (record.ts), always there. */
export async function folderNames(dir: string): Promise<string[]> {
  return (await sh(`ls -A ${dir}`)).split('\n').filter((f) => f !== '' && f !== RECORD_FILE).sort();
}

export const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Independent of berth: tar (with zstd) reads the archive to its end and finds a checkpoint in it. */
export async function tarLists(path: string): Promise<boolean> {
  const r = await run(`tar --zstd -tf ${path}`);
  return r.exitCode === 0 && /^(\.\/)?config\.dump$/m.test(r.stdout) && /^(\.\/)?spec\.dump$/m.test(r.stdout);
}

export async function httpGet(url: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 20; i++) {
    const r = await host.run(['/bin/busybox', 'wget', '-q', '-O', '-', url]);
    if (r.exitCode === 0) return r.stdout;
    last = r.stderr;
    await sleep(250);
  }
  throw new Error(`GET ${url} failed: ${last}`);
}
