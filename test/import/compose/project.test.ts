import test from 'ava';
import { DefinitionError } from '../../../src/errors.js';
import { importCompose, type ComposeInput } from '../../../src/import/compose/project.js';
import { compileOne } from '../../helpers/definitions.js';
import { SHOP } from './fixtures.js';

const input = (text: string, more: Partial<ComposeInput> = {}): ComposeInput => ({ file: 'compose.yaml', dir: '/srv/shop', text, env: {}, home: '/home/u', ...more });

const shop = () => importCompose(input(SHOP, { env: { FROM_SHELL: 'yes', DB_USER: 'shop' }, dotenv: 'TAG=2.0\nDB_USER=from-dotenv\n' }));

/** Compiles one of the imported files with all the others beside it, for podman 5.4. */
function compiled(fileName: string) {
  const { files } = shop();
  const file = files.find((f) => f.fileName === fileName)!;
  const others = Object.fromEntries(files.filter((f) => f !== file).map((f) => [f.fileName, f.text]));
  return compileOne(file.fileName, file.text, { target: '5.4', others });
}

test('a compose project becomes its networks, volumes and containers, named after the project', (t) => {
  const { project, files } = shop();
  t.is(project, 'shop');
  t.deepEqual(files.map((f) => f.fileName), ['shop_front.network', 'shop_back.network', 'shop_uploads.volume', 'shop_pgdata.volume', 'shop-web.container', 'shop-db.container']);
});

test('every definition of the project compiles cleanly with berth for podman 5.4', (t) => {
  for (const f of shop().files) {
    const { errors, warnings, service } = compiled(f.fileName);
    t.deepEqual(errors, [], f.text);
    t.deepEqual(warnings, [], f.text);
    t.truthy(service, f.fileName);
  }
});

test("the web container's podman run line carries the compose settings, interpolated from .env", (t) => {
  const { argv, service } = compiled('shop-web.container');
  const line = argv.join(' ');
  for (const part of [
    '--log-driver journald', '--network shop_front:alias=web', '--network shop_back:alias=web', '--cap-drop all',
    '-v /srv/shop/static:/srv/static:ro', '-v shop_uploads:/srv/uploads', '--publish 8080:8000', '--publish 127.0.0.1:9000:9000/udp',
    '--env DATABASE_URL=postgres://shop@db/shop', '--env PRICE=5$', '--env FROM_SHELL=yes',
    '--env-file /srv/shop/web.env', '--env-file /srv/shop/local.env', '--secret shop_db_password,type=mount,target=db_password',
    '--health-cmd curl -f http://localhost:8000/health', '--health-interval 30s',
  ]) t.true(line.includes(part), `${part}\n${line}`);
  t.deepEqual(argv.slice(-5), ['ghcr.io/example/shop:2.0', 'gunicorn', '-b', '0.0.0.0:8000', 'shop.wsgi']);
  t.is(service!.last('Service', 'Restart')?.value, 'always');
  t.true(service!.list('Unit', 'Requires').some((e) => e.value.split(' ').includes('shop-db.service')));
  t.true(service!.list('Unit', 'After').some((e) => e.value.split(' ').includes('shop-db.service')));
});

test('the database waits to be healthy before it counts as started, and the process environment wins over .env', (t) => {
  const { argv, service } = compiled('shop-db.container');
  const line = argv.join(' ');
  for (const part of [
    '--sdnotify=healthy', '--network shop_back:alias=db,alias=database', '-v shop_pgdata:/var/lib/postgresql/data',
    '--tmpfs /run/postgresql:size=64m', '--env POSTGRES_USER=shop', '--stop-timeout 90',
    '--secret shop_db_password,type=mount,target=db_password,mode=0440', '--health-cmd ["pg_isready","-U","shop"]',
    '--health-timeout 5s', '--health-retries 5', '--health-start-period 1m30s',
  ]) t.true(line.includes(part), `${part}\n${line}`);
  t.is(service!.last('Service', 'Restart')?.value, 'on-failure');
  const db = shop().files.find((f) => f.fileName === 'shop-db.container')!;
  t.false(db.text.includes('[Install]'), 'on-failure does not start it at boot');
});

test('the secret to make is handed to the user as a podman command, in the warnings and in the definitions that use it', (t) => {
  const { warnings, files } = shop();
  t.true(warnings.includes('compose.yaml:76:3: secrets.db_password: Quadlet cannot create podman secrets: make it before the units start: podman secret create shop_db_password /srv/shop/db_password.txt'));
  t.true(files.find((f) => f.fileName === 'shop-web.container')!.text.includes('# compose.yaml:35:9: services.web.secrets[0]: the podman secret shop_db_password must exist before the unit starts: podman secret create shop_db_password /srv/shop/db_password.txt\n'));
});

test('required: false of an env_file is reported at its line, as a comment and a warning', (t) => {
  const web = shop().files.find((f) => f.fileName === 'shop-web.container')!;
  const report = 'compose.yaml:20:9: services.web.env_file[1].required: required: false has no Quadlet equivalent: podman refuses to start the container while the file is missing';
  t.true(web.warnings.includes(report));
  t.true(web.text.includes(`# ${report}\n`));
});

test('the project is named by -p, then name:, then COMPOSE_PROJECT_NAME, then the folder, as compose normalizes it', (t) => {
  const text = 'services:\n  app:\n    image: busybox\n';
  t.is(importCompose(input(text, { dir: '/srv/My Shop.v2' })).project, 'myshopv2');
  t.is(importCompose(input(text, { dotenv: 'COMPOSE_PROJECT_NAME=fromenv' })).project, 'fromenv');
  t.is(importCompose(input(`name: Named\n${text}`, { dotenv: 'COMPOSE_PROJECT_NAME=fromenv' })).project, 'named');
  t.is(importCompose(input(`name: Named\n${text}`, { projectName: 'given' })).project, 'given');
});

test('a service without networks joins the default network under its own name', (t) => {
  const { files } = importCompose(input('services:\n  app:\n    image: busybox\n  cache:\n    image: redis\n    network_mode: host\n'));
  t.deepEqual(files.map((f) => f.fileName), ['shop_default.network', 'shop-app.container', 'shop-cache.container']);
  t.true(files[1]!.text.includes('Network=shop_default.network:alias=app\n'));
  t.true(files[2]!.text.includes('Network=host\n'));
});

test('an unset required variable refuses the file at its line and key', (t) => {
  const x = t.throws(() => importCompose(input('services:\n  app:\n    image: "busybox:${TAG:?give a tag}"\n')), { instanceOf: DefinitionError });
  t.is(x?.message, 'compose.yaml:3:12: services.app.image: required variable TAG is missing a value: give a tag');
});

test('unset variables are warned about at their line and become empty strings', (t) => {
  const { warnings, files } = importCompose(input('services:\n  app:\n    image: busybox\n    environment:\n      - A=${NOPE}\n'));
  t.deepEqual(warnings, ['compose.yaml:5:9: services.app.environment[0]: NOPE is not set: an empty string is used, as compose does']);
  t.true(files[1]!.text.includes('Environment=A=\n'));
});

test('build: becomes a .build definition that the container names as its image', (t) => {
  const text = `services:
  api:
    build:
      context: ./api
      dockerfile: Containerfile
      args:
        VERSION: "2"
      target: prod
      cache_from: [x]
  worker:
    image: registry.example/worker:1
    build: ./worker
`;
  const { files } = importCompose(input(text));
  t.deepEqual(files.map((f) => f.fileName), ['shop_default.network', 'shop-api.build', 'shop-api.container', 'shop-worker.build', 'shop-worker.container']);
  const api = files[1]!;
  t.true(api.text.includes('[Build]\nImageTag=localhost/shop-api\nSetWorkingDirectory=/srv/shop/api\nFile=/srv/shop/api/Containerfile\nBuildArg=VERSION=2\nTarget=prod\n'), api.text);
  t.deepEqual(api.warnings, ['compose.yaml:9:7: services.api.build.cache_from: no Quadlet equivalent, left out']);
  t.true(files[2]!.text.includes('Image=shop-api.build\n'));
  t.true(files[3]!.text.includes('ImageTag=registry.example/worker:1\nSetWorkingDirectory=/srv/shop/worker\n'));
  const others = (but: string) => Object.fromEntries(files.filter((f) => f.fileName !== but).map((f) => [f.fileName, f.text]));
  for (const f of files) {
    const { errors } = compileOne(f.fileName, f.text, { target: '5.4', others: others(f.fileName) });
    t.deepEqual(errors, [], f.text);
  }
  const { argv } = compileOne('shop-api.container', files[2]!.text, { target: '5.4', others: others('shop-api.container') });
  t.is(argv.at(-1), 'localhost/shop-api');
});
