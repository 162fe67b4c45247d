/**
 * Property tests over hostile definitions, run through the bundled generator as systemd runs it where the
 * property is about the file system. Seeded: replay a failure with BERTH_HOSTILE_SEED=<seed>.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { NEWEST_PODMAN } from '../../src/compile/version.js';
import { generate } from '../../src/generator/generate.js';
import { LAST_RUN_FILE, parseLastRun } from '../../src/generator/last-run.js';
import { kindOf } from '../../src/compile/kinds.js';
import { parseUnit, type Section } from '../../src/unit/syntax.js';
import { serializeUnit } from '../../src/unit/serialize.js';
import { UnitFile } from '../../src/unit/unit-file.js';
import { isUnitName } from '../../src/unit/unit-name.js';
import { garbage, hostileDefinition, hostileFileName, prng } from '../helpers/hostile-definition.js';

const GENERATOR = new URL('../../berth-generator.cjs', import.meta.url).pathname;
const BATCHES = Number(process.env['BERTH_HOSTILE_BATCHES'] ?? 6);
const PER_BATCH = 60;

function seed(): number {
  const env = process.env['BERTH_HOSTILE_SEED'];
  return env ? Number(env) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/** Every path under dir, relative to it, folders included; symlinks are not followed. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [relative(base, p) + '/', ...walk(p, base)] : [relative(base, p)];
  });
}

function runGenerator(input: string, out: string): { status: number | null; stderr: string; ms: number } {
  const start = Date.now();
  const r = spawnSync(process.execPath, [GENERATOR, out, out, out], {
    // As systemd runs it, but without SYSTEMD_SCOPE: that would send its messages to the kernel log.
    env: { PATH: process.env['PATH'], BERTH_UNIT_DIRS: input, BERTH_PODMAN_VERSION: '5.4' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr, ms: Date.now() - start };
}

test('nothing is ever created outside the output folder, and every link in it points at a unit written beside it', (t) => {
  const s = seed();
  t.log(`seed ${s} (replay with BERTH_HOSTILE_SEED=${s})`);
  const r = prng(s);
  for (let batch = 0; batch < BATCHES; batch++) {
    const root = mkdtempSync(join(tmpdir(), 'berth-hostile-'));
    const input = join(root, 'in');
    const out = join(root, 'out');
    const outside = join(root, 'outside');
    mkdirSync(input);
    mkdirSync(out);
    mkdirSync(outside);
    // A link left in the output folder by someone else must not be followed.
    symlinkSync(outside, join(out, 'default.target.wants'));
    for (let i = 0; i < PER_BATCH; i++) {
      const name = hostileFileName(r, i);
      writeFileSync(join(input, name), hostileDefinition(r, name));
      if (r() < 0.1) {
        mkdirSync(join(input, `${name}.d`), { recursive: true });
        writeFileSync(join(input, `${name}.d`, '10.conf'), hostileDefinition(r, name));
      }
    }
    const before = walk(root).filter((p) => !p.startsWith('out/'));
    const run = runGenerator(input, out);
    t.not(run.status, null, `batch ${batch}: the generator was killed after ${run.ms} ms`);
    t.deepEqual(walk(root).filter((p) => !p.startsWith('out/')), before, `batch ${batch}: something was created outside out/`);
    t.deepEqual(readdirSync(outside), [], `batch ${batch}: a link in the output folder was followed`);
    t.truthy(parseLastRun(readFileSync(join(out, LAST_RUN_FILE), 'utf8')), `batch ${batch}: the record of the run does not read back`);
    const units = new Set<string>();
    for (const e of readdirSync(out, { withFileTypes: true })) if (e.isFile()) units.add(e.name);
    for (const p of walk(out)) {
      const depth = p.replace(/\/$/, '').split('/').length;
      const st = lstatSync(join(out, p));
      t.true(depth <= 2, `batch ${batch}: ${p} is nested too deep`);
      // The record of the run is the one file berth keeps there that is no unit (a folder systemd does not read).
      if (p === LAST_RUN_FILE) continue;
      if (st.isFile()) {
        t.is(depth, 1, p);
        t.true(isUnitName(p), `batch ${batch}: ${p} is not a unit name`);
      } else if (st.isSymbolicLink() && p !== 'default.target.wants') {
        const target = readlinkSync(join(out, p));
        const unit = depth === 2 ? target.replace(/^\.\.\//, '') : target;
        t.true(units.has(unit) && target === (depth === 2 ? `../${unit}` : unit), `batch ${batch}: ${p} → ${target}`);
        t.true(isUnitName(p.split('/').pop()!) && (depth === 1 || /\.(wants|requires|upholds)$/.test(p.split('/')[0]!)), `batch ${batch}: link ${p}`);
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
});

/** The keys a compiler replaces in [Service] (service.set), whose written value is the compiler's. */
const OWNED = new Set(['Type', 'PIDFile', 'NotifyAccess', 'KillMode', 'TimeoutStopSec', 'SuccessExitStatus', 'SyslogIdentifier', 'RemainAfterExit', 'Restart']);
const KIND_SECTION: Record<string, string> = {
  container: 'Container', volume: 'Volume', network: 'Network', pod: 'Pod', image: 'Image', build: 'Build', kube: 'Kube',
};

const pairs = (s: Section | undefined): string[] => (s?.entries ?? []).map((e) => `${e.key}=${e.value}`);

/** Whether `sub` appears in `seq` in order (other items may sit between). */
function isSubsequence(sub: readonly string[], seq: readonly string[]): boolean {
  let i = 0;
  for (const x of seq) if (i < sub.length && x === sub[i]) i++;
  return i === sub.length;
}

test('reading a unit berth wrote gives back exactly what it wrote, and every value it parsed from the definition', (t) => {
  const s = seed();
  t.log(`seed ${s} (replay with BERTH_HOSTILE_SEED=${s})`);
  const r = prng(s);
  let checked = 0;
  for (let i = 0; i < BATCHES * PER_BATCH; i++) {
    const fileName = hostileFileName(r, i);
    const text = hostileDefinition(r, fileName);
    const path = `/defs/${fileName}`;
    const { unit, errors } = UnitFile.parse(text, path);
    if (errors.length > 0) continue;
    const parsed = new Map(parseUnit(text, path).sections.map((x) => [x.name, x]));
    const result = generate([{ fileName, kind: kindOf(fileName)!, unit }], { target: NEWEST_PODMAN, user: false, podman: '/usr/bin/podman' });
    for (const u of result.units) {
      const read = parseUnit(u.text, u.fileName);
      t.deepEqual(read.errors, [], `${fileName}: ${u.fileName} does not read back`);
      const header = ['Automatically generated by berth generate', ''];
      t.is(serializeUnit(read.sections, header), u.text, `${fileName}: ${u.fileName} read back differs from what was written; the definition: ${JSON.stringify(text)}`);
      if (u.fileName.includes('-checkpoint.')) continue;
      const out = new Map(read.sections.map((x) => [x.name, x]));
      const kind = KIND_SECTION[kindOf(fileName)!]!;
      t.deepEqual(pairs(out.get(`X-${kind}`)), pairs(parsed.get(kind)), `${fileName}: [${kind}] is not kept as parsed`);
      t.deepEqual(pairs(out.get('Install')), pairs(parsed.get('Install')), `${fileName}: [Install] is not kept as parsed`);
      for (const [name, section] of parsed) {
        if (name.startsWith('X-')) t.deepEqual(pairs(out.get(name)), pairs(section), `${fileName}: [${name}]`);
      }
      const service = pairs(parsed.get('Service')).filter((p) => !OWNED.has(p.slice(0, p.indexOf('='))));
      t.true(isSubsequence(service, pairs(out.get('Service'))), `${fileName}: [Service] lost or changed a value it parsed`);
      checked++;
    }
  }
  t.log(`${checked} units read back`);
  t.true(checked > 50);
});

test('a huge, binary or unreadable file among the definitions never costs another file its unit', (t) => {
  const s = seed();
  t.log(`seed ${s} (replay with BERTH_HOSTILE_SEED=${s})`);
  const r = prng(s);
  const good = (i: number): string => `[Container]\nImage=localhost/busybox\nExec=sleep ${i}\n[Install]\nWantedBy=multi-user.target\n`;
  const root = mkdtempSync(join(tmpdir(), 'berth-garbage-'));
  const clean = join(root, 'clean');
  const dirty = join(root, 'dirty');
  mkdirSync(clean);
  mkdirSync(dirty);
  for (let i = 0; i < 20; i++) {
    writeFileSync(join(clean, `good${i}.container`), good(i));
    writeFileSync(join(dirty, `good${i}.container`), good(i));
  }
  const names = ['bad.container', 'bad.volume', 'bad.network', 'sub/bad2.container', 'good3.container.d/20-x.conf', 'bad.pod'];
  for (const name of names) {
    mkdirSync(join(dirty, name, '..'), { recursive: true });
    writeFileSync(join(dirty, name), garbage(r));
  }
  execFileSync('mkfifo', [join(dirty, 'fifo.container')]);
  execFileSync('truncate', ['-s', '2G', join(dirty, 'sparse.container')]);
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  const cleanRun = runGenerator(clean, a);
  const dirtyRun = runGenerator(dirty, b);
  t.is(cleanRun.status, 0);
  t.is(dirtyRun.status, 1);
  t.true(dirtyRun.ms < 10_000, `took ${dirtyRun.ms} ms`);
  // A drop-in that is garbage refuses its own definition (good3), and only that one.
  const expected = walk(a).filter((p) => !p.endsWith('/') && !p.includes('good3.') && p !== LAST_RUN_FILE);
  t.is(expected.length, 19 * 2);
  for (const p of expected) t.is(readFileSync(join(b, p), 'utf8').replaceAll(dirty, clean), readFileSync(join(a, p), 'utf8'), p);
  t.regex(dirtyRun.stderr, /converting "sparse\.container": is 2147483648 bytes; berth reads definitions of at most \d+ bytes \(at \/\S+\/sparse\.container\)/);
  t.regex(dirtyRun.stderr, /skipped: not a regular file \(a FIFO, socket or device\) \(at \/\S+\/fifo\.container\)/);
  rmSync(root, { recursive: true, force: true });
});

test('a definition of nearly a megabyte, with a hundred thousand words or lines, is generated or refused alone, quickly', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'berth-big-'));
  const input = join(root, 'in');
  mkdirSync(input);
  writeFileSync(join(input, 'good.container'), '[Container]\nImage=localhost/busybox\n');
  writeFileSync(join(input, 'words.container'), `[Container]\nImage=localhost/busybox\nExec=${'a '.repeat(400_000)}\n`);
  writeFileSync(join(input, 'lines.container'), `[Container]\nImage=localhost/busybox\n${'PodmanArgs=--x\n'.repeat(60_000)}`);
  writeFileSync(join(input, 'bad.container'), `[Container]\nImage=localhost/busybox\n${'Exec=\\q\n'.repeat(100_000)}`);
  writeFileSync(join(input, 'junk.container'), 'no section here\n'.repeat(60_000));
  const run = runGenerator(input, join(root, 'out'));
  t.log(`${run.ms} ms`);
  t.true(run.ms < 15_000);
  const out = readdirSync(join(root, 'out')).sort();
  t.deepEqual(out, ['bad.service', 'berth', 'good.service', 'lines.service', 'words.service']);
  t.regex(run.stderr, /… and 99950 more of the same kind/);
  t.regex(run.stderr, /too many syntax errors; the rest of the file is not read \(at \/\S+\/junk\.container:51:1\)/);
  rmSync(root, { recursive: true, force: true });
});
