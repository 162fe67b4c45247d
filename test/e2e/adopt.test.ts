/**
 * End to end, on a real systemd (systemd-nspawn) with podman, runc and CRIU: `berth adopt` takes the
 * issue's web server, started by hand with `podman run`, under systemd without losing its state (the counter
 * in memory, a file in its tmpfs, the page it serves), and the unit is then active and stoppable. When a
 * step fails (before the checkpoint, or after it, when the unit cannot start), the container is left running
 * as it was and no definition or unit is left behind.
 */
import test from 'ava';
import type { SystemdHost } from '../helpers/systemd-host.js';
import { bootCheckpointHost, DEFS, STORE, run, sh, show, isActive, stop, inContainer, readCounter, waitCounter, assertSupervised, containers, httpGet } from './checkpoint-host.js';

const REPO = new URL('../../../', import.meta.url).pathname;
/**
 * As an admin's shell would: in a scope of its own, so that what it leaves running (a container's conmon)
 * outlives the command, as in a login session (a test's command runs in a service stopped when it ends).
 */
const BY_HAND = 'systemd-run --scope --quiet --collect --';
/** berth itself, not through /usr/bin/berth, which one test takes away from the units. */
const BERTH = `${BY_HAND} node ${REPO}dist/src/cli/main.js`;
const WWW = '/srv/adopt-www';

/** The web server, as an admin would have started it by hand. */
function podmanRun(name: string, port: number): string {
  const loop = 'i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 1; done &';
  return `${BY_HAND} podman run -d --name ${name} -p ${port}:80 -v ${WWW}:/www:ro --tmpfs /tmp localhost/busybox:latest sh -c 'trap "exit 0" TERM; ${loop} httpd -f -p 80 -h /www & wait'`;
}

let host: SystemdHost;

test.serial.before(async (t) => {
  host = await bootCheckpointHost({}, { [`${WWW}/index.html`]: 'served-from-host\n' });
  t.log(`booted in ${host.bootMs} ms (${host.bootState})`);
});

test.after.always(async () => {
  await host?.stop();
});

/** The container's ID, its conmon's PID, and whether podman says it runs. */
async function identity(name: string): Promise<{ id: string; conmon: string; running: string }> {
  const [id, conmon, running] = (await sh(`podman container inspect --format '{{.Id}} {{.State.ConmonPid}} {{.State.Running}}' ${name}`)).split(' ');
  return { id: id!, conmon: conmon!, running: running! };
}

test.serial('berth adopt takes the running web server under systemd with its counter, tmpfs file and page, and the unit is active and stoppable', async (t) => {
  const name = 'adopt-web';
  await sh(podmanRun(name, 8091));
  await inContainer(name, 'echo kept-in-tmpfs > /tmp/marker');
  await waitCounter(name, 4);
  t.regex(await httpGet('http://127.0.0.1:8091/'), /^served-from-host/);
  const before = await identity(name);
  const counted = await readCounter(name);

  const r = await run(`${BERTH} adopt ${name}`);
  t.is(r.exitCode, 0, `${r.stdout}${r.stderr}`);
  t.regex(r.stdout, new RegExp(`^${name}\\.service is active with ${name}'s state from ${STORE}/${name}/\\S+: \\d+ process\\(es\\), \\d+ memory mapping\\(s\\) and \\d+ tmpfs file\\(s\\) checked$`, 'm'));
  t.regex(r.stdout, new RegExp(`^definition: ${DEFS}/${name}\\.container$`, 'm'));

  // The definition makes the same container: image, port, bind mount, tmpfs, command; and keeps its archives.
  const definition = await sh(`cat ${DEFS}/${name}.container`);
  for (const line of ['Image=localhost/busybox:latest', `ContainerName=${name}`, 'PublishPort=8091:80', `Volume=${WWW}:/www:ro`, 'Tmpfs=/tmp', '[Checkpoint]', `Directory=${STORE}`]) {
    t.true(definition.split('\n').includes(line), `${line} in\n${definition}`);
  }

  // The same container (name and ID), now with the unit's conmon, and its state went on from where it was.
  await assertSupervised(t, name, 'after adopt');
  const after = await identity(name);
  t.is(after.id, before.id);
  t.not(after.conmon, before.conmon);
  t.true((await waitCounter(name, counted + 1)) > counted);
  t.is(await inContainer(name, 'cat /tmp/marker'), 'kept-in-tmpfs');
  t.regex(await httpGet('http://127.0.0.1:8091/'), /^served-from-host/);

  await stop(t, name);
  t.is(await isActive(`${name}.service`), 'inactive');
});

test.serial('a container that cannot be adopted as asked is left running untouched, with nothing written', async (t) => {
  const name = 'adopt-taken';
  await sh(podmanRun(name, 8092));
  await waitCounter(name, 2);
  const before = await identity(name);
  await sh(`mkdir -p ${DEFS} && echo '[Container]' > ${DEFS}/${name}.container`);

  const r = await run(`${BERTH} adopt ${name}`);
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, new RegExp(`${DEFS}/${name}\\.container already exists`));
  t.deepEqual(await identity(name), before);
  t.is(await run(`ls ${STORE}/${name}`).then((x) => x.exitCode), 2, 'no archive folder');

  const missing = await run(`${BERTH} adopt no-such-container`);
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /podman has no container no-such-container/);
  await sh(`podman rm -f ${name} && rm ${DEFS}/${name}.container`);
});

test.serial('when the unit cannot start after the checkpoint, the container is put back as it was, outside systemd, with its state', async (t) => {
  const name = 'adopt-undo';
  await sh(podmanRun(name, 8093));
  await inContainer(name, 'echo kept-in-tmpfs > /tmp/marker');
  const counted = await waitCounter(name, 3);
  const before = await identity(name);
  // The unit's ExecStart runs /usr/bin/berth, which is not there for this attempt.
  await sh('mv /usr/bin/berth /usr/bin/berth.away');
  let r;
  try {
    r = await run(`${BERTH} adopt ${name}`);
  } finally {
    await sh('mv /usr/bin/berth.away /usr/bin/berth');
  }
  t.is(r.exitCode, 1, `${r.stdout}${r.stderr}`);
  t.regex(r.stderr, new RegExp(`${name}\\.service did not start.*; ${name} was put back as it was, from ${STORE}/${name}/\\S+, and runs outside systemd as before; the archive stays at ${STORE}/${name}/\\S+`));

  // Nothing half done: no definition, no unit; the container runs with its ID and its state, serving.
  t.is((await run(`ls ${DEFS}/${name}.container`)).exitCode, 2);
  t.is((await show(`${name}.service`, 'LoadState'))['LoadState'], 'not-found');
  const after = await identity(name);
  t.is(after.id, before.id);
  t.is(after.running, 'true');
  t.true((await waitCounter(name, counted + 1)) > counted);
  t.is(await inContainer(name, 'cat /tmp/marker'), 'kept-in-tmpfs');
  t.regex(await httpGet('http://127.0.0.1:8093/'), /^served-from-host/);
  t.true((await containers()).includes(name));
  await sh(`podman rm -f ${name}`);
});

test.serial('when the checkpoint fails (no CRIU), the container runs on untouched and nothing is written', async (t) => {
  const name = 'adopt-nocriu';
  await sh(podmanRun(name, 8094));
  const counted = await waitCounter(name, 2);
  const before = await identity(name);
  const criu = await sh('command -v criu');
  await sh(`mv ${criu} ${criu}.unreachable`);
  let r;
  try {
    r = await run(`${BERTH} adopt ${name}`);
  } finally {
    await sh(`mv ${criu}.unreachable ${criu}`);
  }
  t.is(r.exitCode, 1, `${r.stdout}${r.stderr}`);
  t.regex(r.stderr, new RegExp(`the checkpoint of ${name} failed .*; ${name} runs as before; nothing was written$`, 'm'));
  t.deepEqual(await identity(name), before);
  t.true((await waitCounter(name, counted + 1)) > counted);
  t.is((await run(`ls ${DEFS}/${name}.container`)).exitCode, 2);
  t.is((await show(`${name}.service`, 'LoadState'))['LoadState'], 'not-found');
  await sh(`podman rm -f ${name}`);
});

test.serial('when systemd cannot load the unit, a container run with --rm (removed by podman at its checkpoint) comes back from the archive', async (t) => {
  const name = 'adopt-rm';
  await sh(podmanRun(name, 8095).replace('podman run -d', 'podman run -d --rm'));
  await inContainer(name, 'echo kept-in-tmpfs > /tmp/marker');
  const counted = await waitCounter(name, 3);
  const before = await identity(name);
  // Without berth's generator (moved out of the folder: systemd runs whatever is in it), the reload makes no unit of the definition.
  const generator = '/usr/local/lib/systemd/system-generators/berth';
  await sh(`mv ${generator} /root/berth-generator.away`);
  let r;
  try {
    r = await run(`${BERTH} adopt ${name}`);
  } finally {
    await sh(`mv /root/berth-generator.away ${generator} && systemctl daemon-reload`);
  }
  t.is(r.exitCode, 1, `${r.stdout}${r.stderr}`);
  t.regex(r.stderr, new RegExp(`systemd did not load ${name}\\.service .*; ${name} was put back as it was, from ${STORE}/${name}/\\S+, and runs outside systemd as before`));
  t.is((await run(`ls ${DEFS}/${name}.container`)).exitCode, 2);
  const after = await identity(name);
  t.is(after.id, before.id);
  t.true((await waitCounter(name, counted + 1)) > counted);
  t.is(await inContainer(name, 'cat /tmp/marker'), 'kept-in-tmpfs');
  await sh(`podman rm -f ${name}`);
});
