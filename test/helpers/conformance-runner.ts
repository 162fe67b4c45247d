/**
 * Runs Podman's Quadlet conformance cases (/work/shared/conformance/quadlet, see GRAMMAR.md there) against
 * berth's generator as a real process, one scratch source folder per case, and judges the outcome.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runProcess, type ProcessResult } from './processes.js';
import { evaluateChecks, expectsFailure, parseChecks } from './conformance-checks.js';

export interface ManifestCase {
  readonly file: string;
  readonly description?: string;
  readonly mode: 'success' | 'warning' | 'error';
  readonly exitCode: number;
  readonly stderrContains?: string;
  readonly dependencies?: readonly string[];
  readonly serviceName?: string;
}

export interface Manifest {
  readonly notes?: readonly string[];
  readonly cases: readonly ManifestCase[];
}

export type Status = 'pass' | 'fail' | 'na';

export interface CaseOutcome {
  readonly file: string;
  readonly status: Status;
  /** Every reason the case failed, first one first (empty when it passed). */
  readonly failures: readonly string[];
  /** For `na`: the podman version the generator said it needs. */
  readonly needs?: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly unitName: string;
  readonly unitText?: string;
  /** The scratch source folder, for turning paths in messages back into something short. */
  readonly sourceDir: string;
}

export interface RunOptions {
  readonly casesDir: string;
  /** dist/berth-generator.cjs: the bundle the installed generator links point at. */
  readonly generator: string;
  /** The folder holding subtest-N folders; its name must match podman-e2e-*. */
  readonly workRoot: string;
  readonly podmanVersion: string;
  readonly timeoutMs?: number;
  /** Also run `systemd-analyze verify` over every unit a successful case generated. */
  readonly verify?: boolean;
}

const SUFFIX: Readonly<Record<string, string>> = {
  container: '', kube: '', volume: '-volume', network: '-network', image: '-image', build: '-build', pod: '-pod',
  artifact: '-artifact',
};

/** The unit a case checks: serviceName, or base name + kind suffix + .service. */
export function expectedUnitName(file: string, serviceName?: string): string {
  if (serviceName) return serviceName;
  const dot = file.lastIndexOf('.');
  const ext = file.slice(dot + 1);
  return `${file.slice(0, dot)}${SUFFIX[ext] ?? ''}.service`;
}

/** The drop-in folders a case brings along: file.d/, and foo@.ext.d/ for an instance foo@bar.ext. */
export function dropinFolders(file: string): string[] {
  const out = [`${file}.d`];
  const dot = file.lastIndexOf('.');
  const at = file.indexOf('@');
  if (at >= 0 && at < dot && at + 1 < dot) out.push(`${file.slice(0, at + 1)}${file.slice(dot)}.d`);
  return out;
}

export function loadManifest(casesDir: string): Manifest {
  return JSON.parse(readFileSync(join(casesDir, 'MANIFEST.json'), 'utf8')) as Manifest;
}

/** A fresh work root under the temp folder: <tmp>/podman-e2e-<pid>. */
export function makeWorkRoot(): string {
  const root = join(tmpdir(), `podman-e2e-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  return root;
}

/** Copies a file or folder (recursively), written fresh so that read-only sources give writable copies. */
function copy(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copy(join(from, name), join(to, name));
  } else {
    writeFileSync(to, readFileSync(from));
  }
}


/** The generator's environment: system scope, no inherited overrides, definitions only from `sourceDir`. */
function generatorEnv(sourceDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_UNIT_DIRS: sourceDir };
  for (const k of ['SYSTEMD_SCOPE', 'BERTH_PODMAN_VERSION', 'PODMAN', 'NODE_OPTIONS']) delete env[k];
  return env;
}

/** An uncaught exception: node prints a stack trace. */
const CRASH = /^\s+at .*(?:file:\/\/|node:internal)/m;
/** The exception's own line, e.g. "TypeError: Cannot read properties of undefined". */
const CRASH_LINE = /^(?:\w*Error|Error \[\w+\])\b.*$/m;

export function isCrash(stderr: string): boolean {
  return CRASH.test(stderr);
}

/**
 * Runs the generator; a crash is retried twice after a pause, because other people's builds may be
 * rewriting dist/ under us (a half-written module fails to load). A crash that persists is reported.
 */
async function runGenerator(argv: readonly string[], sourceDir: string, opts: RunOptions, reset: () => void): Promise<ProcessResult> {
  let res = await runProcess(process.execPath, argv, { env: generatorEnv(sourceDir), timeoutMs: opts.timeoutMs ?? 60_000 });
  for (let attempt = 0; attempt < 2 && isCrash(res.stderr); attempt++) {
    await new Promise((r) => setTimeout(r, 1000));
    reset();
    res = await runProcess(process.execPath, argv, { env: generatorEnv(sourceDir), timeoutMs: opts.timeoutMs ?? 60_000 });
  }
  return res;
}

const NEEDS = /needs podman (\d+(?:\.\d+)*)/g;

/** The highest podman version a stderr says is needed, if it says so at all. */
export function neededVersion(stderr: string): string | undefined {
  let best: string | undefined;
  for (const m of stderr.matchAll(NEEDS)) if (!best || compareDotted(m[1]!, best) > 0) best = m[1]!;
  return best;
}

export function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function judge(failures: string[], stderr: string): { status: Status; needs?: string } {
  if (failures.length === 0) return { status: 'pass' };
  const needs = neededVersion(stderr);
  return needs ? { status: 'na', needs } : { status: 'fail' };
}

/** Runs one MANIFEST case in <workRoot>/subtest-<index>/. */
export { pool } from './processes.js';

export async function runCase(c: ManifestCase, index: number, opts: RunOptions): Promise<CaseOutcome> {
  const subtest = join(opts.workRoot, `subtest-${index}`);
  const sourceDir = join(subtest, 'quadlet');
  const outDir = join(subtest, 'generated');
  rmSync(subtest, { recursive: true, force: true });
  mkdirSync(sourceDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });

  const caseText = readFileSync(join(opts.casesDir, c.file), 'utf8');
  copy(join(opts.casesDir, c.file), join(sourceDir, c.file));
  for (const d of dropinFolders(c.file)) {
    if (existsSync(join(opts.casesDir, d))) copy(join(opts.casesDir, d), join(sourceDir, d));
  }
  for (const dep of c.dependencies ?? []) copy(join(opts.casesDir, dep), join(sourceDir, dep));

  const argv = [opts.generator, '--no-kmsg-log', '--podman-version', opts.podmanVersion, outDir];
  const res = await runGenerator(argv, sourceDir, opts, () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
  });
  const unitName = expectedUnitName(c.file, c.serviceName);
  const unitPath = join(outDir, unitName);
  const unitText = existsSync(unitPath) ? readFileSync(unitPath, 'utf8') : undefined;

  const failures: string[] = [];
  if (res.exitCode !== c.exitCode) failures.push(`exit code ${res.exitCode}, expected ${c.exitCode}`);
  if (c.stderrContains && !res.stderr.includes(c.stderrContains)) {
    failures.push(`stderr lacks ${JSON.stringify(c.stderrContains)}`);
  }
  const checks = parseChecks(caseText);
  if (!expectsFailure(checks) && unitText === undefined) failures.push(`no ${unitName} generated`);
  const verdict = evaluateChecks(checks, {
    unitText,
    unitPath,
    stderr: res.stderr,
    readlink: (rel) => {
      try {
        return readlinkSync(join(outDir, rel));
      } catch {
        return undefined;
      }
    },
  });
  if (opts.verify && res.exitCode === 0) {
    const problem = await verifyUnits(outDir, caseText);
    if (problem) failures.push(`systemd-analyze verify: ${problem}`);
  }
  for (const f of verdict.failures) {
    // Without a unit every unit check fails the same way; the line above already says so.
    if (unitText === undefined && f.detail === 'no unit was generated') continue;
    failures.push(`line ${f.check.line} ${f.check.invert ? '!' : ''}${f.check.op} ${f.check.args.map((x) => JSON.stringify(x)).join(' ')}: ${f.detail}`);
  }
  return {
    file: c.file, ...judge(failures, res.stderr), failures, exitCode: res.exitCode, stderr: res.stderr,
    stdout: res.stdout, unitName, unitText, sourceDir,
  };
}

/**
 * systemd's own judgement of the generated units (with /usr/bin/podman present). Returns the first error
 * line, or undefined when verify passes. Warnings about keys the definition itself wrote (e.g. an [Install]
 * key this systemd does not know) do not fail it; systemd-analyze's exit status decides.
 */
function verifyUnits(outDir: string, caseText: string): Promise<string | undefined> {
  const units = readdirSync(outDir).filter((f) => f.endsWith('.service')).map((f) => join(outDir, f));
  if (units.length === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile('systemd-analyze', ['verify', '--man=no', ...units], { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve(undefined);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '');
      // A complaint about a line the case wrote itself (e.g. DynamicUser=foobar) is the case's, not berth's.
      const located = lines.filter((l) => /^\/[^:]+:\d+:/.test(l));
      const ours = located.filter((l) => !copiedFromCase(l, caseText));
      if (located.length > 0 && ours.length === 0) return resolve(undefined);
      resolve(ours[0] ?? lines[0] ?? String(err.message));
    });
  });
}

/** True when systemd's message points at a unit line that stands verbatim in the case file. */
function copiedFromCase(message: string, caseText: string): boolean {
  const m = /^(\/[^:]+):(\d+):/.exec(message);
  if (!m) return false;
  let line: string | undefined;
  try {
    line = readFileSync(m[1]!, 'utf8').split('\n')[Number(m[2]) - 1];
  } catch {
    return false;
  }
  return line !== undefined && line.includes('=') && caseText.split('\n').includes(line);
}

export const SUBDIR_CASE = 'test_subdir (dryrun)';
const SUBDIR_EXPECTED = ['---mysleep.service---', '---mysleep_1.service---', '---mysleep_2.service---'];

/** The subfolder scan: test_subdir/ copied into the source folder, `generate --dryrun` names all three units. */
export async function runSubdirCase(index: number, opts: RunOptions): Promise<CaseOutcome> {
  const subtest = join(opts.workRoot, `subtest-${index}`);
  const sourceDir = join(subtest, 'quadlet');
  rmSync(subtest, { recursive: true, force: true });
  copy(join(opts.casesDir, 'test_subdir'), sourceDir);
  const argv = [opts.generator, '--no-kmsg-log', '--dryrun', '--podman-version', opts.podmanVersion];
  const res = await runGenerator(argv, sourceDir, opts, () => undefined);
  const failures: string[] = [];
  if (res.exitCode !== 0) failures.push(`exit code ${res.exitCode}, expected 0`);
  const lines = new Set(res.stdout.split('\n'));
  for (const want of SUBDIR_EXPECTED) if (!lines.has(want)) failures.push(`stdout lacks the line ${want}`);
  return {
    file: SUBDIR_CASE, ...judge(failures, res.stderr), failures, exitCode: res.exitCode, stderr: res.stderr,
    stdout: res.stdout, unitName: '(dryrun)', sourceDir,
  };
}


export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly notApplicable: number;
  readonly highestNeeded?: string;
  readonly line: string;
}

export function summarize(outcomes: readonly CaseOutcome[]): Summary {
  const passed = outcomes.filter((o) => o.status === 'pass').length;
  const failed = outcomes.filter((o) => o.status === 'fail').length;
  const na = outcomes.filter((o) => o.status === 'na');
  let highest: string | undefined;
  for (const o of na) if (o.needs && (!highest || compareDotted(o.needs, highest) > 0)) highest = o.needs;
  const tail = na.length > 0 && highest ? ` (needs podman ≥ ${highest})` : '';
  const line = `conformance: ${passed} passed, ${failed} failed, ${na.length} not applicable${tail}`;
  return { passed, failed, notApplicable: na.length, highestNeeded: highest, line };
}

/** Shortens the scratch paths in a message: <src>/file instead of /tmp/podman-e2e-1/subtest-2/quadlet/file. */
export function shortenPaths(text: string, o: CaseOutcome): string {
  return text.replaceAll(o.sourceDir, '<src>');
}

/**
 * A case test/conformance/floor.json accepts as failing, by design, with exactly how it fails: a case that
 * fails in any other way (another failure, another message) fails the suite.
 */
export interface ExpectedFailure {
  readonly case: string;
  /** Its failures, as the report writes them (scratch paths as <src>). */
  readonly failures: readonly string[];
  /** The generator's stderr lines, likewise. */
  readonly stderr: readonly string[];
  readonly reason: string;
}

/** How a failed case failed, in the terms of floor.json. */
export function failureOf(o: CaseOutcome): Omit<ExpectedFailure, 'reason'> {
  return {
    case: o.file,
    failures: o.failures.map((f) => shortenPaths(f, o)),
    stderr: o.stderr.split('\n').filter((l) => l.trim() !== '').map((l) => shortenPaths(l, o)),
  };
}

/** The failed cases that floor.json does not expect to fail exactly so. */
export function unexpectedFailures(outcomes: readonly CaseOutcome[], expected: readonly ExpectedFailure[]): Array<Omit<ExpectedFailure, 'reason'>> {
  return outcomes
    .filter((o) => o.status === 'fail')
    .map(failureOf)
    .filter((f) => !expected.some(({ reason: _, ...e }) => isDeepStrictEqual(e, f)));
}

/** For a case counted as not applicable: the stderr line that names the version gate. */
export function gateLine(o: CaseOutcome): string {
  return shortenPaths(o.stderr.split('\n').find((l) => /needs podman/.test(l)) ?? '', o);
}

export function firstStderrLine(o: CaseOutcome): string {
  const crash = isCrash(o.stderr) ? CRASH_LINE.exec(o.stderr) : null;
  if (crash) return `CRASH ${shortenPaths(crash[0], o)}`;
  const line = o.stderr.split('\n').find((l) => l.trim() !== '') ?? '';
  return shortenPaths(line, o);
}

/** One line per failed case: file, first failing check, generator's first stderr line. */
export function compactFailure(o: CaseOutcome): string {
  const more = o.failures.length > 1 ? ` [+${o.failures.length - 1} more]` : '';
  const err = firstStderrLine(o);
  return `${o.file}: ${shortenPaths(o.failures[0] ?? '', o)}${more}${err ? ` | stderr: ${err}` : ''}`;
}

const UNSUPPORTED = 'definitions are not supported yet';

/**
 * The failed cases, most actionable first: those failing for their own reasons, then those held back only
 * by a dependency of a kind berth does not compile yet, then those of such a kind themselves; otherwise
 * in MANIFEST order.
 */
export function failuresFirstActionable(outcomes: readonly CaseOutcome[]): CaseOutcome[] {
  const rank = (o: CaseOutcome): number => {
    if (!o.stderr.includes(UNSUPPORTED)) return 0;
    const own = o.stderr.split('\n').some((l) => l.includes(`/${o.file}:`) && l.includes(UNSUPPORTED));
    return own ? 2 : 1;
  };
  return outcomes.filter((o) => o.status === 'fail').sort((a, b) => rank(a) - rank(b));
}

/** The report: summary, compact failure list, then every failing check of every failed case. */
export function formatReport(outcomes: readonly CaseOutcome[], summary: Summary): string {
  const failed = failuresFirstActionable(outcomes);
  const na = outcomes.filter((o) => o.status === 'na');
  const lines = [summary.line, '', `Failures (${failed.length}):`, ...failed.map((o) => `  ${compactFailure(o)}`)];
  if (na.length > 0) {
    lines.push('', `Not applicable (${na.length}):`, ...na.map((o) => `  ${o.file}: ${gateLine(o)}`));
  }
  lines.push('', 'Details:');
  for (const o of failed) {
    lines.push(`== ${o.file} (exit ${o.exitCode}, unit ${o.unitName}${o.unitText === undefined ? ' absent' : ''})`);
    for (const f of o.failures) lines.push(`   - ${shortenPaths(f, o)}`);
    const errLines = o.stderr.split('\n').filter((l) => l.trim() !== '');
    for (const l of errLines.slice(0, 5)) lines.push(`   stderr: ${shortenPaths(l, o)}`);
    if (errLines.length > 5) lines.push(`   stderr: … ${errLines.length - 5} more lines`);
  }
  return lines.join('\n') + '\n';
}
