/**
 * Measure (b) of "Explain to Me" (Crum et al. 2023; algorithms.md §3.4): how salience reacts to
 * out-of-set inputs. Each image x is corrupted at every level a of a ladder in raw pixel space
 * (default: salt-and-pepper at amounts 0, .01, .05, .1, .25, .5, .75, 1 per array element, then
 * 8-bit truncation; corruptions.ts), converted through the model's preprocessing, and explained.
 * Per image and level:
 *   ssim / spearman / topkIou  between map(noisy_a) and map(clean)   (§7 row 13; SSIM on 8-bit maps)
 *   probDelta = p_c(noisy_a) − p_c(x), logitDelta likewise, c = the clean predicted class
 *   changed   = whether the prediction differs from the clean one.
 * Dataset statistic per level: mean of each with a bootstrap CI (the SSIM-vs-level curve).
 * Draws are seeded per (seed, image index, level index), independent of batching.
 *
 * A user image set marked out-of-set (`ood`: a path) is compared with the in-set images as
 * distributions: normalised entropy of the clean maps and top-1 confidence, per set, and the
 * difference of means (out − in) with a two-sample bootstrap CI.
 *
 * Parameters: `corruption` salt-pepper | gaussian (σ on the [0, 1] scale) | blur (σ in pixels);
 * `levels` (default per corruption); `resolution` native (default) | upsampled; `classOf`
 * own (default: each noisy image's own prediction, as TorchCAM does) | clean; `k` top-k size
 * (default 0.1 of the cells); `ood` path of an out-of-set image set or null.
 */
import { AppError } from '../../../shared/errors';
import { readChoice, rejectUnknownOptions } from '../baselines/options';
import { fromRawPixels, modelChannels, toRawPixels } from '../data/preprocess';
import { rowRng } from '../saliency/batching';
import type { ModelHandle } from '../model/model-handle';
import { corrupt, CORRUPTIONS, DEFAULT_LEVELS, type CorruptionId } from './corruptions';
import { explain, mapOf, type Explained } from './explain';
import { CLASS_OF, readNumberList, readTopK, RESOLUTIONS, type ClassOf, type Resolution } from './options';
import { comparePair, type PairStats } from './pair-stats';
import { levelSummaries } from './summaries/out-of-set';
import type { Measure, MeasureContext, MeasureOutput, Row } from './types';
import { outOfSetComparison, setStats, type SetStats } from './ood-set';
import { walkInputs, type WalkBatch } from './walk';

export interface OutOfSetParams {
  corruption: CorruptionId;
  levels: number[];
  resolution: Resolution;
  classOf: ClassOf;
  k: number;
  ood: string | null;
}

const KNOWN = ['corruption', 'levels', 'resolution', 'classOf', 'k', 'ood'];

function validate(params: Record<string, unknown>): OutOfSetParams {
  rejectUnknownOptions('out-of-set', params, KNOWN);
  const corruption = readChoice('out-of-set', params, 'corruption', 'salt-pepper', CORRUPTIONS);
  const max = corruption === 'salt-pepper' ? 1 : corruption === 'gaussian' ? 10 : 100;
  const ood = params.ood ?? null;
  if (ood !== null && (typeof ood !== 'string' || ood.length === 0)) throw new AppError('PARAM_INVALID', `out-of-set: \`ood\` must be the path of an image set, got ${JSON.stringify(ood)}.`);
  return {
    corruption,
    levels: readNumberList('out-of-set', params, 'levels', DEFAULT_LEVELS[corruption], 0, max),
    resolution: readChoice('out-of-set', params, 'resolution', 'native', RESOLUTIONS),
    classOf: readChoice('out-of-set', params, 'classOf', 'own', CLASS_OF),
    k: readTopK('out-of-set', params),
    ood: ood as string | null
  };
}

/** One corruption level of one image: map agreement with the clean map and the score change. */
export type LevelRow = PairStats & {
  level: number;
  predicted: number;
  changed: boolean;
  probDelta: number;
  logitDelta: number;
};

/** One image's row: its clean prediction and one entry per level, in ladder order. */
export type OutOfSetRow = { index: number; path: string; label: number | null; predicted: number; levels: LevelRow[] };


/** The batch corrupted at level `li`, as a model-space tensor. */
function corruptedBatch(ctx: MeasureContext, model: ModelHandle, raw: Float32Array, batch: WalkBatch, p: OutOfSetParams, li: number) {
  const [, h, w, c] = batch.x.shape;
  const size = h * w * c;
  const out = new Float32Array(raw.length);
  batch.indices.forEach((index, row) => {
    const rng = rowRng(ctx.map.seed, index, `out-of-set:${p.corruption}:${li}`);
    out.set(corrupt(raw.subarray(row * size, (row + 1) * size), h, w, c, p.corruption, p.levels[li], rng), row * size);
  });
  return ctx.tf.tensor4d(fromRawPixels(out, model.descriptor.preprocessing), batch.x.shape);
}

function mapsOf(e: Explained, p: OutOfSetParams) {
  return p.resolution === 'upsampled' ? e.upsampled! : e.native;
}

/** Per-row comparison of a corrupted batch's explanation with the clean one. */
function levelRows(clean: Explained, noisy: Explained, p: OutOfSetParams, level: number): LevelRow[] {
  const a = mapsOf(clean, p);
  const b = mapsOf(noisy, p);
  return Array.from({ length: clean.n }, (_, row) => {
    const c = clean.predicted[row];
    const at = row * clean.classes + c;
    return {
      level,
      ...comparePair(mapOf(b, row), mapOf(a, row), a.height, a.width, p.k),
      predicted: noisy.predicted[row],
      changed: noisy.predicted[row] !== c,
      probDelta: noisy.probs[at] - clean.probs[at],
      logitDelta: noisy.logits[at] - clean.logits[at]
    };
  });
}

async function run(ctx: MeasureContext, p: OutOfSetParams): Promise<MeasureOutput> {
  const model = ctx.models[0];
  const channels = modelChannels(model.descriptor.preprocessing);
  if (model.descriptor.inputShape[2] !== channels) throw new AppError('SHAPE_MISMATCH', 'out-of-set: the corruptions work in raw pixel space, which needs grey or RGB image inputs.');
  const rows: OutOfSetRow[] = [];
  const inSet: SetStats[] = [];
  const up = p.resolution === 'upsampled';
  const skipped = await walkInputs({ ...ctx, descriptor: model.descriptor, label: 'out-of-set' }, async (batch) => {
    const clean = await explain(ctx.tf, model, ctx.map, batch.x, { upsampled: up, indices: batch.indices, signal: ctx.signal });
    inSet.push(...setStats(clean));
    const raw = toRawPixels((await batch.x.data()) as Float32Array, model.descriptor.preprocessing);
    const perLevel: LevelRow[][] = [];
    for (let li = 0; li < p.levels.length; li++) {
      const x = corruptedBatch(ctx, model, raw, batch, p, li);
      try {
        const targets = p.classOf === 'clean' ? clean.predicted : undefined;
        perLevel.push(levelRows(clean, await explain(ctx.tf, model, ctx.map, x, { upsampled: up, targets, indices: batch.indices, signal: ctx.signal }), p, p.levels[li]));
      } finally {
        x.dispose();
      }
    }
    batch.indices.forEach((index, row) => rows.push({ index, path: batch.paths[row], label: batch.labels[row], predicted: clean.predicted[row], levels: perLevel.map((l) => l[row]) }));
  });
  const summary: Record<string, unknown> = { corruption: p.corruption, levels: levelSummaries(rows, p.levels, ctx.bootstrap) };
  const tables: Record<string, Row[]> = {};
  if (p.ood) {
    const ood = await outOfSetComparison(ctx, model, p.ood, inSet);
    summary.ood = ood.summary;
    tables.ood = ood.rows;
    skipped.push(...ood.skipped);
  }
  return { perImage: rows, summary, tables, skipped, warnings: [] };
}

/** The `out-of-set` measure (see the file comment). */
export const outOfSetMeasure: Measure<OutOfSetParams> = {
  id: 'out-of-set',
  label: 'Salience under out-of-set inputs',
  reference: 'Crum et al. (2023), Explain to Me, IEEE TAI, arXiv:2303.11969, measure (b); algorithms.md §3.4',
  models: [1, 1],
  defaults: { corruption: 'salt-pepper', levels: DEFAULT_LEVELS['salt-pepper'], resolution: 'native', classOf: 'own', k: 0.1, ood: null },
  validate,
  run
};
