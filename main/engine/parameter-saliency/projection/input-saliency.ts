/**
 * Input-space saliency of parameter saliency, "image-space projection" (Levin et al., arXiv
 * 2108.01335, reference code; algorithms.md §2.4): which pixels make the top-k filters salient.
 *
 *   ŝ(x) = (s̄(x) − μ)/σ                      (σ ≤ 1e−14 → 1, §2.3), s̄ from profile.ts
 *   t    = ŝ(x) detached, with the k boosted entries multiplied by `boost`
 *   G    = ∂ cos(ŝ(x), t) / ∂x                 (double backprop: ŝ is itself a gradient)
 *
 * Boosted filters: the top-k of ŝ(x) by default (k = 10, boost = 100), or any given list (a POT
 * ranking's top, or k random filters as the paper's control). Optional SmoothGrad-like averaging
 * (off by default, as in the reference): G is averaged over `iterations` inputs
 * x̃ = (1 − a)·x + a·ε, ε ~ N(0, 1) seeded. The display map is postprocess.ts's.
 *
 * Rows of a batch are independent (one profile and one cosine per row, summed), so a batch gives
 * every row's own G. Checkable property: G matches central finite differences of cos(ŝ(x), t)
 * with t held fixed (smooth activations; small steps for ReLU networks, §2.4).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import { createRng } from '../../../../shared/random';
import { STANDARDIZE_GUARD, rankDescending } from '../stats';
import type { ProjectionNetwork } from './network';
import { projectionMap } from './postprocess';
import { differentiableProfile, releaseKept } from './profile';

type Tf = typeof tfTypes;

/** Reference μ and σ per filter (σ ≤ 1e−14 or NaN is guarded to 1). */
export interface ProjectionStats {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/** Boosting and averaging options (defaults as the reference code). */
export interface ProjectionOptions {
  /** Number of top filters boosted (default 10). */
  k?: number;
  /** Boost factor of the target (default 100). */
  boost?: number;
  /** Filters to boost, per row (default: each row's top-k by ŝ). */
  filters?: number[][];
  /** SmoothGrad-like averaging: iterations (default 1) and noise weight a (default 0). */
  iterations?: number;
  noise?: number;
  seed?: number;
}

/** The projection of one row of the batch. */
export interface ProjectionRow {
  filters: number[];
  /** ŝ(x), all L filters. */
  zScores: Float64Array;
  /** G [H·W·C], row-major NHWC without the batch axis. */
  gradient: Float32Array;
  /** Display map [H·W] in [0, 1]. */
  map: Float32Array;
  /** Boosted filters whose ŝ was ≤ 0 (the target then points away from them, §2.8). */
  nonPositive: number[];
}

/** ŝ = (s̄ − μ)·(1/σ̃) as tensors; `inv` holds 1/σ̃. */
function standardizer(tf: Tf, stats: ProjectionStats, L: number): { mean: tfTypes.Tensor1D; inv: tfTypes.Tensor1D } {
  if (stats.mean.length !== L || stats.std.length !== L) throw new AppError('PARAM_INVALID', `Input-space projection: the statistics cover ${stats.mean.length} filters, the model has ${L}.`, { hint: 'Use reference statistics computed for this model.' });
  const inv = Float32Array.from(stats.std, (s) => (Number.isNaN(s) || s <= STANDARDIZE_GUARD ? 1 : 1 / s));
  return { mean: tf.tensor1d(Float32Array.from(stats.mean)), inv: tf.tensor1d(inv) };
}

/** ŝ(x) [B, L] read back (no gradient). */
function zScoresOf(tf: Tf, net: ProjectionNetwork, x: tfTypes.Tensor4D, labels: number[], st: { mean: tfTypes.Tensor1D; inv: tfTypes.Tensor1D }): Float64Array[] {
  const kept: tfTypes.Tensor[] = [];
  try {
    const flat = tf.tidy(() => tf.mul(tf.sub(differentiableProfile(tf, net, x, labels, kept), st.mean), st.inv).dataSync());
    const L = flat.length / x.shape[0];
    return Array.from({ length: x.shape[0] }, (_, r) => Float64Array.from(flat.subarray(r * L, (r + 1) * L)));
  } finally {
    releaseKept(tf, kept);
  }
}

/** ∂/∂x Σ_rows cos(ŝ_row(x), t_row). */
function cosineGradient(tf: Tf, net: ProjectionNetwork, x: tfTypes.Tensor4D, labels: number[], st: { mean: tfTypes.Tensor1D; inv: tfTypes.Tensor1D }, target: tfTypes.Tensor2D): Float32Array {
  const kept: tfTypes.Tensor[] = [];
  try {
    return tf.tidy(() => {
      const objective = (input: tfTypes.Tensor): tfTypes.Scalar => {
        const z = tf.mul(tf.sub(differentiableProfile(tf, net, input as tfTypes.Tensor4D, labels, kept), st.mean), st.inv);
        const cos = tf.div(tf.sum(tf.mul(z, target), 1), tf.mul(tf.norm(z, 2, 1), tf.norm(target, 2, 1)));
        return tf.sum(cos);
      };
      return tf.grad(objective)(x).dataSync() as Float32Array;
    });
  } finally {
    releaseKept(tf, kept);
  }
}

function checkOptions(options: ProjectionOptions, rows: number, L: number): Required<Omit<ProjectionOptions, 'filters'>> & { filters?: number[][] } {
  const { k = 10, boost = 100, iterations = 1, noise = 0, seed = 0, filters } = options;
  if (!Number.isInteger(k) || k < 1 || k > L) throw new AppError('PARAM_INVALID', `Input-space projection: \`k\` must be an integer in 1…${L}, got ${k}.`);
  if (!Number.isFinite(boost) || boost <= 0) throw new AppError('PARAM_INVALID', `Input-space projection: \`boost\` must be a number > 0, got ${boost}.`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new AppError('PARAM_INVALID', `Input-space projection: \`iterations\` must be a positive integer, got ${iterations}.`);
  if (!(noise >= 0 && noise <= 1)) throw new AppError('PARAM_INVALID', `Input-space projection: \`noise\` must lie in [0, 1], got ${noise}.`);
  if (filters && (filters.length !== rows || filters.some((f) => f.some((g) => !Number.isInteger(g) || g < 0 || g >= L)))) throw new AppError('PARAM_INVALID', `Input-space projection: \`filters\` must list filter indices in 0…${L - 1} for each of the ${rows} inputs.`);
  return { k, boost, iterations, noise, seed, filters };
}

/** The boosted target t [B, L] and the boosted filters of every row. */
function boostedTarget(zs: Float64Array[], opts: { k: number; boost: number; filters?: number[][] }): { target: Float32Array; chosen: number[][] } {
  const L = zs[0].length;
  const target = new Float32Array(zs.length * L);
  const chosen = zs.map((z, r) => {
    const filters = opts.filters?.[r] ?? Array.from(rankDescending(z).subarray(0, opts.k));
    target.set(z, r * L);
    for (const g of filters) target[r * L + g] *= opts.boost;
    return filters;
  });
  return { target, chosen };
}

/**
 * Projection of every row of x [B, H, W, C] (true labels `labels`) through `net`.
 * @throws AppError PARAM_INVALID for bad options or statistics of another model
 */
export function inputSpaceSaliency(tf: Tf, net: ProjectionNetwork, x: tfTypes.Tensor4D, labels: number[], stats: ProjectionStats, options: ProjectionOptions = {}): ProjectionRow[] {
  const [b, h, w, c] = x.shape;
  const L = net.convs.reduce((n, conv) => n + conv.outShape[2], 0);
  const opts = checkOptions(options, b, L);
  const classes = net.classes;
  if (labels.length !== b || labels.some((y) => !Number.isInteger(y) || y < 0 || y >= classes)) {
    throw new AppError('LABELS_INVALID', `Input-space projection needs one true label in 0…${classes - 1} per input (${b} inputs, labels ${JSON.stringify(labels)}).`);
  }
  const st = standardizer(tf, stats, L);
  try {
    const zs = zScoresOf(tf, net, x, labels, st);
    const { target, chosen } = boostedTarget(zs, opts);
    const t = tf.tensor2d(target, [b, L]);
    const sum = new Float64Array(b * h * w * c);
    const rng = createRng(opts.seed);
    for (let it = 0; it < opts.iterations; it++) {
      const xi = opts.noise > 0 ? tf.tidy(() => tf.add(tf.mul(x, 1 - opts.noise), tf.mul(tf.tensor4d(Float32Array.from({ length: sum.length }, () => rng.normal()), x.shape), opts.noise))) as tfTypes.Tensor4D : x;
      const g = cosineGradient(tf, net, xi, labels, st, t);
      if (xi !== x) xi.dispose();
      for (let i = 0; i < g.length; i++) sum[i] += g[i] / opts.iterations;
    }
    t.dispose();
    const size = h * w * c;
    return zs.map((zScores, r) => {
      const gradient = Float32Array.from(sum.subarray(r * size, (r + 1) * size));
      return { filters: chosen[r], zScores, gradient, map: projectionMap(gradient, h * w, c), nonPositive: chosen[r].filter((g) => zScores[g] <= 0) };
    });
  } finally {
    tf.dispose([st.mean, st.inv]);
  }
}
