/**
 * A minimal filter-wise parameter-saliency check (Levin et al. profile, z-score baseline), used
 * only to document how visible the planted filter is. The workbench's engine has the full
 * implementation (POT included); this one exists so the generator does not depend on it.
 */
import { CONV_LAYERS, logitsModel } from './model';
import { imagesToTensor } from './tensors';
import type { Tf } from './tf';
import type { LayersModel, Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';

/** Kernel variables of the convolution stages, in definition order. */
function kernels(model: LayersModel): Variable[] {
  return CONV_LAYERS.map((name) => model.getLayer(name).trainableWeights[0].read() as Variable);
}

/** Computes the filter profile of one labelled image. */
export type Profiler = (img: Uint8Array, label: number) => Float64Array;

/**
 * Profiler for `model`: mean |∂CE/∂w| over each filter's kh·kw·inC weights, all conv filters
 * concatenated in layer order (batch size 1, true label, inference mode).
 */
export function filterProfiler(tf: Tf, model: LayersModel): Profiler {
  const net = logitsModel(tf, model);
  const vars = kernels(model);
  return (img, label) => {
    const parts = tf.tidy(() => {
      const x = imagesToTensor(tf, [img]);
      const y = tf.oneHot(tf.tensor1d([label], 'int32'), 10);
      const loss = () => tf.losses.softmaxCrossEntropy(y, net.apply(x, { training: false }) as Tensor) as Scalar;
      const { grads } = tf.variableGrads(loss, vars);
      return tf.concat(vars.map((v) => tf.mean(tf.abs(grads[v.name]), [0, 1, 2])));
    });
    const out = Float64Array.from(parts.dataSync());
    parts.dispose();
    return out;
  };
}

/** Per-filter mean and sample standard deviation of reference profiles (float64). */
export function profileStats(profiles: readonly Float64Array[]): { mean: Float64Array; std: Float64Array } {
  const n = profiles.length;
  const len = profiles[0].length;
  const mean = new Float64Array(len);
  const std = new Float64Array(len);
  for (const p of profiles) for (let j = 0; j < len; j++) mean[j] += p[j] / n;
  for (const p of profiles) for (let j = 0; j < len; j++) std[j] += (p[j] - mean[j]) ** 2 / (n - 1);
  for (let j = 0; j < len; j++) std[j] = Math.sqrt(std[j]);
  return { mean, std };
}

/**
 * 1-based rank of filter `target` when the filters in [from, to) (default: all) are sorted by
 * z-score, descending.
 */
export function zRank(profile: Float64Array, stats: { mean: Float64Array; std: Float64Array }, target: number, from = 0, to = profile.length): number {
  const z = (j: number) => (profile[j] - stats.mean[j]) / (stats.std[j] || Number.MIN_VALUE);
  const zt = z(target);
  let above = 0;
  for (let j = from; j < to; j++) if (j !== target && z(j) > zt) above++;
  return above + 1;
}

/**
 * Indices of the `k` filters with the highest z-scores (ties to the lower index), for the
 * per-stage share of top picks (the depth-bias table).
 */
export function topByZ(profile: Float64Array, stats: { mean: Float64Array; std: Float64Array }, k: number): number[] {
  const z = Array.from(profile, (v, j) => (v - stats.mean[j]) / (stats.std[j] || Number.MIN_VALUE));
  return z.map((v, j) => j).sort((a, b) => z[b] - z[a] || a - b).slice(0, k);
}

/** Median of a list of numbers (lower middle for even lengths). */
export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const s = values.slice().sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
}
