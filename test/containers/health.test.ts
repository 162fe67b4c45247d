import test from 'ava';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { healthCheckUnitId, podmanHealth } from '../../src/containers/health.js';
import { Podman } from '../../src/engine/podman.js';
import { tempDir } from '../checkpoint/fixtures.js';

const ID = 'a'.repeat(63) + 'b';

test("podman's health check units are told apart by the container ID they are named after", (t) => {
  t.is(healthCheckUnitId(`${ID}.service`), ID);
  t.is(healthCheckUnitId(`${ID}.timer`), ID);
  t.is(healthCheckUnitId(`${ID}-6f2a1c.service`), ID);
  t.is(healthCheckUnitId('web.service'), undefined);
  t.is(healthCheckUnitId(`${ID.slice(1)}.service`), undefined);
});

test('health comes from one podman ps: running containers with a state in their status, unknown otherwise', async (t) => {
  const dir = await tempDir(t);
  const podman = join(dir, 'podman');
  const list = [
    { Id: ID, Names: ['systemd-web'], State: 'running', Status: 'Up 2 minutes (healthy)' },
    { Id: 'c'.repeat(64), Names: ['db'], State: 'running', Status: 'Up 5 seconds (starting)' },
    { Id: 'd'.repeat(64), Names: ['old'], State: 'exited', Status: 'Exited (0) 1 minute ago (unhealthy)' },
    { Id: 'e'.repeat(64), Names: ['other'], State: 'running', Status: 'Up 1 minute (unhealthy)' },
  ];
  writeFileSync(podman, `#!/bin/sh\n[ "$*" = "ps -a --format json" ] || exit 9\ncat <<'EOF'\n${JSON.stringify(list)}\nEOF\n`);
  chmodSync(podman, 0o755);
  const h = await podmanHealth(new Podman(podman), ['systemd-web', 'db', 'old', 'missing']);
  t.deepEqual(Object.fromEntries(h), {
    'systemd-web': { health: 'healthy', id: ID },
    db: { health: 'starting', id: 'c'.repeat(64) },
    old: { health: 'unknown', id: 'd'.repeat(64) },
  });
  t.deepEqual([...(await podmanHealth(new Podman('/bin/false'), ['web']))], []);
});
