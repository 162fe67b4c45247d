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
    }, compress);
    await pending.abort();
  }
});

test('without an image name the image ID stands for it, and without a create command it is empty', (t) => {
  const { id, rootfsImageID } = CONFIG_DUMP;
  t.deepEqual(containerOf(Buffer.from(JSON.stringify({ id, rootfsImageID })), 'a.tar'), { id, image: rootfsImageID, createCommand: [] });
});

test('a config.dump that is not JSON, or does not name the container as podman does, fails verification', (t) => {
  for (const text of ['{"cut', 'null', '{"rootfsImageName": "x"}', JSON.stringify({ ...CONFIG_DUMP, CreateCommand: 'podman run' })]) {
    const error = t.throws(() => containerOf(Buffer.from(text), '/a.tar.zst'), { instanceOf: CheckpointError, message: /^the config\.dump of \/a\.tar\.zst / }, text);
    t.is(error?.code, 'verify');
  }
});
