/**
 * Hand-weighted toy models whose protocol outcomes are known in closed form, plus a seeded
 * random-profile source for runs that do not need real saliency. Saved like the engine fixtures
 * (model.json + weights.bin) so they load through `loadModel`.
 */
import * as tf from '@tensorflow/tfjs';
import type { SelectorItem } from '../../../main/engine/parameter-saliency/verify/selectors';
import { createRng } from '../../../shared/random';

/**
 * Input 4×4×1 → conv 1×1, 2 filters, weights [1, 1], no bias, linear → global average → dense
 * 2×2 = diag(2, 1), no bias → softmax. On x = ones: a = [1, 1], logits z = [2, 1], so class 0
 * wins; zeroing filter 0 gives z = [0, 1] (class 1 wins), zeroing both gives z = [0, 0].
 */
export function buildFlipModel(): tf.LayersModel {
  const model = tf.sequential({
    name: 'flip',
    layers: [
      tf.layers.conv2d({ name: 'conv', inputShape: [4, 4, 1], filters: 2, kernelSize: 1, useBias: false }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'dense', units: 2, useBias: false, activation: 'softmax' })
    ]
  });
  model.getLayer('conv').setWeights([tf.tensor4d([1, 1], [1, 1, 1, 2])]);
  model.getLayer('dense').setWeights([tf.tensor2d([[2, 0], [0, 1]])]);
  return model;
}

/** softmax in float64. */
export function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * A small ReLU CNN with BatchNorm after its first conv, max-pools and a dense head, 10×10×1 input,
 * 4 classes, seeded weights: conv filters 4 + 6 + 8 = 18.
 */
export function buildSmallCnn(seed = 3): tf.LayersModel {
  const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }), biasInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: s + 100 }) });
  return tf.sequential({
    name: 'small_cnn',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [10, 10, 1], filters: 4, kernelSize: 3, padding: 'same', ...init(seed) }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.activation({ name: 'r1', activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', ...init(seed + 1) }),
      tf.layers.conv2d({ name: 'c3', filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', ...init(seed + 2) }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'out', units: 4, activation: 'softmax', ...init(seed + 3) })
    ]
  });
}

/** Saliency of no meaning but fixed values: seeded profiles and z-scores, rankings by z. */
export function fakeSource(total: number, seed: number): (x: unknown, labels: number[], indices: number[]) => SelectorItem[] {
  return (_x, _labels, indices) => indices.map((index) => fakeItem(total, seed, index));
}

function fakeItem(total: number, seed: number, index: number): SelectorItem {
  const rng = createRng(seed * 7919 + index);
  const profile = Float64Array.from({ length: total }, () => rng.uniform());
  const zScores = Float64Array.from(profile, (v) => 3 * v - 1);
  const zscore = Int32Array.from({ length: total }, (_, i) => i).sort((a, b) => zScores[b] - zScores[a] || a - b);
  // A "POT-like" ranking: only the filters above 0.8 are ranked, so its length varies per input.
  const pot = zscore.filter((g) => profile[g] > 0.8);
  return { index, profile, zScores, rankings: { zscore, pot } };
}
