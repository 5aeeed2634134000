/**
 * Measure (d) of "Explain to Me" (Crum et al. 2023; algorithms.md §3.6): how stable salience is
 * across independent training runs. Given R ≥ 2 checkpoints of the same architecture (the
 * user's own; nothing is trained here), every image is explained by every run (its own
 * predicted class) and, for every unordered pair of runs (a, b) — C(R, 2) pairs — we record
 *   SSIM(map_a(x), map_b(x)) on the native grid (8-bit maps; 7×7 is one window, §3.6),
 *   Spearman ρ and top-k IoU, and whether the two runs predict the same class.
 * Dataset statistics: the per-image mean over pairs, averaged over images, with a bootstrap CI
 * that resamples images (pairs of one image are not independent); and the mean per pair.
 *
 * The runs must take the same input shape and have the same number of classes (checked,
 * PARAM_INVALID otherwise); each run preprocesses the images its own way.
 * Parameters: `resolution` native (default) | upsampled; `k` top-k size (default 0.1).
 */
import { AppError } from '../../../shared/errors';
import { readChoice, rejectUnknownOptions } from '../baselines/options';
import type { ModelHandle } from '../model/model-handle';
import { explain, mapOf, type Explained } from './explain';
import { readTopK, RESOLUTIONS, type Resolution } from './options';
import { comparePair, type PairStats } from './pair-stats';
import { stabilitySummary } from './summaries/stability';
import type { Measure, MeasureContext, MeasureOutput } from './types';
import { loadFor, walkInputs } from './walk';

export interface StabilityParams {
  resolution: Resolution;
  k: number;
}

function validate(params: Record<string, unknown>): StabilityParams {
  rejectUnknownOptions('stability', params, ['resolution', 'k']);
  return { resolution: readChoice('stability', params, 'resolution', 'native', RESOLUTIONS), k: readTopK('stability', params) };
}

/** @throws AppError PARAM_INVALID when the runs differ in input shape or class count */
export function checkSameArchitecture(models: ModelHandle[]): void {
  const [first, ...rest] = models.map((m) => m.descriptor);
  for (const d of rest) {
    if (d.inputShape.join('×') !== first.inputShape.join('×') || d.classNames.length !== first.classNames.length) {
      throw new AppError('PARAM_INVALID', `stability: ${d.path} takes ${d.inputShape.join('×')} inputs with ${d.classNames.length} classes, but ${first.path} takes ${first.inputShape.join('×')} with ${first.classNames.length}; give checkpoints of one architecture.`);
    }
  }
}

/** One pair of runs (indices into the model list, a < b) on one image. */
export type PairRow = PairStats & { a: number; b: number; samePrediction: boolean };

/** One image's row: each run's prediction, the pairs in (0,1), (0,2), …, (1,2), … order, and their means. */
export type StabilityRow = {
  index: number;
  path: string;
  label: number | null;
  predicted: number[];
  meanSsim: number;
  meanSpearman: number;
  meanTopkIou: number;
  pairs: PairRow[];
};

const meanOf = (values: number[]): number => {
  const kept = values.filter(Number.isFinite);
  return kept.length ? kept.reduce((s, v) => s + v, 0) / kept.length : Number.NaN;
};

async function run(ctx: MeasureContext, p: StabilityParams): Promise<MeasureOutput> {
  checkSameArchitecture(ctx.models);
  const [first] = ctx.models;
  const up = p.resolution === 'upsampled';
  const rows: StabilityRow[] = [];
  const skipped = await walkInputs({ ...ctx, descriptor: first.descriptor, label: 'stability' }, async (batch) => {
    const runs: Explained[] = [];
    for (const [m, model] of ctx.models.entries()) {
      const x = m === 0 ? batch.x : await loadFor(ctx.tf, ctx.inputs, model.descriptor, batch.indices);
      try {
        runs.push(await explain(ctx.tf, model, ctx.map, x, { upsampled: up, indices: batch.indices, signal: ctx.signal }));
      } finally {
        if (m !== 0) x.dispose();
      }
    }
    batch.indices.forEach((index, row) => {
      const pairs: PairRow[] = [];
      for (let a = 0; a < runs.length; a++) {
        for (let b = a + 1; b < runs.length; b++) {
          const ma = up ? runs[a].upsampled! : runs[a].native;
          const mb = up ? runs[b].upsampled! : runs[b].native;
          pairs.push({ a, b, ...comparePair(mapOf(ma, row), mapOf(mb, row), ma.height, ma.width, p.k), samePrediction: runs[a].predicted[row] === runs[b].predicted[row] });
        }
      }
      rows.push({
        index, path: batch.paths[row], label: batch.labels[row], predicted: runs.map((r) => r.predicted[row]),
        meanSsim: meanOf(pairs.map((q) => q.ssim)), meanSpearman: meanOf(pairs.map((q) => q.spearman)), meanTopkIou: meanOf(pairs.map((q) => q.topkIou)), pairs
      });
    });
  });
  return { perImage: rows, summary: stabilitySummary(rows, ctx.bootstrap, ctx.models.map((m) => ({ path: m.descriptor.path, name: m.descriptor.name, hash: m.descriptor.hash }))), skipped, warnings: [] };
}

/** The `stability` measure (see the file comment). */
export const stabilityMeasure: Measure<StabilityParams> = {
  id: 'stability',
  label: 'Salience stability across training runs',
  reference: 'Crum et al. (2023), Explain to Me, IEEE TAI, arXiv:2303.11969, measure (d); algorithms.md §3.6',
  models: [2, 100],
  defaults: { resolution: 'native', k: 0.1 },
  validate,
  run
};
