/**
 * Occlusion / sliding window (Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional
 * Networks", ECCV, arXiv:1311.2901; spec §5.6), with any baseline B from the registry (§4.2):
 *
 *   x̃_P = x with the window P (all channels) replaced by B,   Δ_P = s_c(x) − s_c(x̃_P)
 *   S[h, w] = mean of Δ_P over the windows P that cover (h, w)
 *
 * s is the probability p_c by default (spec §5.0) or the logit (`ctx.score`). Windows are
 * `window`×`window` (clipped to the image) with top-left corners on a `stride` grid per axis,
 * 0, s, 2s, … while the window fits, plus one window flush with the far border when the grid
 * leaves pixels uncovered, so every pixel is covered (see `windowStarts`). We use the per-pixel
 * mean over covering windows, not "Δ at the window centre, then upsample" (spec §5.6: the common
 * implementation).
 *
 * Parameters: `window` px (default round(min(H, W)/8): 28 at 224, 4 at 32, the spec's ranges),
 * `stride` px (default ⌊window/2⌋), `baseline` (default `grey`, Zeiler & Fergus' grey squares).
 * Occluded copies of all rows are batched under `maxElementsPerPass`; `onStep` counts copies.
 * Diagnostics per row: `score` s_c(x), `baselineScore` s_c(B), `windows`.
 *
 * Checkable property: for a linear model, 1×1 windows and stride 1, S = Σ_c w_c ⊙ (x − B) on the
 * logit; a window as large as the image gives s_c(x) − s_c(B) everywhere.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { getBaseline, readBaselineParam } from '../baselines';
import { readNumber } from '../baselines/options';
import { forEachChunk, planChunks } from './batching';
import { checkContext, rejectUnknownParams, targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';

interface Params { window: number | null; stride: number | null; baseline: string }

/** Window geometry for one input size: clipped window sizes and the start offsets per axis. */
export interface OcclusionGrid { windowH: number; windowW: number; ys: number[]; xs: number[] }

/** Starts 0, stride, 2·stride, … while the window fits, then `size − window` if pixels remain uncovered. */
export function windowStarts(size: number, window: number, stride: number): number[] {
  if (window >= size) return [0];
  const starts: number[] = [];
  for (let p = 0; p + window <= size; p += stride) starts.push(p);
  if (starts[starts.length - 1] + window < size) starts.push(size - window);
  return starts;
}

/** The grid for an H×W input, resolving the automatic window and stride. @throws AppError PARAM_INVALID when stride > window */
export function occlusionGrid(height: number, width: number, params: Record<string, unknown>): OcclusionGrid {
  const window = (params.window as number | null | undefined) ?? Math.max(1, Math.round(Math.min(height, width) / 8));
  const stride = (params.stride as number | null | undefined) ?? Math.max(1, Math.floor(window / 2));
  const windowH = Math.min(window, height);
  const windowW = Math.min(window, width);
  if ((windowH < height && stride > windowH) || (windowW < width && stride > windowW)) {
    throw new AppError('PARAM_INVALID', `occlusion: \`stride\` (${stride}) must not exceed \`window\` (${window}), or pixels between windows are never occluded.`);
  }
  return { windowH, windowW, ys: windowStarts(height, windowH, stride), xs: windowStarts(width, windowW, stride) };
}

/** How many windows cover each pixel, [H·W]. */
export function coverageCounts(grid: OcclusionGrid, height: number, width: number): Int32Array {
  const counts = new Int32Array(height * width);
  for (const y of grid.ys) for (const x of grid.xs) for (let i = y; i < y + grid.windowH; i++) for (let j = x; j < x + grid.windowW; j++) counts[i * width + j]++;
  return counts;
}

/** [copies, size] indicators of each copy's window along one axis; `which` maps a copy to its start. */
function axisMasks(copies: Int32Array, starts: number[], window: number, size: number, which: (copy: number) => number): Float32Array {
  const out = new Float32Array(copies.length * size);
  copies.forEach((copy, j) => out.fill(1, j * size + starts[which(copy)], j * size + starts[which(copy)] + window));
  return out;
}

/** s_c of x̃_P for every (row, window), [N · P] row-major, batched under the budget. */
async function occludedScores(ctx: SaliencyContext, grid: OcclusionGrid, ref: tfTypes.Tensor4D): Promise<Float32Array> {
  const { tf, x } = ctx;
  const [rows, h, w, c] = x.shape;
  const positions = grid.ys.length * grid.xs.length;
  const out = new Float32Array(rows * positions);
  const chunks = planChunks(rows, positions, h * w * c, ctx.maxElementsPerPass);
  await forEachChunk(chunks, { signal: ctx.signal, methodId: occlusion.id, onStep: ctx.onStep }, async (chunk) => {
    const scores = tf.tidy(() => {
      const rowMask = tf.tensor4d(axisMasks(chunk.copies, grid.ys, grid.windowH, h, (k) => Math.floor(k / grid.xs.length)), [chunk.count, h, 1, 1]);
      const colMask = tf.tensor4d(axisMasks(chunk.copies, grid.xs, grid.windowW, w, (k) => k % grid.xs.length), [chunk.count, 1, w, 1]);
      const rowsOf = tf.tensor1d(chunk.rows, 'int32');
      const inside = tf.mul(rowMask, colMask);
      // x·(1 − M) + B·M is exact for a 0/1 mask (x + M·(B − x) would round).
      const input = tf.add(tf.mul(tf.gather(x, rowsOf), tf.sub(1, inside)), tf.mul(tf.gather(ref, rowsOf), inside)) as tfTypes.Tensor4D;
      return targetScores(ctx, occlusion, input, Int32Array.from(chunk.rows, (r) => ctx.targets[r]));
    });
    try {
      out.set((await scores.data()) as Float32Array, chunk.start);
    } finally {
      scores.dispose();
    }
  });
  return out;
}

/** Per-pixel mean of Δ over covering windows, one map per row. */
function averageDrops(base: Float32Array, occluded: Float32Array, grid: OcclusionGrid, h: number, w: number): Float32Array {
  const rows = base.length;
  const positions = grid.ys.length * grid.xs.length;
  const counts = coverageCounts(grid, h, w);
  const maps = new Float32Array(rows * h * w);
  const sums = new Float64Array(h * w);
  for (let row = 0; row < rows; row++) {
    sums.fill(0);
    grid.ys.forEach((y, iy) => grid.xs.forEach((x, ix) => {
      const drop = base[row] - occluded[row * positions + iy * grid.xs.length + ix];
      for (let i = y; i < y + grid.windowH; i++) for (let j = x; j < x + grid.windowW; j++) sums[i * w + j] += drop;
    }));
    for (let e = 0; e < h * w; e++) maps[row * h * w + e] = sums[e] / counts[e];
  }
  return maps;
}

/** s_c(x) for rows 0…N−1 then s_c(B) for rows N…2N−1. */
async function endpointScores(ctx: SaliencyContext, ref: tfTypes.Tensor4D): Promise<Float32Array> {
  const rows = ctx.x.shape[0];
  const scores = ctx.tf.tidy(() => targetScores(ctx, occlusion, ctx.tf.concat([ctx.x, ref]) as tfTypes.Tensor4D, Int32Array.from({ length: 2 * rows }, (_, i) => ctx.targets[i % rows])));
  try {
    return (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
}

async function run(ctx: SaliencyContext): Promise<SaliencyBatchResult> {
  checkContext(occlusion, ctx);
  const p = occlusion.validate(ctx.params) as unknown as Params;
  throwIfCancelled(ctx.signal, occlusion.id);
  const { tf, x } = ctx;
  const [rows, h, w] = x.shape;
  const grid = occlusionGrid(h, w, p as unknown as Record<string, unknown>);
  const ref = await getBaseline(p.baseline).materialize({ tf, x, descriptor: ctx.model.descriptor, indices: ctx.indices, seed: ctx.seed, datasetMean: ctx.datasetMean });
  try {
    const both = await endpointScores(ctx, ref);
    const occluded = await occludedScores(ctx, grid, ref);
    const base = both.slice(0, rows);
    const windows = grid.ys.length * grid.xs.length;
    const diagnostics = Array.from({ length: rows }, (_, r) => ({ score: base[r], baselineScore: both[rows + r], windows }));
    return { maps: averageDrops(base, occluded, grid, h, w), raw: null, height: h, width: w, diagnostics };
  } finally {
    ref.dispose();
  }
}

/** The `occlusion` method (see the file comment). */
export const occlusion: SaliencyMethod = {
  id: 'occlusion',
  label: 'Occlusion',
  reference: 'Zeiler & Fergus (2014), Visualizing and Understanding Convolutional Networks, ECCV, arXiv:1311.2901',
  requires: [],
  score: 'prob',
  // Only noise baselines draw random numbers, but then the seed changes the result: record it.
  stochastic: true,
  /** Occluded copies plus x and B; the window count needs the input size, 224×224 when not given. */
  passesPerInput(params, inputShape: number[] = [224, 224]) {
    const grid = occlusionGrid(inputShape[0], inputShape[1], params);
    return { forward: grid.ys.length * grid.xs.length + 2, backward: 0 };
  },
  defaults: { window: null, stride: null, baseline: 'grey' },
  validate(params) {
    rejectUnknownParams('occlusion', params, ['window', 'stride', 'baseline']);
    const pixels = (name: string) => (params[name] == null ? null : readNumber('occlusion', params, name, 1, { min: 1, max: 100_000, integer: true }));
    return { window: pixels('window'), stride: pixels('stride'), baseline: readBaselineParam('occlusion', params, 'baseline', 'grey') };
  },
  run
};
