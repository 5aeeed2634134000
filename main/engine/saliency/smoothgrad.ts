/**
 * SmoothGrad (Smilkov, Thorat, Kim, Viégas & Wattenberg 2017, "SmoothGrad: removing noise by
 * adding noise", arXiv:1706.03825; spec §5.3) and its variants, on the pre-softmax logit y_c:
 *
 *   g_k = ∂y_c/∂x (x + σ·ε_k),   ε_k ~ N(0, I) ∈ R^{H×W×C},   k = 1…n
 *   mean:     raw = (1/n) Σ_k g_k                (SmoothGrad, signed)
 *   abs:      raw = (1/n) Σ_k |g_k|
 *   squared:  raw = (1/n) Σ_k g_k²               (SmoothGrad², Hooker et al. 2019)
 *   variance: raw = (1/n) Σ_k g_k² − mean²       (VarGrad, Adebayo et al. 2018; population variance)
 *   map S[h, w] = max_c |raw[h, w, c]|          (as the vanilla gradient, so σ = 0 gives its map)
 *
 * σ = `sigma` · (max(x_i) − min(x_i)): the range of each input over all its pixels and channels in
 * model space, as in the paper and the PAIR reference code (a constant image gets σ = 0).
 * Parameters: `n` samples (default 50), `sigma` as a fraction of that range (default 0.15),
 * `aggregate` (default `mean`). Sums are kept in float64.
 *
 * Noise: ε for item index i is drawn from `rowRng(seed, i, 'smoothgrad')`, n·H·W·C standard-normal
 * draws in [n, H, W, C] row-major order, each rounded to float32, then scaled by σ (float32) and
 * rounded again; or, when `ctx.supplied.noise` ([n, H, W, C]) is given, that array for every row.
 * Samples of all rows are batched under `maxElementsPerPass`.
 *
 * Checkable property: σ = 0 gives the vanilla gradient; for a linear model raw = W[:, c] for
 * any σ; `variance` = `squared` − `mean`² element-wise for the same seed.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { Rng } from '../../../shared/random';
import { readChoice, readNumber } from '../baselines/options';
import { addToRows, forEachChunk, planChunks, rowIndices, rowRng } from './batching';
import { withLeanGradients } from './lean-gradients';
import { checkContext, rejectUnknownParams, targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';

const AGGREGATES = ['mean', 'abs', 'squared', 'variance'] as const;
type Aggregate = (typeof AGGREGATES)[number];
interface Params { n: number; sigma: number; aggregate: Aggregate }

/** Writes σ·ε for (row, sample k) into `out`; draws rows' streams in sample order. */
type NoiseFill = (row: number, k: number, sigma: number, out: Float32Array) => void;

function noiseSource(ctx: SaliencyContext, n: number, size: number): NoiseFill {
  const supplied = ctx.supplied?.noise;
  if (supplied) {
    const want = [n, ...ctx.x.shape.slice(1)];
    if (supplied.shape.join() !== want.join() || supplied.data.length !== n * size) {
      throw new AppError('PARAM_INVALID', `smoothgrad: supplied \`noise\` must have shape [${want.join(', ')}] (n = ${n}), got [${supplied.shape.join(', ')}].`);
    }
    return (_row, k, sigma, out) => {
      for (let e = 0; e < size; e++) out[e] = sigma * supplied.data[k * size + e];
    };
  }
  const indices = rowIndices(ctx.x.shape[0], ctx.indices);
  const streams = new Map<number, Rng>();
  return (row, _k, sigma, out) => {
    if (!streams.has(row)) streams.set(row, rowRng(ctx.seed ?? 0, indices[row], 'smoothgrad'));
    const rng = streams.get(row)!;
    for (let e = 0; e < size; e++) out[e] = sigma * Math.fround(rng.normal());
  };
}

/** σ per row: `fraction` · (max − min) of the row. */
async function rowSigmas(ctx: SaliencyContext, fraction: number): Promise<Float32Array> {
  const { tf, x } = ctx;
  const range = tf.tidy(() => tf.sub(tf.max(x, [1, 2, 3]), tf.min(x, [1, 2, 3])));
  try {
    return Float32Array.from((await range.data()) as Float32Array, (r) => fraction * r);
  } finally {
    range.dispose();
  }
}

/** Adds one chunk's gradients to the running sums the aggregate needs. */
function accumulate(aggregate: Aggregate, sums: Float64Array[], g: Float32Array, chunk: Parameters<typeof addToRows>[2], size: number): void {
  if (aggregate === 'abs') addToRows(sums[0], g, chunk, size, Math.abs);
  else if (aggregate === 'squared') addToRows(sums[0], g, chunk, size, (v) => v * v);
  else addToRows(sums[0], g, chunk, size, (v) => v);
  if (aggregate === 'variance') addToRows(sums[1], g, chunk, size, (v) => v * v);
}

/** Final raw attributions and the max-|·|-over-channels map. */
function finish(p: Params, sums: Float64Array[], channels: number): { raw: Float32Array; maps: Float32Array } {
  const raw = p.aggregate === 'variance'
    ? Float32Array.from(sums[0], (s, e) => Math.max(0, sums[1][e] / p.n - (s / p.n) ** 2))
    : Float32Array.from(sums[0], (s) => s / p.n);
  const maps = new Float32Array(raw.length / channels);
  for (let q = 0; q < maps.length; q++) {
    for (let k = 0; k < channels; k++) maps[q] = Math.max(maps[q], Math.abs(raw[q * channels + k]));
  }
  return { raw, maps };
}

async function run(ctx: SaliencyContext): Promise<SaliencyBatchResult> {
  checkContext(smoothgrad, ctx);
  const p = smoothgrad.validate(ctx.params) as unknown as Params;
  const { tf, x } = ctx;
  const [rows, height, width, channels] = x.shape;
  const size = height * width * channels;
  const fill = noiseSource(ctx, p.n, size);
  throwIfCancelled(ctx.signal, smoothgrad.id);
  const sigmas = await rowSigmas(ctx, p.sigma);
  const sums = [new Float64Array(rows * size), ...(p.aggregate === 'variance' ? [new Float64Array(rows * size)] : [])];
  const chunks = planChunks(rows, p.n, size, ctx.maxElementsPerPass);
  await forEachChunk(chunks, { signal: ctx.signal, methodId: smoothgrad.id, onStep: ctx.onStep }, async (chunk) => {
    const noise = new Float32Array(chunk.count * size);
    for (let j = 0; j < chunk.count; j++) fill(chunk.rows[j], chunk.copies[j], sigmas[chunk.rows[j]], noise.subarray(j * size, (j + 1) * size));
    const targets = Int32Array.from(chunk.rows, (r) => ctx.targets[r]);
    const grads = tf.tidy(() => {
      const input = tf.add(tf.gather(x, tf.tensor1d(chunk.rows, 'int32')), tf.tensor4d(noise, [chunk.count, height, width, channels]));
      return withLeanGradients(tf, () => tf.grad((v: tfTypes.Tensor) => tf.sum(targetScores(ctx, smoothgrad, v as tfTypes.Tensor4D, targets)))(input));
    });
    try {
      accumulate(p.aggregate, sums, (await grads.data()) as Float32Array, chunk, size);
    } finally {
      grads.dispose();
    }
  });
  return { ...finish(p, sums, channels), height, width };
}

/** The `smoothgrad` method: averaged gradients over noisy copies (see the file comment). */
export const smoothgrad: SaliencyMethod = {
  id: 'smoothgrad',
  label: 'SmoothGrad',
  reference: 'Smilkov, Thorat, Kim, Viégas & Wattenberg (2017), SmoothGrad: removing noise by adding noise, arXiv:1706.03825',
  requires: ['gradients'],
  score: 'logit',
  stochastic: true,
  passesPerInput: (params) => ({ forward: Number(params.n ?? 50), backward: Number(params.n ?? 50) }),
  defaults: { n: 50, sigma: 0.15, aggregate: 'mean' },
  validate(params) {
    rejectUnknownParams('smoothgrad', params, ['n', 'sigma', 'aggregate']);
    return {
      n: readNumber('smoothgrad', params, 'n', 50, { min: 1, max: 100_000, integer: true }),
      sigma: readNumber('smoothgrad', params, 'sigma', 0.15, { min: 0, max: 10 }),
      aggregate: readChoice('smoothgrad', params, 'aggregate', 'mean', AGGREGATES)
    };
  },
  run
};
