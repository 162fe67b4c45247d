/**
 * The bundled example, end to end: boots a throwaway systemd system manager (systemd-nspawn over this
 * machine's own OS) with berth installed as its system generator and hello-nginx in
 * /etc/berth/definitions, then shows what berth generated, the unit's state, and the served page.
 */
import { readFileSync } from 'node:fs';
import { bootSystemdHost } from '../test/helpers/systemd-host.js';

const repo = new URL('../../', import.meta.url).pathname;
const example = `${repo}examples/hello-nginx`;

const host = await bootSystemdHost({
  files: {
    '/etc/berth/definitions/hello-nginx.container': readFileSync(`${example}/hello-nginx.container`, 'utf8'),
    '/etc/berth/definitions/www/index.html': readFileSync(`${example}/www/index.html`, 'utf8'),
  },
  symlinks: { '/usr/local/lib/systemd/system-generators/berth': `${repo}dist/berth-generator.cjs` },
});
let status = 1;
try {
  console.log(`booted a systemd system manager in ${host.bootMs} ms (${host.bootState})\n`);
  console.log('--- /run/systemd/generator/hello-nginx.service (written by berth at boot) ---');
  console.log(await host.runOk(['/bin/cat', '/run/systemd/generator/hello-nginx.service']));
  console.log('--- systemctl status hello-nginx ---');
  console.log((await host.systemctl('status', '--no-pager', 'hello-nginx.service')).stdout);
  let page = '';
  for (let i = 0; i < 20 && !page; i++) {
    const r = await host.run(['/bin/busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8081/']);
    if (r.exitCode === 0) page = r.stdout;
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log('--- GET http://127.0.0.1:8081/ (inside the manager\'s network namespace) ---');
  console.log(page || '(no answer)');
  const stop = await host.systemctl('stop', 'hello-nginx.service');
  const state = (await host.systemctl('is-active', 'hello-nginx.service')).stdout.trim();
  console.log(`systemctl stop hello-nginx: exit ${stop.exitCode}, now ${state}`);
  status = page.includes('hello from berth') && state === 'inactive' ? 0 : 1;
} finally {
  await host.stop();
}
console.log(status === 0 ? '\nexample: ok' : '\nexample: FAILED');
process.exitCode = status;
