/**
 * Shared by the gradient-family method tests: closed-form "models" (a ModelHandle around any
 * differentiable function, for exact checks such as f = Σ a_i x_i²), small 3-channel Layers
 * models with and without biases, a non-trivial preprocessing, and a context builder.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import type { SaliencyContext } from '../../../main/engine/saliency';
import type { ModelDescriptor, Preprocessing } from '../../../shared/types/model';

/** BGR, per-channel mean/std on a 0–1 scale: raw black is far from model zero. */
export const PRE: Preprocessing = { resize: [6, 6], colorMode: 'rgb', channelOrder: 'bgr', scale: 1 / 255, mean: [0.41, 0.46, 0.49], std: [0.22, 0.23, 0.25] };

/** A ModelHandle whose logits are `logits(x)`; no kernels (methods here use logits only). */
export function functionModel(inputShape: [number, number, number], classes: number, logits: (x: tf.Tensor4D) => tf.Tensor2D, preprocessing: Preprocessing = { ...PRE, resize: [inputShape[0], inputShape[1]] }): ModelHandle {
  const descriptor: ModelDescriptor = {
    hash: 'function', name: 'function', path: '', format: 'layers', inputShape, inputDtype: 'float32', preprocessing,
    classNames: Array.from({ length: classes }, (_, k) => `c${k}`), outputIndex: 0, outputIsProbability: false,
    convLayers: [], canComputeGradients: true, parameterCount: 0, descriptorSource: 'inferred'
  };
  return {
    descriptor,
    logits,
    probabilities: (x) => tf.softmax(logits(x)),
    convKernels: () => [],
    kernelGradients: () => {
      throw new Error('functionModel has no kernels');
    },
    setKernel: () => undefined,
    restoreKernels: () => undefined,
    dispose: () => undefined
  };
}

/** Smooth 6×6×3 CNN (tanh), 3 classes: conv 3×3×5 → conv 3×3×4 stride 2 → flatten → dense. */
export function buildSmoothRgbCnn(seed = 31): tf.LayersModel {
  const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }), biasInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed: s + 100 }) });
  return tf.sequential({
    name: 'smooth_rgb',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [6, 6, 3], filters: 5, kernelSize: 3, padding: 'same', activation: 'tanh', ...init(seed) }),
      tf.layers.conv2d({ name: 'c2', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', ...init(seed + 1) }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'out', units: 3, ...init(seed + 2) })
    ]
  });
}

/** ReLU CNN on 6×6×3, 3 classes: conv → max-pool → conv → global average → dense; biases optional. */
export function buildReluCnn(useBias: boolean, seed = 41): tf.LayersModel {
  const init = (s: number) => ({ useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: s }), biasInitializer: tf.initializers.randomNormal({ mean: 0.1, stddev: 0.3, seed: s + 100 }) });
  return tf.sequential({
    name: useBias ? 'relu_bias' : 'relu_nobias',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [6, 6, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', ...init(seed) }),
      tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tf.layers.conv2d({ name: 'c2', filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', ...init(seed + 1) }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 3, ...init(seed + 2) })
    ]
  });
}

/** y = W·flatten(x) (+ b) on 4×4×3, 3 classes. */
export function buildLinearRgb(useBias: boolean, seed = 51): tf.LayersModel {
  return tf.sequential({
    name: 'linear_rgb',
    layers: [
      tf.layers.flatten({ name: 'flat', inputShape: [4, 4, 3] }),
      tf.layers.dense({ name: 'dense', units: 3, useBias, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: seed + 1 }) })
    ]
  });
}

/** Sidecar giving a fixture the non-trivial preprocessing PRE at its own size. */
export function sidecarFor(size: number): Record<string, unknown> {
  return { preprocessing: { ...PRE, resize: [size, size] } };
}

/** A method context with a fresh signal unless one is given. */
export function makeCtx(model: ModelHandle, x: tf.Tensor4D, targets: number[], params: Record<string, unknown>, extra: Partial<SaliencyContext> = {}): SaliencyContext {
  return { tf, model, x, targets: Int32Array.from(targets), params, signal: new AbortController().signal, ...extra };
}

/** Row `row` of a flat [N, …] array of `size` values per row. */
export function rowOf<T extends Float32Array | Float64Array>(values: T, row: number, size: number): T {
  return values.subarray(row * size, (row + 1) * size) as T;
}
