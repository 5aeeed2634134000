/**
 * A ResNet-18-sized classifier built with the Layers API: 224×224×3 input, 1000 linear outputs
 * (logits), torchvision's ResNet-18 layout (7×7/2 stem, 3×3/2 max-pool, four stages of two basic
 * blocks with 64/128/256/512 filters, 1×1/2 projection shortcuts, global average pool), BatchNorm
 * in inference mode, 11.7 M parameters. Weights are random but seeded (He-normal per layer, seeds
 * 1, 2, …), so every run builds the same model; only speed is measured with it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type SymbolicTensor = tfTypes.SymbolicTensor;

/** Builds the model; `tf` is the engine's tfjs namespace (native backend selected). */
export function buildResNet18(tf: Tf): tfTypes.LayersModel {
  let seed = 1;
  const conv = (x: SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string): SymbolicTensor =>
    tf.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }) }).apply(x) as SymbolicTensor;
  const bn = (x: SymbolicTensor, name: string): SymbolicTensor => tf.layers.batchNormalization({ name, epsilon: 1e-5 }).apply(x) as SymbolicTensor;
  const relu = (x: SymbolicTensor, name: string): SymbolicTensor => tf.layers.reLU({ name }).apply(x) as SymbolicTensor;

  const block = (x: SymbolicTensor, filters: number, strides: number, name: string): SymbolicTensor => {
    let y = relu(bn(conv(x, filters, 3, strides, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
    y = bn(conv(y, filters, 3, 1, `${name}_conv2`), `${name}_bn2`);
    const inC = x.shape[3];
    const shortcut = strides !== 1 || inC !== filters ? bn(conv(x, filters, 1, strides, `${name}_down`), `${name}_down_bn`) : x;
    return relu(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as SymbolicTensor, `${name}_out`);
  };

  const input = tf.input({ shape: [224, 224, 3], name: 'image' });
  let x = relu(bn(conv(input, 64, 7, 2, 'conv1'), 'bn1'), 'relu1');
  x = tf.layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'same' }).apply(x) as SymbolicTensor;
  [64, 128, 256, 512].forEach((filters, stage) => {
    x = block(x, filters, stage === 0 ? 1 : 2, `layer${stage + 1}_0`);
    x = block(x, filters, 1, `layer${stage + 1}_1`);
  });
  x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  const logits = tf.layers.dense({ name: 'fc', units: 1000, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }).apply(x) as SymbolicTensor;
  return tf.model({ name: 'resnet18_random', inputs: input, outputs: logits });
}

/** ImageNet-style preprocessing and class names, as the engine reads them from saliency-model.json. */
const SIDECAR = {
  name: 'ResNet-18-sized (random weights, seeded)',
  classNames: Array.from({ length: 1000 }, (_, i) => `class_${i}`),
  preprocessing: { resize: [224, 224], colorMode: 'rgb', channelOrder: 'rgb', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
};

/** Saves `model` as dir/model.json + weights.bin + saliency-model.json; returns the model.json path. */
export async function saveForEngine(tf: Tf, model: tfTypes.LayersModel, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const json = { format: artifacts.format, generatedBy: artifacts.generatedBy, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }] };
      await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.from(data));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    })
  );
  await fs.writeFile(path.join(dir, 'saliency-model.json'), JSON.stringify(SIDECAR));
  return path.join(dir, 'model.json');
}
