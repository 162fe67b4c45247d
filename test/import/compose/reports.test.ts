import test from 'ava';
import { importCompose } from '../../../src/import/compose/project.js';

const FILE = `version: "3.8"
services:
  app:
    image: busybox
    domainname: example.com
    x-ours: ignored
    frobnicate: yes
    privileged: true
    healthcheck:
      test: ["CMD", "true"]
      start_interval: 1s
    volumes:
      - ./data:/data:cached
    restart: on-failure:3
    depends_on:
      job:
        condition: service_completed_successfully
  job:
    image: busybox
    deploy:
      replicas: 3
      resources:
        limits:
          memory: 64m
x-anchors: {}
configs:
  c: {}
`;

const result = () => importCompose({ file: 'compose.yaml', dir: '/srv/p', text: FILE, env: {} });

test('every key without a Quadlet equivalent is reported at its file, line, column and key path, in its definition and as a warning', (t) => {
  const app = result().files.find((f) => f.fileName === 'p-app.container')!;
  const expected = [
    'compose.yaml:5:5: services.app.domainname: podman run has no --domainname, left out',
    'compose.yaml:7:5: services.app.frobnicate: unknown key, left out',
    'compose.yaml:11:7: services.app.healthcheck.start_interval: no Quadlet key: podman checks at HealthInterval= during the start period too',
    'compose.yaml:13:9: services.app.volumes[0]: the mount option cached means nothing to podman on Linux, left out',
    'compose.yaml:14:14: services.app.restart: restart: on-failure:3 becomes Restart=on-failure without its count: the engine gives up after 3 restarts, systemd after StartLimitBurst= starts within StartLimitIntervalSec= (5 in 10 s unless set in [Unit])',
    'compose.yaml:8:5: services.app.privileged (--privileged) has no Quadlet key: it goes into PodmanArgs=',
  ];
  for (const line of expected) t.true(app.warnings.some((w) => w.startsWith(line.replace(/ has no Quadlet key.*/, ''))), line);
  for (const line of expected.slice(0, 5)) {
    t.true(app.warnings.includes(line), line);
    t.true(app.text.includes(`# ${line}\n`), line);
  }
  t.true(app.text.includes('# compose.yaml:8:5: services.app.privileged (--privileged) passed on in PodmanArgs= (no Quadlet key)\n'));
  t.false(app.text.includes('x-ours'));
});

test('service_completed_successfully orders after the job and says what the job must be', (t) => {
  const app = result().files.find((f) => f.fileName === 'p-app.container')!;
  t.true(app.text.includes('Requires=p-job.service\nAfter=p-job.service\n'));
  t.true(app.warnings.some((w) => w.startsWith("compose.yaml:16:7: services.app.depends_on.job: service_completed_successfully: After= waits until job's unit has started")));
  t.false(result().files.find((f) => f.fileName === 'p-job.container')!.text.includes('Notify='));
});

test('top-level keys without an equivalent are reported; x- extensions are ignored, as compose ignores them', (t) => {
  const { warnings } = result();
  t.true(warnings.includes('compose.yaml:1:1: version: obsolete, and ignored by compose too, left out'));
  t.true(warnings.includes('compose.yaml:26:1: configs: no Quadlet equivalent: mount the files with volumes:, left out'));
  t.false(warnings.some((w) => w.includes('x-anchors')));
});

test("deploy's resource limits are kept and its swarm settings reported", (t) => {
  const job = result().files.find((f) => f.fileName === 'p-job.container')!;
  t.true(job.text.includes('Memory=64m\n'));
  t.true(job.warnings.includes('compose.yaml:21:7: services.job.deploy.replicas: swarm deployment settings have no Quadlet equivalent, left out'));
});
