/**
 * Tiny Layers models for the CAM tests (seeded, fixed layer names), and helpers that read
 * tensors back and take finite differences with respect to a layer's activation.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerSplit } from '../../../main/engine/model/layer-activations';

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
const smallBias = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed });

/**
 * The spec's CAM test model (§5.5): conv 3×3 ReLU (8×8×4) → conv 3×3 stride 2 ReLU 'feat' (4×4×6)
 * → global average pool → dense 3 (softmax). For this head ∂y_c/∂A_ijk = W[k, c]/(h·w).
 */
export function buildGapModel(seed = 94): tf.LayersModel {
  return tf.sequential({
    name: 'gap_head',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: glorot(seed), biasInitializer: smallBias(seed + 1) }),
      tf.layers.conv2d({ name: 'feat', filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: glorot(seed + 2), biasInitializer: smallBias(seed + 3) }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax', kernelInitializer: glorot(seed + 4), biasInitializer: smallBias(seed + 5) })
    ]
  });
}

/** Functional model with a skip connection around 'b': x → a → b → add(a, b) → tanh conv → flatten → dense 3. */
export function buildSkipModel(seed = 41): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2], name: 'x' });
  const a = tf.layers.conv2d({ name: 'a', filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: glorot(seed), biasInitializer: smallBias(seed + 1) }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ name: 'b', filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: glorot(seed + 2), biasInitializer: smallBias(seed + 3) }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  const c = tf.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: glorot(seed + 4), biasInitializer: smallBias(seed + 5) }).apply(sum) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(c) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'out', units: 3, kernelInitializer: glorot(seed + 6), biasInitializer: smallBias(seed + 7) }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ name: 'skip', inputs: input, outputs: out });
}

/** One conv layer 'shared' applied twice in sequence (refused as a split point). */
export function buildSharedLayerModel(seed = 51): tf.LayersModel {
  const input = tf.input({ shape: [5, 5, 2], name: 'x' });
  const shared = tf.layers.conv2d({ name: 'shared', filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: glorot(seed) });
  const twice = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'out', units: 2, kernelInitializer: glorot(seed + 1) }).apply(tf.layers.flatten({ name: 'flat' }).apply(twice)) as tf.SymbolicTensor;
  return tf.model({ name: 'shared_twice', inputs: input, outputs: out });
}

/** Σ_rows logits[row, target[row]] for activation values `a` (shape `shape`), in float64. */
export function splitScore(split: LayerSplit, a: Float32Array, shape: number[], targets: number[]): number {
  return tf.tidy(() => {
    const logits = split.logits(tf.tensor4d(a, shape as [number, number, number, number])).arraySync();
    return targets.reduce((sum, t, row) => sum + logits[row][t], 0);
  });
}

/** Central differences of `splitScore` w.r.t. the flat entries `entries` of A. */
export function activationGradFD(split: LayerSplit, targets: number[], eps: number, entries: number[]): Float64Array {
  const base = split.activations.dataSync() as Float32Array;
  const shape = split.activations.shape;
  const at = (e: number, delta: number): number => {
    const edited = base.slice();
    edited[e] += delta;
    return splitScore(split, edited, shape, targets);
  };
  return Float64Array.from(entries, (e) => (at(e, eps) - at(e, -eps)) / (2 * eps));
}

/** ∂(Σ_rows logits[row, target[row]])/∂A by reverse mode, read back. */
export function activationGrad(split: LayerSplit, targets: number[]): Float32Array {
  return tf.tidy(() => {
    const g = tf.grad((a: tf.Tensor) => {
      const logits = split.logits(a as tf.Tensor4D);
      const k = logits.shape[1];
      const flat = tf.reshape(logits, [-1]);
      return tf.sum(tf.gather(flat, tf.tensor1d(targets.map((t, row) => row * k + t), 'int32')));
    })(split.activations);
    return g.dataSync() as Float32Array;
  });
}
