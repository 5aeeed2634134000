/**
 * Measure (c) of "Explain to Me" (Crum et al. 2023; algorithms.md §3.5): does salience follow
 * geometric transformations of the input? For each transform T (default: both flips, both
 * quarter turns, the 8 edge-replicated shifts by d = round(16·H/224) px — the authors' 16 px at
 * 224 — and, our addition, centre zooms ×1.25 and ×0.8; see main/engine/transforms):
 *   equivariance  stats(map(T(x)), T(map(x)))   — SSIM (8-bit), Spearman ρ, top-k IoU
 *   invariance    stats(map(T(x)), map(x))      — same statistics without re-alignment
 *   changed, probDelta, logitDelta               — prediction change under T (clean class c)
 * on upsampled (input-size) maps for every T and also on the native grid for flips and
 * rotations, which move whole cells (shifts of 16 px are half a 7×7 cell, §3.5). On upsampled
 * maps T(map(x)) replicates the map's edge where a shift or zoom-out uncovers it.
 * Dataset statistic per T: means with bootstrap CIs.
 *
 * Parameters: `transforms` (list of specs, default above), `shift` (d in pixels), `k` top-k size
 * (default 0.1), `classOf` own (default) | clean. Rotations need square inputs (SHAPE_MISMATCH
 * otherwise: a model takes one input size).
 */
import { AppError } from '../../../shared/errors';
import { readChoice, readNumber, rejectUnknownOptions } from '../baselines/options';
import { paperTransforms, resolveTransform, type GeometricTransform, type Grid } from '../transforms';
import { explain, mapOf, type Explained, type MapStack } from './explain';
import { CLASS_OF, readStringList, readTopK, type ClassOf } from './options';
import { comparePair, type PairStats } from './pair-stats';
import { equivarianceSummary } from './summaries/equivariance';
import type { Measure, MeasureContext, MeasureOutput } from './types';
import { walkInputs } from './walk';

export interface EquivarianceParams {
  transforms: string[] | null;
  shift: number | null;
  k: number;
  classOf: ClassOf;
}

function validate(params: Record<string, unknown>): EquivarianceParams {
  rejectUnknownOptions('equivariance', params, ['transforms', 'shift', 'k', 'classOf']);
  const transforms = readStringList('equivariance', params, 'transforms');
  transforms?.forEach(resolveTransform);
  const shift = params.shift === undefined || params.shift === null ? null : readNumber('equivariance', params, 'shift', 1, { min: 1, integer: true });
  return { transforms, shift, k: readTopK('equivariance', params), classOf: readChoice('equivariance', params, 'classOf', 'own', CLASS_OF) };
}

/** The transforms to run for an H × W input. */
export function transformsFor(p: EquivarianceParams, height: number, width: number): GeometricTransform[] {
  const specs = p.transforms ?? [...paperTransforms(height, p.shift ?? undefined), 'scale:1.25', 'scale:0.8'];
  const list = specs.map(resolveTransform);
  const rotation = list.find((t) => t.swapsAxes);
  if (rotation && height !== width) {
    throw new AppError('SHAPE_MISMATCH', `equivariance: ${rotation.id} turns the ${height} × ${width} input into ${width} × ${height}, which the model cannot take.`, { hint: 'Leave the rotations out with --set transforms=hflip,vflip,translate:16,0,…' });
  }
  return list;
}

/** Applies T to every row of a [n, H, W, C] array. */
function transformRows(t: GeometricTransform, data: Float32Array, n: number, height: number, width: number, channels: number): Grid[] {
  const size = height * width * channels;
  return Array.from({ length: n }, (_, row) => t.apply({ data: data.subarray(row * size, (row + 1) * size), height, width, channels }));
}

const gridOf = (stack: MapStack, row: number): Grid => ({ data: mapOf(stack, row), height: stack.height, width: stack.width, channels: 1 });

/** Statistics on the native grid (null where T does not move whole cells) and on upsampled maps. */
export type Both = { native: PairStats | null; upsampled: PairStats };

/** One transform of one image. */
export type TransformRow = {
  transform: string;
  predicted: number;
  changed: boolean;
  probDelta: number;
  logitDelta: number;
  equivariance: Both;
  invariance: Both;
};

/** One image's row: its clean prediction and one entry per transform, in list order. */
export type EquivarianceRow = { index: number; path: string; label: number | null; predicted: number; transforms: TransformRow[] };

/** Equivariance and invariance statistics of one row. */
function rowStats(t: GeometricTransform, clean: Explained, moved: Explained, row: number, k: number): { equivariance: Both; invariance: Both } {
  const pair = (a: Grid, b: Grid) => comparePair(a.data, b.data, a.height, a.width, k);
  const up = (e: Explained) => gridOf(e.upsampled!, row);
  const nat = (e: Explained) => gridOf(e.native, row);
  return {
    equivariance: { native: t.exactOnGrid ? pair(nat(moved), t.apply(nat(clean))) : null, upsampled: pair(up(moved), t.apply(up(clean))) },
    invariance: { native: t.exactOnGrid ? pair(nat(moved), nat(clean)) : null, upsampled: pair(up(moved), up(clean)) }
  };
}

async function run(ctx: MeasureContext, p: EquivarianceParams): Promise<MeasureOutput> {
  const model = ctx.models[0];
  const [height, width, channels] = model.descriptor.inputShape;
  const transforms = transformsFor(p, height, width);
  const rows: EquivarianceRow[] = [];
  const skipped = await walkInputs({ ...ctx, descriptor: model.descriptor, label: 'equivariance' }, async (batch) => {
    const n = batch.indices.length;
    const clean = await explain(ctx.tf, model, ctx.map, batch.x, { upsampled: true, indices: batch.indices, signal: ctx.signal });
    const data = (await batch.x.data()) as Float32Array;
    const perT: TransformRow[][] = [];
    for (const t of transforms) {
      const moved = transformRows(t, data, n, height, width, channels);
      const joined = new Float32Array(data.length);
      moved.forEach((g, row) => joined.set(g.data, row * g.data.length));
      const x = ctx.tf.tensor4d(joined, batch.x.shape);
      let e: Explained;
      try {
        e = await explain(ctx.tf, model, ctx.map, x, { upsampled: true, targets: p.classOf === 'clean' ? clean.predicted : undefined, indices: batch.indices, signal: ctx.signal });
      } finally {
        x.dispose();
      }
      perT.push(Array.from({ length: n }, (_, row) => {
        const at = row * clean.classes + clean.predicted[row];
        return { transform: t.id, predicted: e.predicted[row], changed: e.predicted[row] !== clean.predicted[row], probDelta: e.probs[at] - clean.probs[at], logitDelta: e.logits[at] - clean.logits[at], ...rowStats(t, clean, e, row, p.k) };
      }));
    }
    batch.indices.forEach((index, row) => rows.push({ index, path: batch.paths[row], label: batch.labels[row], predicted: clean.predicted[row], transforms: perT.map((r) => r[row]) }));
  });
  return { perImage: rows, summary: equivarianceSummary(rows, ctx.bootstrap, transforms), skipped, warnings: [] };
}

/** The `equivariance` measure (see the file comment). */
export const equivarianceMeasure: Measure<EquivarianceParams> = {
  id: 'equivariance',
  label: 'Salience under geometric transformations',
  reference: 'Crum et al. (2023), Explain to Me, IEEE TAI, arXiv:2303.11969, measure (c); algorithms.md §3.5',
  models: [1, 1],
  defaults: { transforms: null, shift: null, k: 0.1, classOf: 'own' },
  validate,
  run
};
