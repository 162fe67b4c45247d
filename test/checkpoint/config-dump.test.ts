import test from 'ava';
import { join } from 'node:path';
import { containerOf } from '../../src/checkpoint/config-dump.js';
import { CheckpointStore } from '../../src/checkpoint/store.js';
import { CheckpointError } from '../../src/errors.js';
import { at, CONFIG_DUMP, tempDir, writeExport } from './fixtures.js';

test("an archive's config.dump names its container's id, image and create command, for every compression", async (t) => {
  const store = new CheckpointStore(join(await tempDir(t), 'checkpoints'), 'web');
  for (const [i, compress] of (['zstd', 'gzip', 'none'] as const).entries()) {
    const pending = await store.prepare(compress, at(1, i));
    await writeExport(pending.tmpPath, compress);
    t.deepEqual(containerOf((await pending.checked()).configDump, pending.finalPath), {
      id: CONFIG_DUMP.id,
      image: 'localhost/busybox:latest',
      createCommand: CONFIG_DUMP.CreateCommand,
      network: { imageId: CONFIG_DUMP.rootfsImageID, runtime: '', ports: [], staticIPs: [], staticMACs: [] },
    }, compress);
    await pending.abort();
  }
});

test('without an image name the image ID stands for it, and without a create command it is empty', (t) => {
  const { id, rootfsImageID } = CONFIG_DUMP;
  t.like(containerOf(Buffer.from(JSON.stringify({ id, rootfsImageID })), 'a.tar'), { id, image: rootfsImageID, createCommand: [] });
});

test("config.dump's published ports, static addresses and runtime become the archive's network facts", (t) => {
  const dump = {
    ...CONFIG_DUMP,
    runtime: 'crun',
    newPortMappings: [{ host_ip: '127.0.0.1', container_port: 53, host_port: 5353, range: 1, protocol: 'tcp,udp' }, { container_port: 'x' }],
    newNetworks: { podman: { interface_name: 'eth0', static_ips: ['10.88.0.9'], static_mac: '92:d0:c6:0a:29:33' }, other: null },
  };
  t.deepEqual(containerOf(Buffer.from(JSON.stringify(dump)), 'a.tar').network, {
    imageId: CONFIG_DUMP.rootfsImageID,
    runtime: 'crun',
    ports: [
      { hostIP: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'tcp', range: 1 },
      { hostIP: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp', range: 1 },
    ],
    staticIPs: ['10.88.0.9'],
    staticMACs: ['92:d0:c6:0a:29:33'],
  });
  // podman before 4.0 kept them elsewhere.
  t.like(containerOf(Buffer.from(JSON.stringify({ ...CONFIG_DUMP, staticIP: '10.0.0.2', staticMAC: 'aa:bb:cc:dd:ee:ff' })), 'a.tar').network, { staticIPs: ['10.0.0.2'], staticMACs: ['aa:bb:cc:dd:ee:ff'] });
});

test('a config.dump that is not JSON, or does not name the container as podman does, fails verification', (t) => {
  for (const text of ['{"cut', 'null', '{"rootfsImageName": "x"}', JSON.stringify({ ...CONFIG_DUMP, CreateCommand: 'podman run' })]) {
    const error = t.throws(() => containerOf(Buffer.from(text), '/a.tar.zst'), { instanceOf: CheckpointError, message: /^the config\.dump of \/a\.tar\.zst / }, text);
    t.is(error?.code, 'verify');
  }
});
