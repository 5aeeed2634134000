/** Pieces shared by the Layers and Graph model handles. */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { ModelDescriptor } from '../../../shared/types/model';
import { requireGradients } from '../backends';
import type { KernelGradients } from './model-handle';

type Tf = typeof tfTypes;

/** Smallest probability fed to log() when log-probabilities stand in for logits. */
export const LOG_EPSILON = 1e-30;

/** @throws AppError SHAPE_MISMATCH unless x is [N, h, w, c] with the model's h, w, c. */
export function assertInput(descriptor: ModelDescriptor, x: tfTypes.Tensor): void {
  const [h, w, c] = descriptor.inputShape;
  const ok = x.rank === 4 && x.shape[1] === h && x.shape[2] === w && x.shape[3] === c;
  if (!ok) {
    throw new AppError('SHAPE_MISMATCH', `${descriptor.name} takes inputs of shape [N, ${h}, ${w}, ${c}], got [${x.shape.join(', ')}].`);
  }
}

/**
 * ∂f/∂K for every kernel K in `kernels` (one reverse pass). Kernels that do not reach f get an
 * all-zero gradient. Refuses backends without backprop kernels before running anything.
 */
export function computeKernelGradients(tf: Tf, kernels: tfTypes.Tensor4D[], f: () => tfTypes.Scalar): KernelGradients {
  requireGradients();
  const { value, grads } = tf.engine().gradients(f, kernels, undefined, true);
  return { value: value as tfTypes.Scalar, grads: kernels.map((k, i) => (grads[i] ?? tf.zerosLike(k)) as tfTypes.Tensor4D) };
}

/** @throws AppError PARAM_INVALID / SHAPE_MISMATCH for a bad kernel index or shape. */
export function checkKernelValues(kernels: tfTypes.Tensor4D[], i: number, values: tfTypes.Tensor4D): void {
  if (!Number.isInteger(i) || i < 0 || i >= kernels.length) {
    throw new AppError('PARAM_INVALID', `Kernel index must be an integer in 0…${kernels.length - 1}, got ${i}.`);
  }
  const want = kernels[i].shape;
  if (values.shape.length !== 4 || values.shape.some((d, k) => d !== want[k])) {
    throw new AppError('SHAPE_MISMATCH', `Kernel ${i} has shape [${want.join(', ')}], the new values have [${values.shape.join(', ')}].`);
  }
}

/** @throws AppError MODEL_LOAD_FAILED when the sidecar's outputIndex names no output. */
export function checkOutputIndex(outputIndex: number, outputs: number, where: string): void {
  if (outputIndex >= outputs) {
    throw new AppError('MODEL_LOAD_FAILED', `${where}: outputIndex ${outputIndex} is out of range, the model has ${outputs} output(s).`, {
      hint: 'Fix outputIndex in saliency-model.json (0-based).'
    });
  }
}

/** Number of classes from a [N, K] output shape. @throws AppError MODEL_FORMAT_UNSUPPORTED */
export function classCount(shape: ReadonlyArray<number | null>, where: string): number {
  const k = shape[shape.length - 1];
  if (shape.length !== 2 || typeof k !== 'number' || k < 1) {
    throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${where}: the class-score output must have shape [N, K], got [${shape.join(', ')}].`, {
      hint: 'Choose the classifier output with outputIndex in saliency-model.json, or export a model whose output is [batch, classes].'
    });
  }
  return k;
}
