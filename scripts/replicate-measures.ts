/**
 * Replication of the "Explain to Me" measures (Crum et al.; algorithms.md §3, §8 item 4) on the
 * demo project: the cross-entropy family cue-ce-s1..3 against the CYBORG family cue-cyborg-s1..3,
 * (a) entropy, (b) out-of-set curve, (c) equivariance, (d) stability within each family,
 * (e) degradation — all through the engine's measure registry in process — and a Mann-Whitney U
 * test per measure between the families.
 *
 * Writes demo/reports/measures.json (scripts/replicate/measures/report.ts) and measures.md, and
 * prints the Markdown. Deterministic: fixed seeds, pinned TensorFlow threads.
 *
 *   node bin/run-ts.mjs scripts/replicate-measures.ts [--set cue-test|test] [--images N]
 *     [--out-dir demo/reports] [--quiet]
 *   node bin/run-ts.mjs scripts/replicate-measures.ts --render-only   (measures.md from the JSON)
 *
 * `--images N` keeps N images spread evenly over the set (for quick checks and the test).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { collect, degradationParams, MEASURE_SETTINGS } from './replicate/measures/collect';
import { openContext, SETS, type SetId } from './replicate/measures/context';
import { renderMarkdown } from './replicate/measures/markdown';
import { buildReport, type Report } from './replicate/measures/report';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `count` indices spread evenly over `total` items (all when count ≥ total). */
export function spreadIndices(total: number, count: number | undefined): number[] | undefined {
  if (count === undefined || count >= total) return undefined;
  return Array.from({ length: count }, (_, i) => Math.floor((i * total) / count));
}

/** Runs everything and returns the report (nothing written). */
export async function replicate(options: { set: SetId; images?: number; quiet: boolean }): Promise<Report> {
  const started = performance.now();
  const totals = { 'cue-test': 300, test: 200 } as const;
  const indices = spreadIndices(totals[options.set], options.images);
  const ctx = await openContext(ROOT, options.set, indices, options.quiet);
  ctx.log(`measures on demo/${SETS[options.set]} (${indices?.length ?? totals[options.set]} images), ${ctx.info.backend}`);
  const values = await collect(ctx);
  for (const m of Object.values(ctx.models)) m.dispose();
  const generator = {
    command: `npm run replicate:measures${options.set === 'cue-test' ? '' : ` -- --set ${options.set}`}${options.images ? ` --images ${options.images}` : ''}`,
    script: 'scripts/replicate-measures.ts', set: options.set, images: indices?.length ?? totals[options.set], indices: indices ?? null,
    method: MEASURE_SETTINGS.method, seed: MEASURE_SETTINGS.seed, degradation: degradationParams(28), resamples: MEASURE_SETTINGS.resamples, ciResamples: 1000,
    backend: ctx.info.backend, tfjs: ctx.tf.version.tfjs, seconds: Number(((performance.now() - started) / 1000).toFixed(1))
  };
  return buildReport(values, generator, MEASURE_SETTINGS.seed);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { set: { type: 'string', default: 'cue-test' }, images: { type: 'string' }, 'out-dir': { type: 'string' }, quiet: { type: 'boolean', default: false }, 'render-only': { type: 'boolean', default: false } }
  });
  const outDir = path.resolve(values['out-dir'] ?? path.join(ROOT, 'demo', 'reports'));
  const jsonPath = path.join(outDir, 'measures.json');
  let report: Report;
  if (values['render-only']) {
    report = JSON.parse(await readFile(jsonPath, 'utf8')) as Report;
  } else {
    if (!(values.set in SETS)) throw new Error(`--set must be one of ${Object.keys(SETS).join(', ')}`);
    const images = values.images === undefined ? undefined : Number(values.images);
    if (images !== undefined && !(Number.isInteger(images) && images >= 2)) throw new Error('--images must be an integer ≥ 2');
    report = await replicate({ set: values.set as SetId, images, quiet: values.quiet });
    await mkdir(outDir, { recursive: true });
    await writeFile(jsonPath, `${JSON.stringify(report)}\n`);
  }
  const md = renderMarkdown(report);
  await writeFile(path.join(outDir, 'measures.md'), md);
  if (!values.quiet) process.stdout.write(md);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
