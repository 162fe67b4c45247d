/**
 * The real-world Quadlet corpus (shared/corpus/realworld beside the checkout: one case per second-level
 * folder `owner__repo/case/`) compiled by berth (for podman 5.4) and by Podman 5.4.2's Quadlet, compared as
 * systemd reads the output. Every difference must be one of the accepted ones in differences.ts.
 *
 *   BERTH_CORPUS_DIR=<dir>        another corpus
 *   BERTH_CORPUS_CASE=<substring> only matching cases
 *   BERTH_DIFF_SHRINK_SECONDS=<s> time spent shrinking examples (default 15)
 */
import test from 'ava';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareFolder, sourceText, type Difference } from '../helpers/unit-compare.js';
import { contextOf, formatExample, pool, shrinkDefinition, signature, writeSources, type Example } from '../helpers/differential.js';
import type { SourceFile } from '../helpers/random-definition.js';
import { explain } from './differences.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CORPUS = process.env['BERTH_CORPUS_DIR'] || join(REPO, '../shared/corpus/realworld');
const ONLY = process.env['BERTH_CORPUS_CASE'] ?? '';
const SHRINK_MS = Number(process.env['BERTH_DIFF_SHRINK_SECONDS'] ?? 15) * 1000;

function caseFolders(root: string): string[] {
  const out: string[] = [];
  for (const owner of readdirSync(root).sort()) {
    const dir = join(root, owner);
    if (!lstatSync(dir).isDirectory()) continue;
    for (const c of readdirSync(dir).sort()) if (lstatSync(join(dir, c)).isDirectory()) out.push(join(dir, c));
  }
  return out;
}

function caseFiles(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const st = lstatSync(full);
      const rel = relative(dir, full);
      if (st.isSymbolicLink()) out.push({ path: rel, text: '', symlinkTo: readlinkSync(full) });
      else if (st.isDirectory()) walk(full);
      else out.push({ path: rel, text: readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

const DEFINITION = /[\w.@%-]+\.(?:container|volume|network|pod|image|build|kube|artifact)\b/g;

interface Case {
  readonly dir: string;
  readonly files: SourceFile[];
  /** File names, service names and referenced definition names: cases sharing one cannot share a folder. */
  readonly names: Set<string>;
}

function loadCase(dir: string): Case {
  const files = caseFiles(dir);
  const names = new Set<string>();
  for (const f of files) {
    names.add(f.path.split('/')[0]!);
    for (const m of f.text.matchAll(DEFINITION)) names.add(m[0]);
    for (const m of f.text.matchAll(/^\s*ServiceName\s*=\s*(\S+)/gm)) names.add(`${m[1]!}.service`);
  }
  return { dir, files, names };
}

/**
 * Packs cases into groups whose names do not meet, so that one generator run compiles a whole group
 * exactly as it would compile each case alone (each reference still finds only its own case's file).
 */
function pack(cases: readonly Case[], maxPerGroup: number): Case[][] {
  const groups: Array<{ cases: Case[]; names: Set<string> }> = [];
  for (const c of cases) {
    let g = groups.find((x) => x.cases.length < maxPerGroup && ![...c.names].some((n) => x.names.has(n)));
    if (!g) {
      g = { cases: [], names: new Set() };
      groups.push(g);
    }
    g.cases.push(c);
    for (const n of c.names) g.names.add(n);
  }
  return groups.map((g) => g.cases);
}

if (!existsSync(CORPUS)) {
  test('the real-world corpus is present beside the checkout', (t) => {
    t.fail(`corpus not found at ${CORPUS} (shared/corpus/realworld beside the checkout, or BERTH_CORPUS_DIR)`);
  });
} else {
  test('every difference between berth and Quadlet 5.4.2 on the real-world corpus is a known, accepted one', async (t) => {
    t.timeout(4 * 60_000 + SHRINK_MS);
    const cases = caseFolders(CORPUS).filter((c) => c.includes(ONLY)).map(loadCase);
    t.true(cases.length > 0, `no case folders in ${CORPUS}`);
    const work = mkdtempSync(join(tmpdir(), 'berth-corpus-'));
    const started = Date.now();
    const groups = pack(cases, 12);
    const results = await pool(groups, 2, async (group, i) => {
      const src = join(work, `group-${i}`, 'src');
      writeSources(src, group.flatMap((c) => c.files));
      const r = await compareFolder(REPO, src, join(work, `group-${i}`));
      const caseOf = (d: Difference): string => {
        const name = d.source ?? d.unit.split('/').pop() ?? '';
        return (group.find((c) => c.files.some((f) => f.path === name)) ?? group.find((c) => c.names.has(name)) ?? group[0]!).dir;
      };
      return r.differences.map((d) => ({ d, dir: caseOf(d), ctx: contextOf(src, d, r.quadlet.stderr) }));
    });
    const compared = Date.now() - started;
    rmSync(work, { recursive: true, force: true });

    const classes = new Map<string, Array<{ d: Difference; dir: string }>>();
    let explained = 0;
    for (const { d, dir, ctx } of results.flat()) {
      if (explain(d, ctx)) {
        explained++;
        continue;
      }
      const sig = signature(d);
      classes.set(sig, [...(classes.get(sig) ?? []), { d, dir }]);
    }
    const deadline = Date.now() + SHRINK_MS;
    const examples: Example[] = [];
    for (const [sig, found] of classes) {
      const { d, dir } = found[0]!;
      const where = `case ${relative(CORPUS, dir)} (BERTH_CORPUS_CASE=${relative(CORPUS, dir)}); ${found.length} occurrence(s) of this class in ${new Set(found.map((f) => f.dir)).size} case(s)`;
      let text = d.source !== undefined ? sourceText(dir, d.source) : caseFiles(dir).map((f) => `--- ${f.path}\n${f.text}`).join('\n');
      const files = caseFiles(dir);
      const index = files.findIndex((f) => f.path === d.source && f.symlinkTo === undefined);
      if (index >= 0 && Date.now() < deadline) {
        const shrunk = await shrinkDefinition(REPO, join(work, 'shrink'), files, index, (ds, dir, qerr) => ds.some((x) => !explain(x, contextOf(dir, x, qerr)) && signature(x) === sig), deadline);
        text = `--- ${d.source} (shrunk; the case's other files stay beside it)\n${shrunk}`;
      }
      examples.push({ difference: d, where, text });
    }
    t.log(`${cases.length} cases compared in ${groups.length} folders in ${compared} ms; ${explained} known difference(s), ${classes.size} unexplained class(es)`);
    for (const e of examples) t.log(formatExample(e));
    rmSync(work, { recursive: true, force: true });
    t.is(classes.size, 0, `${classes.size} class(es) of differences are not in test/differential/differences.ts`);
  });
}
