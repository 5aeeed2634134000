/** Fixtures of the input-space projection tests: a smooth 2-conv net and reference statistics from seeded inputs. */
import * as tf from '@tensorflow/tfjs';
import type { ProjectionNetwork } from '../../../main/engine/parameter-saliency/projection/network';
import { differentiableProfile, releaseKept } from '../../../main/engine/parameter-saliency/projection/profile';

const init = (seed: number) => ({
  kernelInitializer: tf.initializers.glorotUniform({ seed }),
  biasInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed: seed + 9 })
});

/** §2.4's finite-difference net: 8×8×2 → conv 3×3×4 softplus → conv 3×3×3 stride 2 softplus → dense 3 softmax. */
export function buildSoftplusNet(): tf.LayersModel {
  return tf.sequential({
    name: 'softplus_net',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'softplus', ...init(1) }),
      tf.layers.conv2d({ name: 'c2', filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'softplus', ...init(2) }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax', ...init(3) })
    ]
  });
}

/** tanh and sigmoid activations (their gradients go through twice-differentiable.ts), 6×6×1 → 2 classes. */
export function buildTanhSigmoidNet(): tf.LayersModel {
  return tf.sequential({
    name: 'tanh_sigmoid_net',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [6, 6, 1], filters: 3, kernelSize: 3, padding: 'valid', activation: 'tanh', ...init(11) }),
      tf.layers.conv2d({ name: 'c2', filters: 2, kernelSize: 2, padding: 'same', activation: 'sigmoid', ...init(12) }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 2, ...init(13) }),
      tf.layers.softmax({ name: 'sm' })
    ]
  });
}

/** Per-filter mean and unbiased std of the profiles of `n` seeded uniform inputs (labels cycle over the classes). */
export function seededStats(net: ProjectionNetwork, shape: [number, number, number], n: number, seed: number): { mean: Float64Array; std: Float64Array } {
  const x = tf.randomUniform([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
  const kept: tf.Tensor[] = [];
  const p = tf.tidy(() => differentiableProfile(tf, net, x, Array.from({ length: n }, (_, i) => i % net.classes), kept).dataSync());
  releaseKept(tf, kept);
  x.dispose();
  const L = p.length / n;
  const mean = new Float64Array(L);
  const std = new Float64Array(L);
  for (let j = 0; j < L; j++) {
    for (let r = 0; r < n; r++) mean[j] += p[r * L + j] / n;
    for (let r = 0; r < n; r++) std[j] += (p[r * L + j] - mean[j]) ** 2 / (n - 1);
    std[j] = Math.sqrt(std[j]);
  }
  return { mean, std };
}

/**
 * cos(ŝ(x), t) with t fixed, in float64 from one float32 profile pass: the objective whose input
 * gradient the projection computes, for finite differences.
 */
export function boostedCosine(net: ProjectionNetwork, x: tf.Tensor4D, label: number, stats: { mean: ArrayLike<number>; std: ArrayLike<number> }, target: Float64Array): number {
  const kept: tf.Tensor[] = [];
  const p = tf.tidy(() => differentiableProfile(tf, net, x, [label], kept).dataSync());
  releaseKept(tf, kept);
  let dot = 0;
  let nz = 0;
  let nt = 0;
  for (let j = 0; j < p.length; j++) {
    const z = (p[j] - stats.mean[j]) / stats.std[j];
    dot += z * target[j];
    nz += z * z;
    nt += target[j] * target[j];
  }
  return dot / Math.sqrt(nz * nt);
}
