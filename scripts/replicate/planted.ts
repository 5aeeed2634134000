/**
 * Step 2 of the replication (algorithms.md §1.12 end-to-end toy): digits-cnn-malicious has +0.3
 * added to every weight of conv2 filter 11. On its test errors, for each calibration reading,
 * where does that filter rank under z-score and under POT, and does zeroing it alone fix the
 * error? Protocols A and B with all selectors run on the same errors (plus the one-filter
 * `planted` selector, whose k = 1 point under `zero` is "zero it alone").
 *
 * Readings: `self` = reference statistics of the malicious model itself (what a user of the tool
 * would do: calibrate the model under study); `clean` = statistics of digits-cnn, the same
 * architecture before the plant, with the malicious model's profiles standardised against them.
 */
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { inputBatches } from '../../main/engine/inputs';
import type { SaliencySource } from '../../main/engine/parameter-saliency/verify/run';
import { DEMO, demoInputs, type Context } from './context';
import type { PlantedImage, PlantedReading, RankSummary, RunBlock } from './report-types';
import type { RunSpec } from './runner';
import { runProtocol } from './runner';
import { crossSource, selfSource, withPlanted, type PlantedRanks } from './sources';

/** Predicted class and label of every item of a set. */
export async function predictAll(ctx: Context, model: ModelHandle, relative: string): Promise<Map<number, { predicted: number; label: number | null }>> {
  const out = new Map<number, { predicted: number; label: number | null }>();
  for await (const batch of inputBatches(ctx.tf, demoInputs(ctx, relative), model.descriptor, 64, ctx.io.signal, () => undefined)) {
    const predicted = ctx.tf.tidy(() => ctx.tf.argMax(model.probabilities(batch.x), 1).dataSync());
    batch.x.dispose();
    batch.indices.forEach((index, row) => out.set(index, { predicted: predicted[row], label: batch.labels[row] }));
  }
  return out;
}

/** Plain median (NaN for an empty sample). */
export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length / 2;
  return v.length === 0 ? NaN : v.length % 2 ? v[Math.floor(mid)] : (v[mid - 1] + v[mid]) / 2;
}

/** Median rank where `null` (not ranked) counts as +∞; null when more than half are unranked. */
export function medianRank(ranks: Array<number | null>): number | null {
  const m = median(ranks.map((r) => r ?? Infinity));
  return Number.isFinite(m) ? m : null;
}

/** The rank distribution the report prints (also what the test re-derives). */
export function rankSummary(ranks: Array<number | null>): RankSummary {
  const n = ranks.length;
  const share = (k: number) => (n ? ranks.filter((r) => r !== null && r <= k).length / n : 0);
  return { n, median: medianRank(ranks), top1: share(1), top5: share(5), top10: share(10), top25: share(25), notRanked: ranks.filter((r) => r === null).length };
}

interface PlantedInputs {
  errors: number[];
  broken: Set<number>;
  filter: number;
}

function plantedImages(run: RunBlock, ranks: Map<number, PlantedRanks>, inputs: PlantedInputs): PlantedImage[] {
  return run.images.map((img) => {
    const r = ranks.get(img.index);
    if (!r) throw new Error(`no planted rank recorded for input ${img.index}`);
    const corrected = img.selectors.planted?.corrected[0] ?? 0;
    return { index: img.index, path: img.path, label: img.label, predicted: img.predicted, broken: inputs.broken.has(img.index), zRank: r.zRank, potRank: r.potRank, z: Number(r.z.toPrecision(6)), potRanked: r.potRanked, zeroPlantedCorrected: corrected ?? 0 };
  });
}

/** One reading: both protocols on the malicious model's errors, the planted filter's ranks. */
async function reading(ctx: Context, id: 'self' | 'clean', source: SaliencySource, base: Omit<RunSpec, 'id' | 'protocol' | 'calibration'>, inputs: PlantedInputs, stats: string): Promise<PlantedReading> {
  const ranks = new Map<number, PlantedRanks>();
  const wrapped = withPlanted(source, inputs.filter, ranks);
  const calibration = id === 'self' ? 'digits-cnn-malicious reference statistics (self-calibrated)' : 'digits-cnn reference statistics (clean-calibrated)';
  const spec = { ...base, calibration, extraRankings: ['planted'] };
  const zero = await runProtocol(ctx, ctx.models.malicious, wrapped, { ...spec, id: `malicious-${id}-zero`, protocol: 'zero' });
  const finetune = await runProtocol(ctx, ctx.models.malicious, wrapped, { ...spec, id: `malicious-${id}-finetune`, protocol: 'finetune' });
  const images = plantedImages(zero, ranks, inputs);
  const broken = images.filter((i) => i.broken);
  const fixed = broken.reduce((s, i) => s + i.zeroPlantedCorrected, 0);
  return {
    id, label: calibration, stats,
    summary: { broken: broken.length, zscore: rankSummary(broken.map((i) => i.zRank)), pot: rankSummary(broken.map((i) => i.potRank)), medianZ: median(broken.map((i) => i.z)), zeroPlantedCorrected: fixed, zeroPlantedFraction: broken.length ? fixed / broken.length : 0 },
    images, runs: { zero, finetune }
  };
}

/** Step 2 (and the malicious half of step 4): both readings. */
export async function plantedStudy(ctx: Context, statsDirs: { clean: string; malicious: string }, base: Omit<RunSpec, 'id' | 'protocol' | 'calibration' | 'inputs'>, filter: number) {
  const cleanPred = await predictAll(ctx, ctx.models.clean, DEMO.test);
  const malPred = await predictAll(ctx, ctx.models.malicious, DEMO.test);
  const errors = [...malPred].filter(([, p]) => p.label !== null && p.predicted !== p.label).map(([i]) => i);
  const broken = new Set(errors.filter((i) => cleanPred.get(i)?.predicted === cleanPred.get(i)?.label));
  const inputs: PlantedInputs = { errors, broken, filter };
  const pot = { level: base.level, estimator: 'mle' as const, spotCompat: false };
  const runBase = { ...base, inputs: demoInputs(ctx, DEMO.test, errors) };
  const self = await reading(ctx, 'self', await selfSource(ctx, ctx.models.malicious, statsDirs.malicious, pot), runBase, inputs, 'digits-cnn-malicious');
  const clean = await reading(ctx, 'clean', await crossSource(ctx, ctx.models.malicious, statsDirs.clean, pot), runBase, inputs, 'digits-cnn');
  return { maliciousErrors: errors.length, broken: broken.size, readings: [self, clean] };
}
