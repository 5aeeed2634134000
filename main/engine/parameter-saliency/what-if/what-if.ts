/**
 * The live "what-if" call (issue item 6): the model's prediction for one image after an action on
 * a set of filters (zero, scale by s, or one fine-tuning step with learning rate λ on the
 * true-label loss), against the unmodified model. Synchronous from the first kernel edit to the
 * restore, so no other request can see the edited weights; the kernels are restored (bit-exact,
 * ModelHandle.restoreKernels) before it returns or throws.
 *
 * Deltas are in probability units: Δ_c = p_c(after) − p_c(before) for every class c.
 * Checkable property: with the action `scale` by 1 every delta is exactly 0.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import { checkFilterList, filterLayout, type FilterRef } from '../verify/filters';
import { applyFilterAction, checkAction, crossEntropyKernelGradients, type FilterAction } from './kernel-edit';

type Tf = typeof tfTypes;

/** What to change, and what to report. */
export interface WhatIfParams {
  /** Global filter indices (model order). */
  filters: number[];
  action: FilterAction;
  /** Classes listed in `before`/`after` (default 5). */
  top?: number;
  /** True class: required for `finetune` (the loss uses it), optional otherwise. */
  label?: number | null;
}

/** One entry of a top-k list. */
export interface ClassProbability {
  classIndex: number;
  className: string;
  probability: number;
}

/** Predictions before and after the edit, in probability units. */
export interface WhatIfResult {
  filters: FilterRef[];
  action: FilterAction;
  before: ClassProbability[];
  after: ClassProbability[];
  predictedBefore: number;
  predictedAfter: number;
  /** p_c(after) − p_c(before), every class. */
  deltas: number[];
  /** Δ probability of the class predicted before the edit (the "wrong class" when it is an error). */
  deltaPredicted: number;
  label: number | null;
  deltaTrue: number | null;
  /** argmax(after) = label, when the label is known. */
  corrected: boolean | null;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function topClasses(probs: Float32Array, names: string[], k: number): ClassProbability[] {
  const order = Array.from(probs, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  return order.slice(0, k).map((c) => ({ classIndex: c, className: names[c], probability: probs[c] }));
}

function checkParams(model: ModelHandle, x: tfTypes.Tensor4D, params: WhatIfParams): { action: FilterAction; top: number; label: number | null } {
  if (x.rank !== 4 || x.shape[0] !== 1) throw new AppError('SHAPE_MISMATCH', `what-if takes one image [1, H, W, C], got [${x.shape.join(', ')}].`);
  const action = checkAction(params.action);
  const classes = model.descriptor.classNames.length;
  const top = params.top ?? 5;
  if (!Number.isInteger(top) || top < 1) throw new AppError('PARAM_INVALID', `what-if: \`top\` must be a positive integer, got ${top}.`);
  const label = params.label ?? null;
  if (label !== null && (!Number.isInteger(label) || label < 0 || label >= classes)) throw new AppError('PARAM_INVALID', `what-if: \`label\` must be a class index in 0…${classes - 1}, got ${label}.`);
  if (action.kind === 'finetune' && label === null) {
    throw new AppError('PARAM_INVALID', 'what-if: a fine-tuning step needs the image\'s true label (the loss is the true-label cross-entropy).', { hint: 'Pass `label`, or use an image set with labels.' });
  }
  return { action, top: Math.min(top, classes), label };
}

/**
 * Prediction of `model` for the single image `x` [1, H, W, C] with `params.action` applied to
 * `params.filters`. Validates everything before touching a kernel.
 * @throws AppError PARAM_INVALID / SHAPE_MISMATCH / MODEL_CAPABILITY_MISSING (finetune without gradients)
 */
export function whatIf(tf: Tf, model: ModelHandle, x: tfTypes.Tensor4D, params: WhatIfParams): WhatIfResult {
  const { action, top, label } = checkParams(model, x, params);
  const layout = filterLayout(model.descriptor);
  checkFilterList(layout, params.filters, 'what-if `filters`');
  const read = (): Float32Array => tf.tidy(() => model.probabilities(x).dataSync() as Float32Array);
  const before = read();
  let after: Float32Array;
  let grads: tfTypes.Tensor4D[] = [];
  try {
    if (action.kind === 'finetune') grads = crossEntropyKernelGradients(tf, model, x, [label as number]);
    applyFilterAction(tf, model, layout, params.filters, action, grads);
    after = read();
  } finally {
    model.restoreKernels();
    tf.dispose(grads);
  }
  const names = model.descriptor.classNames;
  const predictedBefore = argmax(before);
  const predictedAfter = argmax(after);
  return {
    filters: params.filters.map((g) => layout.locate(g)),
    action,
    before: topClasses(before, names, top),
    after: topClasses(after, names, top),
    predictedBefore,
    predictedAfter,
    deltas: Array.from(after, (p, c) => p - before[c]),
    deltaPredicted: after[predictedBefore] - before[predictedBefore],
    label,
    deltaTrue: label === null ? null : after[label] - before[label],
    corrected: label === null ? null : predictedAfter === label
  };
}
