/**
 * Integrated Gradients (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep Networks",
 * ICML, arXiv:1703.01365; spec §5.4), on the pre-softmax logit y_c, against a baseline x' from the
 * baseline registry (default `black`: raw 0 converted to model space, spec §5.4, §7 row 16):
 *
 *   IG(x) = (x − x') ⊙ ∫₀¹ ∇y_c(x' + α(x − x')) dα ≈ (x − x') ⊙ Σ_k w_k ∇y_c(x' + α_k(x − x'))
 *
 * `quadrature` over m = `steps` intervals (default m = 50, rule `trapezoid`):
 *   riemann-right   α_k = k/m, k = 1…m, w_k = 1/m            (m gradients)
 *   riemann-left    α_k = k/m, k = 0…m−1, w_k = 1/m          (m gradients)
 *   riemann-middle  α_k = (k + ½)/m, k = 0…m−1, w_k = 1/m    (m gradients)
 *   trapezoid       α_k = k/m, k = 0…m, w_k = 1/m, ends 1/2m (m + 1 gradients)
 * raw = IG [H, W, C] (signed); map S[h, w] = Σ_c IG[h, w, c] (SIGNED, spec §5.0). Steps of all
 * rows are batched under `maxElementsPerPass`; the weighted sum is kept in float64.
 *
 * Completeness diagnostic per row (spec §5.4): `sumAttributions` = Σ IG, `scoreDelta` =
 * y_c(x) − y_c(x'), `gap` = sumAttributions − scoreDelta, `relativeGap` = |gap| / max(|scoreDelta|,
 * 1e-12). The spec's rule is relativeGap < 0.05, else double `steps`; we report it and do not
 * re-run on our own, so the cost stays the one `passesPerInput` announced.
 *
 * Checkable property: for f = Σ a_i x_i² and x' = 0, trapezoid and midpoint give a_i x_i² exactly,
 * riemann-right a_i x_i² (1 + 1/m), riemann-left a_i x_i² (1 − 1/m); for a linear model IG =
 * w ⊙ (x − x') for any m; on smooth models the gap falls like 1/m (left/right) or 1/m² (others).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { getBaseline, readBaselineParam, type MeanImage } from '../baselines';
import { readChoice, readNumber } from '../baselines/options';
import { addToRows, forEachChunk, planChunks } from './batching';
import { withLeanGradients } from './lean-gradients';
import { checkContext, rejectUnknownParams, targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';

const RULES = ['riemann-right', 'riemann-left', 'riemann-middle', 'trapezoid'] as const;
type Rule = (typeof RULES)[number];
interface Params { baseline: string; steps: number; quadrature: Rule }

/** The context IG reads: the method context plus the set's mean image for the `mean-image` baseline. */
export type IntegratedGradientsContext = SaliencyContext & { datasetMean?: MeanImage };

/** Nodes α_k and weights w_k of a rule over m intervals of [0, 1] (see the file comment). */
export function quadrature(rule: Rule, m: number): { alphas: Float64Array; weights: Float64Array } {
  const count = rule === 'trapezoid' ? m + 1 : m;
  const shift = rule === 'riemann-right' ? 1 : rule === 'riemann-middle' ? 0.5 : 0;
  const alphas = Float64Array.from({ length: count }, (_, k) => (k + shift) / m);
  const weights = Float64Array.from({ length: count }, (_, k) => (rule === 'trapezoid' && (k === 0 || k === m) ? 0.5 / m : 1 / m));
  return { alphas, weights };
}

/** Σ_k w_k ∇y_c at the interpolation points, per row, float64 `[N·H·W·C]`. */
async function averageGradient(ctx: SaliencyContext, p: Params, ref: tfTypes.Tensor4D, diff: tfTypes.Tensor4D): Promise<Float64Array> {
  const { tf, x } = ctx;
  const [rows, h, w, c] = x.shape;
  const { alphas, weights } = quadrature(p.quadrature, p.steps);
  const avg = new Float64Array(rows * h * w * c);
  const chunks = planChunks(rows, alphas.length, h * w * c, ctx.maxElementsPerPass);
  await forEachChunk(chunks, { signal: ctx.signal, methodId: integratedGradients.id, onStep: ctx.onStep }, async (chunk) => {
    const targets = Int32Array.from(chunk.rows, (r) => ctx.targets[r]);
    const grads = tf.tidy(() => {
      const rowsOf = tf.tensor1d(chunk.rows, 'int32');
      const alpha = tf.tensor4d(Float32Array.from(chunk.copies, (k) => alphas[k]), [chunk.count, 1, 1, 1]);
      const input = tf.add(tf.gather(ref, rowsOf), tf.mul(alpha, tf.gather(diff, rowsOf)));
      return withLeanGradients(tf, () => tf.grad((v: tfTypes.Tensor) => tf.sum(targetScores(ctx, integratedGradients, v as tfTypes.Tensor4D, targets)))(input));
    });
    try {
      addToRows(avg, (await grads.data()) as Float32Array, chunk, h * w * c, (g, k) => g * weights[k]);
    } finally {
      grads.dispose();
    }
  });
  return avg;
}

/** y_c(x) for rows 0…N−1 then y_c(x') for rows N…2N−1. */
async function endpointScores(ctx: SaliencyContext, ref: tfTypes.Tensor4D): Promise<Float32Array> {
  const scores = ctx.tf.tidy(() => targetScores(ctx, integratedGradients, ctx.tf.concat([ctx.x, ref]) as tfTypes.Tensor4D));
  try {
    return (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
}

/** Attributions (x − x') ⊙ avg, the signed channel-sum map and the completeness diagnostics. */
function assemble(diff: Float32Array, avg: Float64Array, ends: Float32Array, channels: number): Omit<SaliencyBatchResult, 'height' | 'width'> {
  const rows = ends.length / 2;
  const size = diff.length / rows;
  const raw = new Float32Array(diff.length);
  const maps = new Float32Array(diff.length / channels);
  const diagnostics: Array<Record<string, number>> = [];
  for (let row = 0; row < rows; row++) {
    let total = 0;
    for (let e = row * size; e < (row + 1) * size; e += channels) {
      let pixel = 0;
      for (let k = e; k < e + channels; k++) {
        raw[k] = diff[k] * avg[k];
        pixel += diff[k] * avg[k];
      }
      maps[e / channels] = pixel;
      total += pixel;
    }
    const scoreDelta = ends[row] - ends[rows + row];
    const gap = total - scoreDelta;
    diagnostics.push({ sumAttributions: total, scoreDelta, gap, relativeGap: Math.abs(gap) / Math.max(Math.abs(scoreDelta), 1e-12) });
  }
  return { raw, maps, diagnostics };
}

async function run(ctx: IntegratedGradientsContext): Promise<SaliencyBatchResult> {
  checkContext(integratedGradients, ctx);
  const p = integratedGradients.validate(ctx.params) as unknown as Params;
  const baseline = getBaseline(p.baseline);
  throwIfCancelled(ctx.signal, integratedGradients.id);
  const { tf, x } = ctx;
  const ref = await baseline.materialize({ tf, x, descriptor: ctx.model.descriptor, indices: ctx.indices, seed: ctx.seed, datasetMean: ctx.datasetMean });
  const owned: tfTypes.Tensor[] = [ref];
  try {
    const diff = tf.sub(x, ref) as tfTypes.Tensor4D;
    owned.push(diff);
    const avg = await averageGradient(ctx, p, ref, diff);
    const [d, ends] = await Promise.all([diff.data() as Promise<Float32Array>, endpointScores(ctx, ref)]);
    throwIfCancelled(ctx.signal, integratedGradients.id);
    return { ...assemble(d, avg, ends, x.shape[3]), height: x.shape[1], width: x.shape[2] };
  } finally {
    tf.dispose(owned);
  }
}

/** The `integrated-gradients` method (see the file comment). */
export const integratedGradients: SaliencyMethod = {
  id: 'integrated-gradients',
  label: 'Integrated Gradients',
  reference: 'Sundararajan, Taly & Yan (2017), Axiomatic Attribution for Deep Networks, ICML, arXiv:1703.01365',
  requires: ['gradients'],
  score: 'logit',
  // Only noise baselines draw random numbers, but then the seed changes the result: record it.
  stochastic: true,
  passesPerInput(params) {
    const gradients = Number(params.steps ?? 50) + ((params.quadrature ?? 'trapezoid') === 'trapezoid' ? 1 : 0);
    return { forward: gradients + 2, backward: gradients };
  },
  defaults: { baseline: 'black', steps: 50, quadrature: 'trapezoid' },
  validate(params) {
    rejectUnknownParams('integrated-gradients', params, ['baseline', 'steps', 'quadrature']);
    return {
      baseline: readBaselineParam('integrated-gradients', params, 'baseline', 'black'),
      steps: readNumber('integrated-gradients', params, 'steps', 50, { min: 1, max: 100_000, integer: true }),
      quadrature: readChoice('integrated-gradients', params, 'quadrature', 'trapezoid', RULES)
    };
  },
  run
};
