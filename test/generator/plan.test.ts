import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCgroups } from '../../src/engine/cgroup-version.js';
import { plan } from '../../src/generator/plan.js';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-plan-'));
  mkdirSync(join(dir, 'defs'));
  writeFileSync(join(dir, 'defs', 'web.container'), '[Container]\nImage=localhost/busybox\n');
  return dir;
}

const execStart = async (dir: string, user: boolean, uid: number, env: NodeJS.ProcessEnv = {}): Promise<string> => {
  const { result } = await plan([join(dir, 'defs')], { user, uid, env: { PODMAN: join(dir, 'no-podman'), BERTH_RUNTIME_DIR: join(dir, 'run'), ...env } });
  return result.units[0]!.text;
};

test('a rootless user\'s units follow the host\'s cgroups; root\'s, the system\'s and those for a podman version given keep split', async (t) => {
  const dir = folder();
  const v1 = hostCgroups()?.version === 'v1';
  const rootless = await execStart(dir, true, 1500);
  t.regex(rootless, v1 ? / --cgroups=no-conmon / : / --cgroups=split /);
  t.is(/^# --cgroups=no-conmon, not split/m.test(rootless), v1);
  t.regex(await execStart(dir, true, 0), / --cgroups=split /);
  t.regex(await execStart(dir, false, 1500), / --cgroups=split /);
  t.regex(await execStart(dir, true, 1500, { BERTH_PODMAN_VERSION: '4.3' }), / --cgroups=split /);
});
