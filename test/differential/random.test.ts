/**
 * Random Quadlet definitions compiled by berth (for podman 5.4) and by Podman 5.4.2's Quadlet, compared as
 * systemd reads the output (test/helpers/unit-compare.ts). Every difference must be one of the accepted
 * ones in differences.ts.
 *
 *   BERTH_DIFF_SEED=<n>     replay a run (the seed is printed)
 *   BERTH_DIFF_COUNT=<n>    number of definitions (default 300)
 *   BERTH_DIFF_BATCH=<i>    only batch i of that seed
 *   BERTH_DIFF_KEEP=1       keep the scratch folders
 *   BERTH_DIFF_SHRINK_SECONDS=<s>  time spent shrinking examples (default 15)
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchSeed, diffSeedFromEnv, generateBatch, type Batch } from '../helpers/random-definition.js';
import { compareFolder, sourceText, type Difference } from '../helpers/unit-compare.js';
import { contextOf, formatExample, pool, shrinkDefinition, signature, writeSources, type Example } from '../helpers/differential.js';
import { explain } from './differences.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const COUNT = Number(process.env['BERTH_DIFF_COUNT'] || 300);
const ONLY_BATCH = process.env['BERTH_DIFF_BATCH'];
const SHRINK_MS = Number(process.env['BERTH_DIFF_SHRINK_SECONDS'] ?? 15) * 1000;

test('every difference between berth and Quadlet 5.4.2 on random definitions is a known, accepted one', async (t) => {
  t.timeout(4 * 60_000 + SHRINK_MS);
  const seed = diffSeedFromEnv();
  t.log(`seed ${seed} (replay with BERTH_DIFF_SEED=${seed})`);
  const batches: Batch[] = [];
  if (ONLY_BATCH !== undefined && ONLY_BATCH !== '') {
    const i = Number(ONLY_BATCH);
    batches.push(generateBatch(batchSeed(seed, i), i));
  } else {
    for (let i = 0, n = 0; n < COUNT; i++) {
      const b = generateBatch(batchSeed(seed, i), i);
      batches.push(b);
      n += b.definitions;
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'berth-diff-'));
  const started = Date.now();
  const results = await pool(batches, 2, async (b) => {
    const src = join(work, `batch-${b.index}`, 'src');
    writeSources(src, b.files);
    const r = await compareFolder(REPO, src, join(work, `batch-${b.index}`));
    return { batch: b, src, differences: r.differences, quadletStderr: r.quadlet.stderr };
  });
  const compared = Date.now() - started;

  // Unexplained differences, grouped by class; the first example of each class is shrunk.
  const classes = new Map<string, Array<{ d: Difference; batch: Batch; src: string }>>();
  let explained = 0;
  for (const r of results) {
    for (const d of r.differences) {
      if (explain(d, contextOf(r.src, d, r.quadletStderr))) {
        explained++;
        continue;
      }
      const sig = signature(d);
      classes.set(sig, [...(classes.get(sig) ?? []), { d, batch: r.batch, src: r.src }]);
    }
  }
  const deadline = Date.now() + SHRINK_MS;
  const examples: Example[] = [];
  for (const [sig, found] of classes) {
    const { d, batch, src } = found[0]!;
    const where = `batch ${batch.index} (BERTH_DIFF_SEED=${seed} BERTH_DIFF_BATCH=${batch.index}); ${found.length} occurrence(s) of this class`;
    let text = d.source !== undefined ? sourceText(src, d.source) : batch.files.map((f) => `--- ${f.path}\n${f.text}`).join('\n');
    const index = batch.files.findIndex((f) => f.path === d.source && f.symlinkTo === undefined);
    if (index >= 0 && Date.now() < deadline) {
      const shrunk = await shrinkDefinition(REPO, join(work, 'shrink'), batch.files, index, (ds, dir, qerr) => ds.some((x) => !explain(x, contextOf(dir, x, qerr)) && signature(x) === sig), deadline);
      const others = sourceText(src, d.source!).split(/^(?=--- )/m).slice(1);
      text = [`--- ${d.source} (shrunk)\n${shrunk}`, ...others].join('\n');
    }
    examples.push({ difference: d, where, text });
  }

  const definitions = batches.reduce((n, b) => n + b.definitions, 0);
  t.log(`${definitions} definitions in ${batches.length} batches compared in ${compared} ms; ${explained} known difference(s), ${classes.size} unexplained class(es)`);
  for (const e of examples) t.log(formatExample(e));
  if (process.env['BERTH_DIFF_KEEP'] === '1') t.log(`scratch folders kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  t.is(classes.size, 0, `${classes.size} class(es) of differences are not in test/differential/differences.ts (seed ${seed})`);
});
