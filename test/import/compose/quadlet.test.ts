import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCompose } from '../../../src/import/compose/project.js';
import { runQuadlet } from '../../helpers/unit-compare.js';
import { SHOP } from './fixtures.js';

test("Podman 5.4's own Quadlet compiles every definition of the imported project, with the references resolved", async (t) => {
  const src = mkdtempSync(join(tmpdir(), 'berth-compose-'));
  const { files } = importCompose({ file: 'compose.yaml', dir: '/srv/shop', text: SHOP, env: { DB_USER: 'shop' }, home: '/home/u' });
  for (const f of files) writeFileSync(join(src, f.fileName), f.text);
  const run = await runQuadlet(src, join(src, 'out'));
  t.deepEqual([...run.refused], [], run.stderr);
  const web = readFileSync(join(src, 'out', 'shop-web.service'), 'utf8');
  t.regex(web, /^Requires=shop-db\.service$/m);
  t.regex(web, /--network shop_front:alias=web --network shop_back:alias=web/);
  t.regex(web, /-v shop_uploads:\/srv\/uploads/);
  t.regex(readFileSync(join(src, 'out', 'shop-db.service'), 'utf8'), /--sdnotify=healthy/);
});
