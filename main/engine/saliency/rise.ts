/**
 * RISE (Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation of Black-box
 * Models", BMVC, arXiv:1806.07421; spec §5.7), with any baseline B from the registry (§4.2–4.3):
 *
 *   S(λ) = (1/(N·p)) Σ_i s_c(M_i ⊙ x + (1 − M_i) ⊙ B) · M_i(λ)
 *
 * the Monte-Carlo estimate of E[s_c(x̃) | M(λ) = 1]; s is the probability p_c by default (§5.0).
 * Masks (§5.7, the authors' `generate_masks`): for i = 1…N a binary s×s grid with P(cell = 1) = p;
 * cell size C = (⌈H/s⌉, ⌈W/s⌉); the grid upsampled bilinearly to ((s+1)·C_h, (s+1)·C_w) with
 * half-pixel centres (u = (Y + ½)·s/((s+1)·C_h) − ½) and taps beyond the grid mirrored without
 * repeating the edge cell, as skimage `resize(order=1, mode='reflect')` in the reference code; then
 * the H×W window at offset (δy, δx), integers uniform in [0, C_h) × [0, C_w).
 * Draws: the stream rowRng(seed, 0, 'rise-masks'), shared by every image of the run; per mask the
 * s² cells row-major (uniform < p), then δy, then δx. `ctx.supplied.masks` [N, H, W] replaces them,
 * or `ctx.suppliedMaskRows` (the same read from a file chunk by chunk, as the maps run does).
 * Normalisation 1/(N·p) uses the parameter p, also with supplied masks.
 *
 * Parameters: `n` masks (default 4000), `grid` s (7), `p` (0.5) — Xplique's defaults, which follow
 * the paper —, `baseline` (default `mean-colour`: model-space zero, the reference code's implicit
 * baseline), `returnMasks` (default true: `streamedArtifacts.masks` [N, H, W], N·H·W·4 bytes on
 * disk, regenerated from the seed 64 masks at a time when written, never held whole).
 * Masked copies of all rows are batched under `maxElementsPerPass`, and only the current chunk's
 * masks are in memory (drawn from the stream as the chunks advance), so memory is bounded by the
 * pass budget whatever N is; `onStep` counts copies and cancellation is checked between chunks.
 * Diagnostics per row: `score` s_c(x), `baselineScore` s_c(B), `maskMean` (mean of all masks).
 *
 * Checkable property: a linear model f and independent pixel-level Bernoulli(p) masks give
 * E[S(λ)] = p·f(x) + (1 − p)·f(B) + (1 − p)·Σ_c w_{λc}(x_{λc} − B_{λc}); a constant model k gives
 * S(λ) = k·mean_i M_i(λ)/p.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { Rng } from '../../../shared/random';
import { getBaseline, readBaselineParam } from '../baselines';
import { readNumber } from '../baselines/options';
import { forEachChunk, planChunks, rowRng } from './batching';
import { interpolationMatrix } from './upsample';
import { checkContext, rejectUnknownParams, targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod, type StreamedArtifact, type SuppliedRows } from './method';

interface Params { n: number; grid: number; p: number; baseline: string; returnMasks: boolean }

/** Mask size and the grid's upsampling matrices [(s+1)·C, s] per axis (bilinear, mirrored taps). */
export interface MaskGeometry { s: number; height: number; width: number; ry: Float64Array; rx: Float64Array }

export function maskGeometry(s: number, height: number, width: number): MaskGeometry {
  const up = (size: number) => interpolationMatrix(s, (s + 1) * Math.ceil(size / s), 'bilinear', 'mirror');
  return { s, height, width, ry: up(height), rx: up(width) };
}

/** One mask: rows dy… and columns dx… of R_y · G · R_xᵀ (G = `cells`, s×s row-major) into `out` [H·W]. */
export function renderMask(cells: ArrayLike<number>, dy: number, dx: number, g: MaskGeometry, out: Float32Array): void {
  const { s, height, width, ry, rx } = g;
  const alongX = new Float64Array(s * width);
  for (let a = 0; a < s; a++) for (let j = 0; j < width; j++) for (let b = 0; b < s; b++) alongX[a * width + j] += cells[a * s + b] * rx[(dx + j) * s + b];
  const row = new Float64Array(width);
  for (let i = 0; i < height; i++) {
    row.fill(0);
    for (let a = 0; a < s; a++) {
      const weight = ry[(dy + i) * s + a];
      if (weight !== 0) for (let j = 0; j < width; j++) row[j] += weight * alongX[a * width + j];
    }
    out.set(row, i * width);
  }
}

/** The next mask of the stream: s² cells (uniform < p) row-major, then δy, then δx. */
function drawMask(rng: Rng, p: number, g: MaskGeometry, out: Float32Array): void {
  const cells = Float64Array.from({ length: g.s * g.s }, () => (rng.uniform() < p ? 1 : 0));
  const dy = Math.floor(rng.uniform() * Math.ceil(g.height / g.s));
  const dx = Math.floor(rng.uniform() * Math.ceil(g.width / g.s));
  renderMask(cells, dy, dx, g, out);
}

/** Masks by index range (asked for in increasing order) and the mean of those handed out. */
interface MaskSource { get(first: number, count: number): Float32Array; mean(): number }

/** The supplied masks, checked against [n, H, W] and [0, 1]. @throws AppError PARAM_INVALID */
function suppliedSource(data: Float32Array, shape: number[], n: number, height: number, width: number): MaskSource {
  const size = height * width;
  const bad = data.findIndex((v) => !(v >= 0 && v <= 1));
  if (shape.join() !== [n, height, width].join() || data.length !== n * size || bad >= 0) {
    throw new AppError('PARAM_INVALID', `rise: supplied \`masks\` must have shape [${n}, ${height}, ${width}] (n = ${n}) with values in [0, 1], got [${shape.join(', ')}]${bad >= 0 ? ` with ${data[bad]} at ${bad}` : ''}.`);
  }
  const mean = data.reduce((a, v) => a + v, 0) / data.length;
  return { get: (first, count) => data.subarray(first * size, (first + count) * size), mean: () => mean };
}

/** Supplied masks read from a file as the chunks advance (never whole). @throws AppError PARAM_INVALID on the shape */
function rowsSource(rows: SuppliedRows, n: number, height: number, width: number): MaskSource {
  if (rows.shape.join() !== [n, height, width].join()) {
    throw new AppError('PARAM_INVALID', `rise: supplied \`masks\` must have shape [${n}, ${height}, ${width}] (n = ${n}), got [${rows.shape.join(', ')}].`);
  }
  return { get: (first, count) => rows.read(first, count), mean: () => rows.mean };
}

/**
 * Masks drawn in order from the run seed, only the current chunk's held (memory bounded by the
 * pass budget whatever n is); chunks are mask-major, so only the last mask can be asked again.
 */
function drawnSource(seed: number, p: Params, g: MaskGeometry): MaskSource {
  const size = g.height * g.width;
  const rng = rowRng(seed, 0, 'rise-masks');
  let drawn = 0;
  let total = 0;
  let last = new Float32Array(0);
  const get = (first: number, count: number): Float32Array => {
    const out = new Float32Array(count * size);
    for (let i = first; i < first + count; i++) {
      const into = out.subarray((i - first) * size, (i - first + 1) * size);
      if (i < drawn) {
        into.set(last);
        continue;
      }
      drawMask(rng, p.p, g, into);
      total += into.reduce((a, v) => a + v, 0);
      drawn++;
      last = into;
    }
    return out;
  };
  return { get, mean: () => total / (drawn * size) };
}

/** Masks per slice when they are streamed to a file (64 × 224² floats = 12.8 MB). */
const MASKS_PER_SLICE = 64;

/**
 * The run's masks as a streamed artifact [n, H, W]: regenerated slice by slice from the same seeded
 * stream the run drew them from (so identical to what was used), or sliced from the supplied ones.
 */
function masksArtifact(seed: number, p: Params, h: number, w: number, given?: { data: Float32Array }, rows?: SuppliedRows): StreamedArtifact {
  const chunks = function* (): Generator<Float32Array> {
    const source = rows ? rowsSource(rows, p.n, h, w) : given ? suppliedSource(given.data, [p.n, h, w], p.n, h, w) : drawnSource(seed, p, maskGeometry(p.grid, h, w));
    for (let first = 0; first < p.n; first += MASKS_PER_SLICE) yield source.get(first, Math.min(MASKS_PER_SLICE, p.n - first));
  };
  const key = given || rows ? `rise-masks:supplied:${p.n}×${h}×${w}` : `rise-masks:seed=${seed}:n=${p.n}:grid=${p.grid}:p=${p.p}:${h}×${w}`;
  return { shape: [p.n, h, w], key, chunks };
}

/** Σ_i s_c(x̃_i) M_i per row, float64 [N_rows · H·W]; units are (mask, row) in mask-major order. */
async function weightedSum(ctx: SaliencyContext, masks: MaskSource, n: number, ref: tfTypes.Tensor4D): Promise<Float64Array> {
  const { tf, x } = ctx;
  const [rows, h, w, c] = x.shape;
  const acc = new Float64Array(rows * h * w);
  await forEachChunk(planChunks(n, rows, h * w * c, ctx.maxElementsPerPass), { signal: ctx.signal, methodId: rise.id, onStep: ctx.onStep }, async (chunk) => {
    const first = chunk.rows[0];
    const count = chunk.rows[chunk.count - 1] - first + 1;
    const sum = tf.tidy(() => {
      const m = tf.tensor2d(masks.get(first, count), [count, h * w]);
      const maskOf = tf.tensor1d(Int32Array.from(chunk.rows, (i) => i - first), 'int32');
      const rowOf = tf.tensor1d(chunk.copies, 'int32');
      const perUnit = tf.gather(m, maskOf);
      const keep = tf.reshape(perUnit, [chunk.count, h, w, 1]);
      const input = tf.add(tf.mul(tf.gather(x, rowOf), keep), tf.mul(tf.gather(ref, rowOf), tf.sub(1, keep))) as tfTypes.Tensor4D;
      const scores = targetScores(ctx, rise, input, Int32Array.from(chunk.copies, (r) => ctx.targets[r]));
      return tf.unsortedSegmentSum(tf.mul(perUnit, tf.expandDims(scores, 1)), rowOf, rows);
    });
    try {
      const values = (await sum.data()) as Float32Array;
      for (let e = 0; e < acc.length; e++) acc[e] += values[e];
    } finally {
      sum.dispose();
    }
  });
  return acc;
}

/** s_c(x) for rows 0…N−1 then s_c(B) for rows N…2N−1. */
async function endpointScores(ctx: SaliencyContext, ref: tfTypes.Tensor4D): Promise<Float32Array> {
  const rows = ctx.x.shape[0];
  const scores = ctx.tf.tidy(() => targetScores(ctx, rise, ctx.tf.concat([ctx.x, ref]) as tfTypes.Tensor4D, Int32Array.from({ length: 2 * rows }, (_, i) => ctx.targets[i % rows])));
  try {
    return (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
}

async function run(ctx: SaliencyContext): Promise<SaliencyBatchResult> {
  checkContext(rise, ctx);
  const p = rise.validate(ctx.params) as unknown as Params;
  const { tf, x } = ctx;
  const [rows, h, w] = x.shape;
  const seed = ctx.seed ?? 0;
  const given = ctx.supplied?.masks;
  const fromFile = ctx.suppliedMaskRows;
  const masks = fromFile ? rowsSource(fromFile, p.n, h, w) : given ? suppliedSource(given.data, given.shape, p.n, h, w) : drawnSource(seed, p, maskGeometry(p.grid, h, w));
  throwIfCancelled(ctx.signal, rise.id);
  const ref = await getBaseline(p.baseline).materialize({ tf, x, descriptor: ctx.model.descriptor, indices: ctx.indices, seed: ctx.seed, datasetMean: ctx.datasetMean });
  try {
    const ends = await endpointScores(ctx, ref);
    const acc = await weightedSum(ctx, masks, p.n, ref);
    const maskMean = masks.mean();
    const diagnostics = Array.from({ length: rows }, (_, r) => ({ score: ends[r], baselineScore: ends[rows + r], maskMean }));
    const maps = Float32Array.from(acc, (v) => v / (p.n * p.p));
    const streamedArtifacts = p.returnMasks ? { masks: masksArtifact(seed, p, h, w, given, fromFile) } : undefined;
    return { maps, raw: null, height: h, width: w, diagnostics, streamedArtifacts };
  } finally {
    ref.dispose();
  }
}

/** The `rise` method (see the file comment). */
export const rise: SaliencyMethod = {
  id: 'rise',
  label: 'RISE',
  reference: 'Petsiuk, Das & Saenko (2018), RISE: Randomized Input Sampling for Explanation of Black-box Models, BMVC, arXiv:1806.07421',
  requires: [],
  score: 'prob',
  stochastic: true,
  passesPerInput: (params) => ({ forward: Number(params.n ?? 4000) + 2, backward: 0 }),
  defaults: { n: 4000, grid: 7, p: 0.5, baseline: 'mean-colour', returnMasks: true },
  validate(params) {
    rejectUnknownParams('rise', params, ['n', 'grid', 'p', 'baseline', 'returnMasks']);
    const returnMasks = params.returnMasks ?? true;
    if (typeof returnMasks !== 'boolean') throw new AppError('PARAM_INVALID', `rise: \`returnMasks\` must be true or false, got ${JSON.stringify(returnMasks)}.`);
    return {
      n: readNumber('rise', params, 'n', 4000, { min: 1, max: 1_000_000, integer: true }),
      grid: readNumber('rise', params, 'grid', 7, { min: 1, max: 4096, integer: true }),
      p: readNumber('rise', params, 'p', 0.5, { above: 0, max: 1 }),
      baseline: readBaselineParam('rise', params, 'baseline', 'mean-colour'),
      returnMasks
    };
  },
  run
};
