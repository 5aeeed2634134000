/**
 * The perturbation-consistency study (Brunke, Agrawal, George 2020, "Evaluating Input Perturbation
 * Methods for Interpreting CNNs and Saliency Map Comparison", ECCV workshops, arXiv:2101.10977;
 * algorithms.md §4, §8 item 5; issue #5 item 9) behind `saliency study perturbation`. Over the
 * first `images` inputs and a grid of baselines and hyperparameters it reports:
 *
 * 1. neutrality f_c(B) of every baseline vs 1/#classes (./neutrality.ts);
 * 2. how perturbation maps diverge: occlusion/RISE agreement across baselines and across
 *    hyperparameters, RISE convergence in N, and the ranked methods against each other
 *    (Spearman, top-k, SSIM matrices with bootstrap CIs; ./families.ts);
 * 3. how metric-based rankings flip: every ranked map scored by every metric under every baseline
 *    (./metric-scores.ts; occlusion, RISE and a second Integrated Gradients entry use the metric's own
 *    baseline, spec §4.3), Kendall τ-b between per-image rankings for every pair of baselines and
 *    every pair of metrics (MoRF vs LeRF…), the fraction of images whose winner changes, and the
 *    spread of each method's score across baselines against the spread between methods (./rankings.ts).
 *
 * Everything per image is kept in study.json (temporary + rename). Progress counts stages (map
 * configurations, metric batches); cancellation is checked inside every method and metric pass.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { getImageSet, inputBatches } from '../inputs';
import type { JobIO } from '../parameter-saliency/reference/job';
import { writeJsonAtomic } from '../parameter-saliency/reference/store';
import { getMetric } from '../metrics';
import { bootstrapMean } from '../metrics/bootstrap';
import { predictedClasses, scoreRows } from '../metrics/score';
import type { ModelHandle } from '../model/model-handle';
import { methodFamily, perturbationFamilies, referenceMaps, riseConfigs, occlusionConfigs, riseConvergence, type FamilyContext } from './families';
import { parseGrid, type StudyGrid } from './grid';
import { scoreMethods, type ScoreTable } from './metric-scores';
import { baselineNeutrality } from './neutrality';
import { rankingFlips, scoreSpread } from './rankings';
import { MapCache, type StudyImages } from './study-maps';
import type { MetricRanking, StudyFile, StudyRequest, StudyResult } from './types';

/** Loads the first `count` selected inputs as one tensor, with the predicted class of each. */
async function loadImages(tf: typeof tfTypes, model: ModelHandle, request: StudyRequest, count: number, signal: AbortSignal): Promise<StudyImages & { paths: string[] }> {
  const set = await getImageSet(request.inputs.path, request.inputs.labelsPath);
  const wanted = (request.inputs.indices ?? set.items.map((i) => i.index)).slice(0, count);
  const parts: tfTypes.Tensor4D[] = [];
  const indices: number[] = [];
  for await (const batch of inputBatches(tf, { ...request.inputs, indices: wanted }, model.descriptor, 64, signal, () => {})) {
    parts.push(batch.x);
    indices.push(...batch.indices);
  }
  if (parts.length === 0) throw new AppError('IMAGE_SET_EMPTY', 'study: no input could be read.');
  const x = tf.concat(parts) as tfTypes.Tensor4D;
  tf.dispose(parts);
  return { x, indices, targets: await predictedClasses(tf, model, x), paths: indices.map((i) => set.items[i]?.path ?? '') };
}

/** Integrated Gradients with the metric's own baseline, ranked beside IG with its default (black) baseline (spec §4.3). */
export const MATCHED_IG = 'integrated-gradients:matched';

/** Ranked map names: methods (IG twice: default and matched baseline), then controls. */
export function rankedNames(grid: StudyGrid): string[] {
  return [...grid.methods, ...(grid.methods.includes('integrated-gradients') ? [MATCHED_IG] : []), ...grid.controls];
}

/** Total stages for progress: map configurations (upper bound) + metric batches. */
function stageCount(grid: StudyGrid, images: number): number {
  const fixed = grid.methods.filter((m) => m !== 'occlusion' && m !== 'rise').length + (grid.methods.includes('integrated-gradients') ? grid.baselines.length : 0);
  const occ = grid.methods.includes('occlusion') ? grid.baselines.length + occlusionConfigs(grid).length : 0;
  const rise = grid.methods.includes('rise') ? grid.baselines.length + riseConfigs(grid).length * grid.rise.seeds.length : 0;
  return fixed + occ + rise + Math.ceil(images / grid.batchSize);
}

function rankingOf(grid: StudyGrid, names: string[], scores: ScoreTable, mi: number): MetricRanking {
  const metric = getMetric(grid.metrics[mi]);
  const sign = metric.higherIsBetter ? 1 : -1;
  const table = scores[mi];
  const oriented = (bi: number) => table[bi][0].map((_, t) => table[bi].map((perMethod) => sign * perMethod[t]));
  const betweenBaselines: MetricRanking['betweenBaselines'] = [];
  const tauMatrix = grid.baselines.map((_, i) => grid.baselines.map((__, j) => (i === j ? 1 : Number.NaN)));
  for (let a = 0; a < grid.baselines.length; a++) for (let b = a + 1; b < grid.baselines.length; b++) {
    const flips = rankingFlips(oriented(a), oriented(b), grid.bootstrap, grid.seed);
    betweenBaselines.push({ a: grid.baselines[a], b: grid.baselines[b], ...flips });
    tauMatrix[a][b] = tauMatrix[b][a] = flips.meanTau.mean;
  }
  const means = table.map((perMethod) => perMethod.map((values) => bootstrapMean(values, { resamples: grid.bootstrap, seed: grid.seed })));
  return {
    metric: metric.id, primary: metric.primary, higherIsBetter: metric.higherIsBetter, methods: names, baselines: grid.baselines, means, perImage: table,
    betweenBaselines, tauMatrix, spread: scoreSpread(means.map((row) => row.map((m) => m.mean)))
  };
}

/** Rankings under every pair of metrics, per baseline (e.g. MoRF vs LeRF). */
function betweenMetrics(grid: StudyGrid, scores: ScoreTable): StudyFile['betweenMetrics'] {
  const out: StudyFile['betweenMetrics'] = [];
  const oriented = (mi: number, bi: number) => {
    const sign = getMetric(grid.metrics[mi]).higherIsBetter ? 1 : -1;
    return scores[mi][bi][0].map((_, t) => scores[mi][bi].map((perMethod) => sign * perMethod[t]));
  };
  grid.baselines.forEach((baseline, bi) => {
    for (let a = 0; a < grid.metrics.length; a++) for (let b = a + 1; b < grid.metrics.length; b++) {
      out.push({ baseline, a: grid.metrics[a], b: grid.metrics[b], ...rankingFlips(oriented(a, bi), oriented(b, bi), grid.bootstrap, grid.seed) });
    }
  });
  return out;
}

/**
 * Runs the study and writes study.json.
 * @throws AppError PARAM_INVALID (grid), IMAGE_SET_EMPTY, CANCELLED, IO_FAILED
 */
export async function runPerturbationStudy(tf: typeof tfTypes, model: ModelHandle, request: StudyRequest, io: JobIO): Promise<StudyResult> {
  const grid = parseGrid(request.grid);
  const started = performance.now();
  const images = await loadImages(tf, model, request, grid.images, io.signal);
  try {
    const [n, h, w] = images.x.shape;
    const total = stageCount(grid, n);
    let done = 0;
    const step = (message: string) => io.progress({ done: Math.min(++done, total), total, message });
    const original = await scoreRows(tf, model, images.x, images.targets, 'prob');
    const neutrality = [];
    for (const b of grid.baselines) neutrality.push(await baselineNeutrality(tf, model, images, b, grid.seed, grid.bootstrap));
    const maps = new MapCache({ tf, model, images, batchSize: grid.batchSize, seed: grid.seed, signal: io.signal, maxElementsPerPass: request.maxElementsPerPass, onComputed: (label) => step(`maps ${label}`) });
    const fctx: FamilyContext = { grid, maps, height: h, width: w, signal: io.signal };
    const names = rankedNames(grid);
    // Every map the rankings need, computed up front so scoring itself is synchronous per batch.
    const byBaseline = new Map<string, Float32Array[][]>();
    for (const b of grid.baselines) {
      const sets: Float32Array[][] = [];
      for (const name of names) {
        if (name === 'occlusion' || name === 'rise') sets.push(await referenceMaps(fctx, name, b));
        else if (name === MATCHED_IG) sets.push(await maps.get('integrated-gradients', { baseline: b }));
        else if (name === 'random' || name === 'centre-gaussian') sets.push(maps.control(name));
        else sets.push(await maps.get(name));
      }
      byBaseline.set(b, sets);
    }
    const agreement = [await methodFamily(fctx, names, byBaseline.get(grid.baselines[0])!), ...(await perturbationFamilies(fctx))];
    const convergence = await riseConvergence(fctx);
    const { scores, forwards } = await scoreMethods({
      tf, model, images, original, grid, signal: io.signal, maxElementsPerPass: request.maxElementsPerPass, methods: names,
      mapsFor: (method, baseline) => byBaseline.get(baseline)![method], onBatch: (d, t) => step(`metrics: batch ${d} of ${t}`)
    });
    const rankings = grid.metrics.map((_, mi) => rankingOf(grid, names, scores, mi));
    const pairs = betweenMetrics(grid, scores);
    const seconds = (performance.now() - started) / 1000;
    const file: StudyFile = {
      format: 'saliency-study-perturbation-v1', model: { name: model.descriptor.name, hash: model.descriptor.hash }, inputs: request.inputs.path, grid, score: 'prob',
      images: images.indices.map((index, i) => ({ index, path: images.paths[i], predicted: images.targets[i], score: original[i] })),
      neutrality, agreement, riseConvergence: convergence, rankings, betweenMetrics: pairs, seconds, metricForwards: forwards
    };
    await writeJsonAtomic(request.out, file);
    io.progress({ done: total, total, message: 'done' });
    return {
      out: request.out, images: n, seconds, metricForwards: forwards,
      neutrality: neutrality.map(({ baseline, score, chance }) => ({ baseline, score, chance })),
      headline: rankings.map((r) => ({
        metric: r.metric,
        meanTauBetweenBaselines: mean(r.betweenBaselines.map((p) => p.meanTau.mean)),
        winnerChangedBetweenBaselines: mean(r.betweenBaselines.map((p) => p.winnerChanged)),
        spreadRatio: r.spread.ratio
      })),
      betweenMetrics: pairs.map(({ baseline, a, b, meanTau, winnerChanged }) => ({ baseline, a, b, meanTau: meanTau.mean, winnerChanged }))
    };
  } finally {
    images.x.dispose();
  }
}

/** Mean of the defined values; NaN when there are none. */
function mean(values: number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : Number.NaN;
}
