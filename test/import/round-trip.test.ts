import test from 'ava';
import { importCommand } from '../../src/cli/import-command.js';
import type { FlagSpec } from '../../src/import/argv.js';
import { NETWORK_CREATE_FLAGS, POD_CREATE_FLAGS, VOLUME_CREATE_FLAGS } from '../../src/import/create-flags.js';
import { splitWords } from '../../src/unit/quote.js';
import { compileOne } from '../helpers/definitions.js';
import { prng, seedFromEnv } from '../helpers/random-argv.js';
import { argvMeaning, randomRunArgv, runMeaning } from '../helpers/run-argv.js';
import { execWords } from '../helpers/systemd-reader.js';

const SEED_LINE = 'podman run -dt -p 8081:80/tcp -v /opt/http:/usr/share/nginx/html:ro --name hello-nginx nginx';

/** Examples of podman-run(1) (5.4), as the shell would pass them (`~` expanded, pipes cut off). */
const DOCUMENTED = [
  'podman run --read-only -i -t fedora /bin/bash',
  'podman run --read-only --read-only-tmpfs=false --tmpfs /run -i -t fedora /bin/bash',
  'podman run --mount type=glob,src=/usr/lib64/libnvidia\\*,ro=true -i -t fedora /bin/bash',
  'podman run -v /dev/log:/dev/log -i -t fedora /bin/bash',
  'podman run -a stdin -a stdout -i -t fedora /bin/bash',
  'podman run -it --ipc=host shm ipcs -m',
  'podman run -it --ipc=container:ed735b2264ac shm ipcs -m',
  'podman run -p 8080:80 -d -i -t fedora/httpd',
  'podman run -v data:/data2 -i -t fedora bash',
  'podman run -v /var/cache/dnf:/var/cache/dnf:O -ti fedora dnf -y update',
  'podman run -d -e MARIADB_ROOT_PASSWORD=root --user mysql --userns=keep-id -v /home/u/data:/var/lib/mysql:Z,U mariadb',
  'podman run -d -e MARIADB_ROOT_PASSWORD=root --user mysql --userns=keep-id:uid=999,gid=999 -v /home/u/data:/var/lib/mysql:Z mariadb',
  'podman run --mount type=bind,src=/var/db,target=/data1 busybox sh',
  'podman run --mount type=bind,src=volume-name,target=/data1 busybox sh',
  'podman run --security-opt label=level:TopSecret -i -t rhel7 bash',
  'podman run --security-opt label=disable -i -t fedora bash',
  'podman run --security-opt label=type:svirt_apache_t -i -t centos bash',
  'podman run --security-opt mask=/foo/bar:/second/path fedora bash',
  'podman run --security-opt unmask=/proc/* fedora bash',
  'podman run -it --blkio-weight-device "/dev/sda:200" ubuntu',
  'podman run --sysctl net.ipv4.ip_forward=1 someimage',
  'podman run --uidmap 0:30000:7000 --gidmap 0:30000:7000 fedora echo hello',
  'podman run --tz=Asia/Shanghai alpine date',
  'podman run --name container3 --requires container1,container2 -t -i fedora bash',
  'podman run -v /var/lib/design:/var/lib/design --group-add keep-groups ubi8',
  'podman run --name container1 --personality=LINUX32 fedora bash',
  'podman run --name container1 --rootfs /path/to/rootfs:O bash',
  'podman run --network net1:ip=10.89.1.5 --network net2:ip=10.89.10.10 alpine ip addr',
  "podman run --env 'ENV*' alpine env",
  "podman run --env 'ENV*=b' alpine env",
];

type Meaning = (argv: readonly string[]) => ReturnType<typeof runMeaning>;

/**
 * Imports an argv (podman first), compiles the definition for podman 5.4, and returns both meanings: of the
 * original's and of the compiled `exec` line's words after the podman command (`run`, `pod create` …).
 */
function roundTrip(argv: readonly string[], meaning?: Meaning, exec = 'ExecStart') {
  const imported = importCommand(argv);
  const { service, errors } = compileOne(imported.fileName, imported.text, { target: '5.4' });
  const line = service?.last('Service', exec)?.value;
  if (line === undefined) return { imported, errors, original: undefined, compiled: undefined };
  const words = execWords(line).commands[0]!.argv;
  const verbs = argv[1] === 'run' ? 1 : 2;
  const named = argv.includes('--name') || argv.some((w) => w.startsWith('--name='));
  const mean = meaning ?? ((a: readonly string[]) => runMeaning(a, named));
  return {
    imported, errors,
    original: mean(argv.slice(1 + verbs)),
    compiled: mean(words.slice(words.indexOf(argv[verbs]!) + 1)),
  };
}

test('the issue\'s seed line becomes the definition it asks for, and compiles to the same podman run', (t) => {
  const { imported, errors, original, compiled } = roundTrip(splitWords(SEED_LINE));
  t.is(imported.fileName, 'hello-nginx.container');
  t.true(imported.text.includes('[Container]\nImage=nginx\nContainerName=hello-nginx\nVolume=/opt/http:/usr/share/nginx/html:ro\nPublishPort=8081:80/tcp\n'));
  t.deepEqual(imported.warnings, []);
  t.deepEqual(errors, []);
  t.deepEqual(compiled, original);
});

for (const line of DOCUMENTED) {
  test(`the documented example "${line}" means the same after import and compile`, (t) => {
    const { errors, original, compiled, imported } = roundTrip(splitWords(line));
    t.deepEqual(errors, [], imported.text);
    t.deepEqual(compiled, original, imported.text);
  });
}

const seed = seedFromEnv('BERTH_IMPORT_SEED');
const RANDOM = 300;

test(`${RANDOM} random podman run lines mean the same after import and compile (BERTH_IMPORT_SEED=${seed})`, (t) => {
  const rnd = prng(seed);
  for (let i = 0; i < RANDOM; i++) {
    const argv = ['podman', 'run', ...randomRunArgv(rnd)];
    const { errors, original, compiled, imported } = roundTrip(argv);
    const context = `#${i}: ${JSON.stringify(argv)}\n${imported.text}`;
    if (errors.length > 0) return void t.fail(`${context}\n${errors.join('\n')}`);
    if (JSON.stringify(compiled) !== JSON.stringify(original)) return void t.deepEqual(compiled, original, context);
  }
  t.pass();
});

/** podman create lines of the other kinds, the flags berth's unit adds itself to them, and the line it compiles to. */
const CREATES: ReadonlyArray<{ spec: FlagSpec; berths: readonly string[]; exec: string; lines: readonly string[] }> = [
  {
    spec: POD_CREATE_FLAGS, berths: ['--infra-conmon-pidfile', '--replace', '--infra-name'], exec: 'ExecStartPre', lines: [
      'podman pod create --name web --exit-policy stop -p 8080:80 --network net1 --dns 1.1.1.1 --hostname h --infra-image k8s.gcr.io/pause -l a=b --userns keep-id -v /srv:/srv:ro',
      'podman pod create -n p2 --exit-policy=continue --share net,ipc --ip 10.88.0.5 --add-host db:10.0.0.2 --shm-size 64m --replace',
      'podman pod create --name p3 --exit-policy stop -h box -c 512 --no-hostname --net=host',
    ],
  },
  {
    spec: NETWORK_CREATE_FLAGS, berths: ['--ignore'], exec: 'ExecStart', lines: [
      'podman network create --subnet 10.89.0.0/24 --gateway 10.89.0.1 --ip-range 10.89.0.128/25 --subnet fd00::/64 -d bridge -o mtu=1400 --label x=y --ipv6 --dns 9.9.9.9 --interface-name br9 --route 10.0.0.0/8,10.89.0.2 net1',
      'podman network create --internal --disable-dns --ipam-driver none --ignore n2',
    ],
  },
  {
    spec: VOLUME_CREATE_FLAGS, berths: ['--ignore'], exec: 'ExecStart', lines: [
      'podman volume create -o device=/dev/sdb1 -o type=ext4 -o o=noatime --label a=b --opt size=1G data',
      'podman volume create --driver image --opt image=quay.io/x/y:1 -o copy img',
      'podman volume create -o nocopy -o device=tmpfs -o type=tmpfs -o type=ext4 v3',
    ],
  },
];

for (const { spec, berths, exec, lines } of CREATES) {
  for (const line of lines) {
    test(`"${line}" means the same after import and compile`, (t) => {
      const meaning: Meaning = (argv) => argvMeaning(spec, argv, (o) => berths.includes(o.flag));
      const { errors, original, compiled, imported } = roundTrip(splitWords(line), meaning, exec);
      t.deepEqual(errors, [], imported.text);
      t.deepEqual(compiled, original, imported.text);
    });
  }
}
