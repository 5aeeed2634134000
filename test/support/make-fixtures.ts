/**
 * Builds the engine's tiny fixture models deterministically (seeded initializers, fixed layer
 * names) and saves them in TF.js Layers format (model.json + weights.bin) with an IOHandler that
 * works on every backend. Nothing is downloaded; call after the test file selected its backend.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Seeded Glorot kernels and small random biases, so no bias is exactly 0. */
function init(seed: number) {
  return {
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed: seed + 1000 })
  };
}

/**
 * Smooth CNN for finite-difference checks, input 10×10×2, 3 classes, softmax output:
 * conv1 3×3×4 tanh → conv2 1×1×6 stride 2 linear (the oneDNN-crash shape) → dw1 depthwise 3×3 ×2
 * tanh → sep1 separable 3×3 → 5 tanh → global average → dense 3 softmax.
 */
export function buildSmoothCnn(seed = 1): tf.LayersModel {
  return tf.sequential({
    name: 'smooth_cnn',
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', ...init(seed) }),
      tf.layers.conv2d({ name: 'conv2', filters: 6, kernelSize: 1, strides: 2, padding: 'same', ...init(seed + 1) }),
      tf.layers.depthwiseConv2d({ name: 'dw1', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh', depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), biasInitializer: init(seed + 2).biasInitializer }),
      tf.layers.separableConv2d({ name: 'sep1', filters: 5, kernelSize: 3, padding: 'same', activation: 'tanh', depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }), biasInitializer: init(seed + 4).biasInitializer }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax', ...init(seed + 5) })
    ]
  });
}

/** y = W·flatten(x) + b on a 4×4×2 input, 3 classes; `activation` 'softmax' wraps the same logits. */
export function buildLinearModel(activation: 'linear' | 'softmax' = 'linear', seed = 7): tf.LayersModel {
  return tf.sequential({
    name: 'linear',
    layers: [
      tf.layers.flatten({ name: 'flat', inputShape: [4, 4, 2] }),
      tf.layers.dense({ name: 'dense', units: 3, activation, ...init(seed) })
    ]
  });
}

/**
 * Every conv kind, for the descriptor, on a 12×12×3 input with 5 classes. Conv layers in order:
 *   c1 conv 3×3×3→8 (12×12) · dw depthwise 3×3×8×2 stride 2 (6×6) · sep depthwise 3×3×16×1 and
 *   pointwise 1×1×16→10 (6×6) · tr transpose 3×3, 10→4, stride 2 (12×12) · c2 conv 1×1×4→6 stride 2 (6×6)
 * plus BatchNorm with non-trivial moving statistics and Dropout (both must be in inference mode).
 */
export function buildConvZoo(seed = 11): tf.LayersModel {
  const model = tf.sequential({
    name: 'conv_zoo',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [12, 12, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', ...init(seed) }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.separableConv2d({ name: 'sep', filters: 10, kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }),
      tf.layers.conv2dTranspose({ name: 'tr', filters: 4, kernelSize: 3, strides: 2, padding: 'same', ...init(seed + 4) }),
      tf.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 1, strides: 2, padding: 'same', ...init(seed + 5) }),
      tf.layers.dropout({ name: 'drop', rate: 0.5 }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 5, activation: 'softmax', ...init(seed + 6) })
    ]
  });
  const bn = model.getLayer('bn1');
  const [gamma, beta, mean, variance] = bn.getWeights();
  bn.setWeights([gamma, beta, tf.randomNormal(mean.shape, 0.5, 0.3, 'float32', seed + 7), tf.randomUniform(variance.shape, 0.5, 2, 'float32', seed + 8)]);
  return model;
}

/** A Sequential nested inside a Sequential (conv layers must still be found, in order). */
export function buildNestedModel(seed = 21): tf.LayersModel {
  const block = tf.sequential({ name: 'block', layers: [tf.layers.conv2d({ name: 'inner', inputShape: [6, 6, 1], filters: 3, kernelSize: 3, ...init(seed) })] });
  return tf.sequential({
    name: 'nested',
    layers: [block, tf.layers.conv2d({ name: 'outer', filters: 2, kernelSize: 1, ...init(seed + 1) }), tf.layers.flatten({ name: 'flat' }), tf.layers.dense({ name: 'out', units: 2, ...init(seed + 2) })]
  });
}

/** Reads a [N, K] result and frees it. */
export async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

/** Writes `model` as dir/model.json + dir/weights.bin (+ dir/saliency-model.json when given); returns the model.json path. */
export async function saveModel(model: tf.LayersModel, dir: string, sidecar?: Record<string, unknown>): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
    const json = {
      format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy,
      modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }]
    };
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.from(data));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (sidecar) await fs.writeFile(path.join(dir, 'saliency-model.json'), JSON.stringify(sidecar, null, 2));
  return path.join(dir, 'model.json');
}

/** Builds with `build`, saves into a fresh folder under `root`, frees the in-memory model. */
export async function writeFixture(root: string, name: string, build: () => tf.LayersModel, sidecar?: Record<string, unknown>): Promise<string> {
  const model = build();
  try {
    return await saveModel(model, path.join(root, name), sidecar);
  } finally {
    model.dispose();
  }
}

/** A new empty temp folder for one test file's fixtures. */
export function makeTempDir(prefix = 'saliency-engine-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Deterministic inputs in [0, 1). */
export function seededInput(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Where the committed third-party Graph models live (see test/fixtures/graph-models/README.md). */
export const GRAPH_FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'graph-models');
