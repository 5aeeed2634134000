/**
 * ModelHandle: the capability interface every saliency method and metric is written against.
 * Implemented for TF.js Layers models, TF.js Graph models and (forward-only) TF SavedModels.
 * All maths goes through `@tensorflow/tfjs` so it is the same on every backend.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelDescriptor } from '../../../shared/types/model';
import type { LayerActivations } from './layer-activations';

export interface KernelGradients {
  /** The scalar value of the differentiated function. */
  value: tf.Scalar;
  /** One gradient per convolution kernel, in `descriptor.convLayers` order, same shape as the kernel. */
  grads: tf.Tensor4D[];
}

/** One layer's weights (live variables: never dispose them), for weight-randomisation checks. */
export interface LayerWeights {
  /** Layer name (layers of nested models are listed individually). */
  name: string;
  className: string;
  variables: Array<{ name: string; trainable: boolean; variable: tf.Variable }>;
}

export interface ModelHandle {
  readonly descriptor: ModelDescriptor;
  /**
   * Class scores before any final softmax/sigmoid, `[N, K]`, in inference mode (BatchNorm uses
   * its moving statistics, Dropout is off). Differentiable w.r.t. `x` (except SavedModel).
   * When the model's output is a probability and no pre-activation can be found, returns
   * log-probabilities and `descriptor.outputIsProbability` is true.
   */
  logits(x: tf.Tensor4D): tf.Tensor2D;
  /** Class probabilities `[N, K]` (softmax of the logits, or the model's own output when it is already one). */
  probabilities(x: tf.Tensor4D): tf.Tensor2D;
  /** Convolution kernels in `descriptor.convLayers` order (the live weights; do not dispose). */
  convKernels(): tf.Tensor4D[];
  /**
   * Gradients of `f` w.r.t. every convolution kernel. `f` must call this handle's `logits` /
   * `probabilities` inside. Throws AppError MODEL_CAPABILITY_MISSING when gradients are impossible.
   */
  kernelGradients(f: () => tf.Scalar): KernelGradients;
  /**
   * Replaces kernel `i`'s values (same shape) until `restoreKernels()`; used by what-if and
   * verification protocols. The previous values are kept.
   */
  setKernel(i: number, values: tf.Tensor4D): void;
  restoreKernels(): void;
  /**
   * Capability 'layer-activations': the forward pass split at an intermediate layer (activation
   * A and scores differentiable w.r.t. A). Absent when the model cannot (SavedModel).
   */
  readonly layerActivations?: LayerActivations;
  /**
   * Every layer that holds weights, in model order (TF.js Layers models only; absent for Graph
   * and SavedModel). Used by the sanity checks (main/engine/sanity), which randomise and restore them.
   */
  layerWeights?(): LayerWeights[];
  dispose(): void;
}
