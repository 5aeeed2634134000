/**
 * Replication of parameter-space saliency (Levin et al.; Wang & Sato's POT reformulation) on the
 * demo project (issue 4, "Replication on the demo project"; algorithms.md §1.5–§1.7, §1.12, §8):
 *
 *   1. reference statistics of digits-cnn and digits-cnn-malicious on demo/images/reference;
 *   2. the planted malicious filter (conv2 #11): its z-score and POT rank on the errors it causes,
 *      and zeroing it alone, under two calibrations (the malicious model's own statistics, and the
 *      clean model's);
 *   3. domain shift: digits-cnn with in-domain statistics on its out-of-domain errors, layer-depth
 *      bias of the z-score and POT picks beside the paper's Tables 1–2;
 *   4. protocol curves (zero, one-step fine-tune; K = 25) with every selector;
 *   5. threshold sensitivity of protocol B with POT (levels 0.7 … 0.95).
 *
 * Writes demo/reports/param-saliency.json (report-types.ts) and param-saliency.md, and prints the
 * Markdown. Deterministic: fixed random-selector seed, pinned TensorFlow threads.
 *
 *   node bin/run-ts.mjs scripts/replicate-param-saliency.ts [--out-dir demo/reports]
 *     [--cache .tmp/replicate-param-saliency] [--no-sensitivity] [--quiet]
 *   node bin/run-ts.mjs scripts/replicate-param-saliency.ts --render-only   (param-saliency.md from the JSON)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DEMO, PLANTED, defaultCache, openContext, referenceStats, type Context } from './replicate/context';
import { domainShift, thresholdSensitivity } from './replicate/domain-shift';
import { generatorBlock, setupBlock } from './replicate/setup';
import { plantedStudy } from './replicate/planted';
import { renderMarkdown } from './replicate/markdown';
import { REPORT_FORMAT, type Report } from './replicate/report-types';

/** Fixed parameters of the replication (the papers' protocol values, sized for a 112-filter model). */
export const PARAMS = {
  K: 25,
  lr: 0.001,
  level: 0.9,
  seed: 0,
  /** Top-k of the bias tables: the papers pick 0.1–0.4 % of the filters; 10 of 112 (≈ 9 %) is the smallest k that still leaves a few picks per stage. */
  biasK: 10,
  checkpoints: [1, 5, 10, 25],
  levels: [0.7, 0.8, 0.85, 0.9, 0.95]
};

async function statsFor(ctx: Context) {
  const clean = await referenceStats(ctx, ctx.models.clean, 'digits-cnn');
  const malicious = await referenceStats(ctx, ctx.models.malicious, 'digits-cnn-malicious');
  const entry = (r: typeof clean.result) => ({ key: r.key, count: r.count, length: r.length, seconds: Number(r.seconds.toFixed(2)), cached: r.cached });
  return { dirs: { clean: clean.dir, malicious: malicious.dir }, block: { 'digits-cnn': entry(clean.result), 'digits-cnn-malicious': entry(malicious.result) } };
}

async function build(ctx: Context, sensitivity: boolean, started: number): Promise<Report> {
  const stats = await statsFor(ctx);
  const setup = await setupBlock(ctx, PARAMS);
  const base = { K: PARAMS.K, lr: PARAMS.lr, level: PARAMS.level, seed: PARAMS.seed, biasK: PARAMS.biasK, checkpoints: PARAMS.checkpoints };
  const planted = await plantedStudy(ctx, stats.dirs, base, setup.planted.global);
  const ood = await domainShift(ctx, stats.dirs.clean, base);
  const sens = sensitivity ? await thresholdSensitivity(ctx, stats.dirs.clean, base, PARAMS.levels) : null;
  const runs = { 'ood-zero': ood.zero, 'ood-finetune': ood.finetune };
  const generator = generatorBlock(ctx, PARAMS, (performance.now() - started) / 1000, sensitivity);
  return { format: REPORT_FORMAT, generator, setup, stats: stats.block, planted, domainShift: ood.domain, runs, sensitivity: sens };
}

/** Rewrites the Markdown from an existing report (the wording changes more often than the numbers). */
async function renderOnly(outDir: string): Promise<void> {
  const report = JSON.parse(await readFile(path.join(outDir, 'param-saliency.json'), 'utf8')) as Report;
  const markdown = renderMarkdown(report);
  await writeFile(path.join(outDir, 'param-saliency.md'), markdown);
  process.stdout.write(markdown);
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const flags = { 'out-dir': { type: 'string' }, cache: { type: 'string' }, 'no-sensitivity': { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false }, 'render-only': { type: 'boolean', default: false } } as const;
  const { values } = parseArgs({ options: flags });
  const outDir = path.resolve(values['out-dir'] ?? path.join(root, 'demo', 'reports'));
  if (values['render-only']) return renderOnly(outDir);
  const ctx = await openContext(root, path.resolve(values.cache ?? defaultCache(root)), !!values.quiet);
  ctx.log(`backend ${ctx.info.backend}; planted filter ${PLANTED.layer} #${PLANTED.index}; sets ${Object.values(DEMO).join(', ')}`);
  const report = await build(ctx, !values['no-sensitivity'], started);
  await mkdir(outDir, { recursive: true });
  const markdown = renderMarkdown(report);
  await writeFile(path.join(outDir, 'param-saliency.json'), JSON.stringify(report) + '\n');
  await writeFile(path.join(outDir, 'param-saliency.md'), markdown);
  process.stdout.write(markdown);
  ctx.log(`wrote ${path.join(outDir, 'param-saliency.json')} and param-saliency.md in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
