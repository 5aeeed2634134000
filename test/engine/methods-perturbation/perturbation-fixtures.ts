/**
 * Models and closed-form helpers for the perturbation-method tests: the linear fixture's weights,
 * a constant model, a model that reads one known region, and baselines materialised as the
 * methods see them.
 */
import * as tf from '@tensorflow/tfjs';
import { getBaseline } from '../../../main/engine/baselines';
import type { ModelHandle } from '../../../main/engine/model/model-handle';

/**
 * y = W·flatten(x) + b on a 4×4×3 input (RGB, so every raw-space baseline applies), 3 classes;
 * `softmax` wraps the same logits.
 */
export function buildLinearRgb(activation: 'linear' | 'softmax' = 'linear', seed = 17): tf.LayersModel {
  return tf.sequential({
    name: 'linear_rgb',
    layers: [
      tf.layers.flatten({ name: 'flat', inputShape: [4, 4, 3] }),
      tf.layers.dense({ name: 'dense', units: 3, activation, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed: seed + 1 }) })
    ]
  });
}

/** W [48][3] (flatten order h, w, c) and b [3] of `buildLinearRgb(_, seed)`. */
export function linearWeights(seed = 17): { w: number[][]; b: number[] } {
  const model = buildLinearRgb('linear', seed);
  const [kernel, bias] = model.getLayer('dense').getWeights();
  const out = { w: kernel.arraySync() as number[][], b: bias.arraySync() as number[] };
  model.dispose();
  return out;
}

/** The RGB linear model with every weight set to 0 and the bias to `bias`: f(x) = bias for any x. */
export function buildConstantModel(bias: number[]): tf.LayersModel {
  const model = buildLinearRgb('linear');
  const dense = model.getLayer('dense');
  const values = tf.tidy(() => [tf.zeros([48, 3]), tf.tensor1d(bias)]);
  dense.setWeights(values);
  tf.dispose(values);
  return model;
}

/** The region the region model reads: rows 4–9, columns 18–23 of a 32×32 input (36 of 1024 pixels). */
export const REGION = { top: 4, left: 18, size: 6, side: 32 };

/** Whether flat pixel e of the 32×32 input lies in REGION. */
export function inRegion(e: number): boolean {
  const [i, j] = [Math.floor(e / REGION.side), e % REGION.side];
  return i >= REGION.top && i < REGION.top + REGION.size && j >= REGION.left && j < REGION.left + REGION.size;
}

/**
 * A 32×32×1 model (flatten → dense 2, fixed weights): logit 0 = 2·Σ x over REGION, logit 1 = 0.
 * Only that region matters for class 0.
 */
export function buildRegionModel(): tf.LayersModel {
  const pixels = REGION.side * REGION.side;
  const model = tf.sequential({
    name: 'region',
    layers: [tf.layers.flatten({ name: 'flat', inputShape: [REGION.side, REGION.side, 1] }), tf.layers.dense({ name: 'dense', units: 2 })]
  });
  const kernel = new Float32Array(pixels * 2);
  for (let e = 0; e < pixels; e++) if (inRegion(e)) kernel[e * 2] = 2;
  const values = [tf.tensor2d(kernel, [pixels, 2]), tf.zeros([2])];
  model.getLayer('dense').setWeights(values);
  tf.dispose(values);
  return model;
}

/** The baseline `spec` for x, read back as nested arrays [N][H][W][C]. */
export async function baselineValues(spec: string, model: ModelHandle, x: tf.Tensor4D, seed = 0): Promise<number[][][][]> {
  const ref = await getBaseline(spec).materialize({ tf, x, descriptor: model.descriptor, seed });
  const values = ref.arraySync();
  ref.dispose();
  return values;
}

/** a[row][pixel] = Σ_c W[pixel·C + c][target] (x − B)[pixel, c]: the linear model's per-pixel contribution. */
export function linearContributions(w: number[][], x: number[][][][], ref: number[][][][], targets: number[]): number[][] {
  return targets.map((t, row) => x[row].flat().map((cell, pixel) => cell.reduce((s, v, c) => s + w[pixel * cell.length + c][t] * (v - ref[row].flat()[pixel][c]), 0)));
}
