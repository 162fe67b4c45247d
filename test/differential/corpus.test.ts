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
import { formatExample, pool, shrinkDefinition, signature, type Example } from '../helpers/differential.js';
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

if (!existsSync(CORPUS)) {
  test('the real-world corpus is present beside the checkout', (t) => {
    t.fail(`corpus not found at ${CORPUS} (shared/corpus/realworld beside the checkout, or BERTH_CORPUS_DIR)`);
  });
} else {
  test('every difference between berth and Quadlet 5.4.2 on the real-world corpus is a known, accepted one', async (t) => {
    t.timeout(5 * 60_000);
    const cases = caseFolders(CORPUS).filter((c) => c.includes(ONLY));
    t.true(cases.length > 0, `no case folders in ${CORPUS}`);
    const work = mkdtempSync(join(tmpdir(), 'berth-corpus-'));
    const started = Date.now();
    const results = await pool(cases, 2, async (dir, i) => {
      const r = await compareFolder(REPO, dir, join(work, `case-${i}`));
      rmSync(join(work, `case-${i}`), { recursive: true, force: true });
      return { dir, differences: r.differences };
    });
    const compared = Date.now() - started;

    const classes = new Map<string, Array<{ d: Difference; dir: string }>>();
    let explained = 0;
    for (const r of results) {
      for (const d of r.differences) {
        if (explain(d)) {
          explained++;
          continue;
        }
        const sig = signature(d);
        classes.set(sig, [...(classes.get(sig) ?? []), { d, dir: r.dir }]);
      }
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
        const shrunk = await shrinkDefinition(REPO, join(work, 'shrink'), files, index, (ds) => ds.some((x) => !explain(x) && signature(x) === sig), deadline);
        text = `--- ${d.source} (shrunk; the case's other files stay beside it)\n${shrunk}`;
      }
      examples.push({ difference: d, where, text });
    }
    t.log(`${cases.length} cases compared in ${compared} ms; ${explained} known difference(s), ${classes.size} unexplained class(es)`);
    for (const e of examples) t.log(formatExample(e));
    rmSync(work, { recursive: true, force: true });
    t.is(classes.size, 0, `${classes.size} class(es) of differences are not in test/differential/differences.ts`);
  });
}
