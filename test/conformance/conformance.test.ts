/**
 * Podman's Quadlet end-to-end cases, run against berth's generator as systemd runs it: the bundle, as a
 * real process.
 *
 *   npx tsc -p . && npx ava dist/test/conformance/
 *   CONFORMANCE_CASE=basic.container npx ava dist/test/conformance/conformance.test.js   (one case, verbose;
 *     several: comma-separated; the subfolder scan: CONFORMANCE_CASE=test_subdir)
 *
 * Env: CONFORMANCE_DIR (default ../shared/conformance/quadlet beside the checkout), CONFORMANCE_JOBS (default 8),
 * CONFORMANCE_KEEP=1 keeps the scratch folders, CONFORMANCE_PODMAN_VERSION (default 6.0) is the target podman. The whole run must pass at least as many cases as
 * test/conformance/floor.json records; the full list of failures goes to dist/conformance-report.txt.
 */
import test from 'ava';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  compactFailure, failuresFirstActionable, gateLine, formatReport, loadManifest, makeWorkRoot, pool, runCase, runSubdirCase,
  shortenPaths, SUBDIR_CASE, summarize, unexpectedFailures, type CaseOutcome, type ExpectedFailure, type RunOptions,
} from '../helpers/conformance-runner.js';

// Compiled to dist/test/conformance/: the repository is three levels up.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(REPO, 'dist');
const GENERATOR = join(DIST, 'berth-generator.cjs');
const FLOOR_FILE = join(REPO, 'test/conformance/floor.json');
const CASES_DIR = process.env['CONFORMANCE_DIR'] || join(REPO, '../shared/conformance/quadlet');
const JOBS = Number(process.env['CONFORMANCE_JOBS'] || 8);
const ONLY = (process.env['CONFORMANCE_CASE'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const MAX_LOGGED = 40;

const available = existsSync(join(CASES_DIR, 'MANIFEST.json'));

if (!available) {
  // Never skip silently: CI must have the cases (shared/ beside the checkout).
  test('quadlet conformance cases are present', (t) => t.fail(`conformance cases not found in ${CASES_DIR} (set CONFORMANCE_DIR)`));
} else {
  test('quadlet conformance', async (t) => {
    t.timeout(4 * 60_000);
    t.true(existsSync(GENERATOR), `build first: ${GENERATOR} is missing`);

    const manifest = loadManifest(CASES_DIR);
    const wantSubdir = ONLY.length === 0 || ONLY.some((c) => c === 'test_subdir' || c === SUBDIR_CASE);
    const cases = ONLY.length === 0 ? manifest.cases : manifest.cases.filter((c) => ONLY.includes(c.file));
    if (ONLY.length > 0) t.true(cases.length > 0 || wantSubdir, `no MANIFEST case named ${ONLY.join(', ')}`);

    const workRoot = makeWorkRoot();
    const opts: RunOptions = { casesDir: CASES_DIR, generator: GENERATOR, workRoot, podmanVersion: process.env['CONFORMANCE_PODMAN_VERSION'] || '6.0', verify: true };
    const jobs: Array<() => Promise<CaseOutcome>> = cases.map((c, i) => () => runCase(c, i, opts));
    if (wantSubdir) jobs.push(() => runSubdirCase(cases.length, opts));
    const outcomes = await pool(jobs, JOBS, (job) => job());
    const keep = process.env['CONFORMANCE_KEEP'] === '1' || ONLY.length > 0;
    if (keep) t.log(`scratch folders kept in ${workRoot}`);
    else rmSync(workRoot, { recursive: true, force: true });

    const summary = summarize(outcomes);
    console.log(summary.line);
    t.log(summary.line);

    if (ONLY.length > 0) {
      // Debugging one case: everything about it, and the case itself decides the test.
      for (const o of outcomes) {
        t.log(`== ${o.file}: ${o.status} (exit ${o.exitCode})`);
        for (const f of o.failures) t.log(`   - ${shortenPaths(f, o)}`);
        if (o.stderr.trim()) t.log(`stderr:\n${shortenPaths(o.stderr, o)}`);
        if (o.stdout.trim()) t.log(`stdout:\n${shortenPaths(o.stdout, o)}`);
        if (o.unitText !== undefined) t.log(`${o.unitName}:\n${shortenPaths(o.unitText, o)}`);
      }
      t.is(summary.failed, 0, 'the selected cases should pass');
      return;
    }

    const report = formatReport(outcomes, summary);
    writeFileSync(join(DIST, 'conformance-report.txt'), report);
    const failed = failuresFirstActionable(outcomes);
    for (const o of failed.slice(0, MAX_LOGGED)) t.log(`  ${compactFailure(o)}`);
    if (failed.length > MAX_LOGGED) t.log(`  … ${failed.length - MAX_LOGGED} more in dist/conformance-report.txt`);
    for (const o of outcomes.filter((x) => x.status === 'na')) t.log(`  n/a ${o.file}: ${gateLine(o)}`);

    const floor = JSON.parse(readFileSync(FLOOR_FILE, 'utf8')) as { passed: number; expected: ExpectedFailure[] };
    t.deepEqual(unexpectedFailures(outcomes, floor.expected), [],
      'cases failing otherwise than test/conformance/floor.json expects (one failing by design goes there, as shown, with its reason)');
    for (const e of floor.expected.filter((e) => outcomes.some((o) => o.file === e.case && o.status === 'pass'))) {
      t.log(`${e.case} passes now: remove it from the expected failures in test/conformance/floor.json`);
    }
    if (summary.passed > floor.passed) {
      t.log(`${summary.passed} passed, above the floor of ${floor.passed}: raise it in test/conformance/floor.json`);
    }
    t.true(summary.passed >= floor.passed,
      `${summary.passed} conformance cases passed, below the floor of ${floor.passed} (test/conformance/floor.json)`);
  });
}
