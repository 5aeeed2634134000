/**
 * The demo architecture: a small CNN with three convolution stages, so layer-depth statistics
 * (which stage a salient filter sits in) mean something, and a last convolution with a 7×7
 * spatial output for Grad-CAM/CAM.
 *
 *   input 28×28×1 → conv1 3×3×16 ReLU → pool1 2×2 → conv2 3×3×32 ReLU → pool2 2×2
 *   → conv3 3×3×64 ReLU (7×7) → flatten → logits Dense(10) → softmax Activation
 *
 * Flatten (not global average pooling) before the dense layer keeps *where* a feature fired,
 * which the spurious cue (a patch whose position encodes the class) needs to be learnable.
 */
import type { Tf } from './tf';
import type { LayersModel, Sequential } from '@tensorflow/tfjs-node';

/** Convolution layers in definition order (the "stages" of the depth-bias tables). */
export const CONV_LAYERS = ['conv1', 'conv2', 'conv3'] as const;
/** Filters per convolution stage. */
export const CONV_FILTERS = [16, 32, 64] as const;
/** The layer whose output is the class scores before softmax. */
export const LOGITS_LAYER = 'logits';
/** The last layer with spatial output, the Grad-CAM target. */
export const GRADCAM_LAYER = 'conv3';

/**
 * Builds the model with glorot-uniform kernels seeded from `seed` (one seed per layer, so the
 * stages do not share a stream) and zero biases. Layer names are fixed so saved files never
 * depend on how many models were built before in the process.
 */
export function buildDigitsCnn(tf: Tf, seed: number, name: string): Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 1000 + k });
  const model = tf.sequential({ name });
  CONV_LAYERS.forEach((layer, i) => {
    model.add(tf.layers.conv2d({
      name: layer,
      ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
      filters: CONV_FILTERS[i],
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(i + 1)
    }));
    if (i < 2) model.add(tf.layers.maxPooling2d({ name: `pool${i + 1}`, poolSize: 2 }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: LOGITS_LAYER, units: 10, kernelInitializer: init(9) }));
  model.add(tf.layers.activation({ name: 'softmax', activation: 'softmax' }));
  return model;
}

/** A model sharing `model`'s layers whose output is the logits layer (for losses and saliency). */
export function logitsModel(tf: Tf, model: LayersModel): LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output as never });
}

/** A model sharing `model`'s layers with two outputs: `layer`'s activations and the logits. */
export function featuresAndLogitsModel(tf: Tf, model: LayersModel, layer: string): LayersModel {
  return tf.model({ inputs: model.inputs, outputs: [model.getLayer(layer).output, model.getLayer(LOGITS_LAYER).output] as never });
}
