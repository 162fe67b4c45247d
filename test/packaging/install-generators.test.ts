import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('../../../', import.meta.url).pathname;

test('install-generators links berth into the system and user generator folders', async (t) => {
  const dest = mkdtempSync(join(tmpdir(), 'berth-install-'));
  await execa('bash', [`${REPO}packaging/install-generators.sh`], { env: { DESTDIR: dest, PREFIX: '/usr' } });
  for (const kind of ['system', 'user']) {
    t.is(readlinkSync(join(dest, `usr/lib/systemd/${kind}-generators/berth`)), `${REPO}dist/berth-generator.cjs`);
  }
  t.true(statSync(join(dest, 'etc/berth/definitions')).isDirectory());
  t.is(statSync(`${REPO}dist/berth-generator.cjs`).mode & 0o777, 0o755);
});
