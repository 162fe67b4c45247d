import test from 'ava';
import { loadInventory } from '../../src/containers/inventory.js';
import { CONTAINER, definitionsDir } from './fixtures.js';

test('the inventory lists every container definition that is a unit of its own, with its names, health check and checkpoint schedule', (t) => {
  const dir = definitionsDir(t, {
    'web.container': `${CONTAINER}HealthCmd=wget -q localhost\n[Checkpoint]\nOnCalendar=hourly\nCron=*/5 * * * *\nDirectory=/srv/ckpt\n`,
    'db.container': `${CONTAINER}ContainerName=database\nHealthCmd=none\n`,
    'ondemand.container': `${CONTAINER}[Checkpoint]\nKeep=2\n`,
    'app@.container': CONTAINER,
    'named.container': `${CONTAINER}[Container]\nServiceName=other\n`,
    'data.volume': '[Volume]\n',
    'broken.container': '[Container]\nImage\n',
  });
  const inv = loadInventory({ env: { BERTH_UNIT_DIRS: dir } });
  t.deepEqual(inv.searchPaths, [dir]);
  t.is(inv.errors.length, 1);
  t.deepEqual(inv.containers.map((c) => [c.name, c.unit, c.container, c.healthCheck, c.timer ?? null]), [
    ['db', 'db.service', 'database', false, null],
    ['ondemand', 'ondemand.service', 'systemd-ondemand', false, null],
    ['other', 'other.service', 'systemd-other', false, null],
    ['web', 'web.service', 'systemd-web', true, 'web-checkpoint.timer'],
  ]);
  const web = inv.containers.find((c) => c.name === 'web')!;
  t.is(web.checkpoint?.directory, '/srv/ckpt');
  t.deepEqual(web.cron, ['*/5 * * * *']);
  t.deepEqual(web.onCalendar, ['hourly']);
  t.is(inv.containers.find((c) => c.name === 'ondemand')!.checkpoint?.keep, 2);
});
