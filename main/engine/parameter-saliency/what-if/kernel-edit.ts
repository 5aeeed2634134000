/**
 * Filter edits on a ModelHandle's live kernels, shared by the what-if call and the verification
 * protocols (algorithms.md §1.5, §1.6, §2.5). With M the 0/1 mask of the chosen filters of one
 * kernel K (broadcast over the kernel's spatial and other channel axes):
 *   zero      K ← K ⊙ (1 − M)                 (architecture unchanged; §7 row 11)
 *   scale s   K ← K ⊙ (1 + (s − 1)·M)
 *   finetune  K ← K − λ·(∂L/∂K) ⊙ M           (one SGD step on the chosen filters only, §1.6)
 * Entries outside M are multiplied by exactly 1 or lowered by exactly 0, so they keep their bits:
 * editing filters one at a time gives the same kernel as editing them all at once.
 * Edits go through `setKernel`; the caller undoes them with `restoreKernels()`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import type { FilterLayout, LayerBlock } from '../verify/filters';

type Tf = typeof tfTypes;
type Tensor4D = tfTypes.Tensor4D;

/** What to do to the chosen filters. */
export type FilterAction = { kind: 'zero' } | { kind: 'scale'; factor: number } | { kind: 'finetune'; lr: number };

/** Learning rate of the one-step fine-tuning protocol (Wang & Sato; algorithms.md §1.6). */
export const FINETUNE_LR = 0.001;

/** @throws AppError PARAM_INVALID for an unknown kind or a non-finite factor / non-positive lr. */
export function checkAction(action: FilterAction): FilterAction {
  const a = action as { kind?: unknown; factor?: unknown; lr?: unknown } | null;
  if (a?.kind === 'zero') return { kind: 'zero' };
  if (a?.kind === 'scale' && typeof a.factor === 'number' && Number.isFinite(a.factor)) return { kind: 'scale', factor: a.factor };
  if (a?.kind === 'finetune' && typeof a.lr === 'number' && Number.isFinite(a.lr) && a.lr > 0) return { kind: 'finetune', lr: a.lr };
  throw new AppError('PARAM_INVALID', `\`action\` must be {kind:'zero'}, {kind:'scale', factor} with a finite factor, or {kind:'finetune', lr} with lr > 0; got ${JSON.stringify(action)}.`);
}

/** 0/1 mask [1, 1, A, B] of `indices` (local to the kernel), broadcastable to its [kh, kw, A, B]. */
export function filterMask(tf: Tf, block: LayerBlock, indices: ArrayLike<number>): Tensor4D {
  const [, , a, b] = block.kernelShape;
  const values = new Float32Array(a * b);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (block.axes === 'out') for (let c = 0; c < a; c++) values[c * b + j] = 1;
    else if (block.axes === 'in') values.fill(1, j * b, (j + 1) * b);
    else values[j] = 1; // depthwise: filter c·B + m is entry (c, m)
  }
  return tf.tensor4d(values, [1, 1, a, b]);
}

/** The edited kernel (a new tensor; `grad` is required for `finetune`). */
export function editKernel(tf: Tf, kernel: Tensor4D, mask: Tensor4D, action: FilterAction, grad?: Tensor4D): Tensor4D {
  return tf.tidy(() => {
    if (action.kind === 'zero') return tf.mul(kernel, tf.sub(1, mask));
    if (action.kind === 'scale') return tf.mul(kernel, tf.add(1, tf.mul(action.factor - 1, mask)));
    if (!grad) throw new AppError('INTERNAL', 'editKernel: the finetune action needs the loss gradient of the kernel.');
    return tf.sub(kernel, tf.mul(action.lr, tf.mul(grad, mask)));
  }) as Tensor4D;
}

/** Global filter indices grouped by kernel index, each group's local indices in list order. */
export function groupByKernel(layout: FilterLayout, filters: ArrayLike<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < filters.length; i++) {
    const ref = layout.locate(filters[i]);
    groups.set(ref.kernel, [...(groups.get(ref.kernel) ?? []), ref.index]);
  }
  return groups;
}

/**
 * Applies `action` to the global `filters` on top of the model's current kernels (one setKernel per
 * touched kernel). `grads` (per kernel, descriptor order) is required for `finetune`.
 */
export function applyFilterAction(tf: Tf, model: ModelHandle, layout: FilterLayout, filters: ArrayLike<number>, action: FilterAction, grads?: Tensor4D[]): void {
  for (const [kernel, indices] of groupByKernel(layout, filters)) {
    const mask = filterMask(tf, layout.blocks[kernel], indices);
    const next = editKernel(tf, model.convKernels()[kernel], mask, action, grads?.[kernel]);
    mask.dispose();
    model.setKernel(kernel, next);
    // The variable now shares next's data (tfjs assign), so our handle can go.
    next.dispose();
  }
}

/**
 * ∂L/∂K for every kernel with L = −log softmax(logits(x))[label] summed over the rows of x (the
 * true-label cross-entropy of §1.2, inference mode). The caller disposes the returned tensors.
 */
export function crossEntropyKernelGradients(tf: Tf, model: ModelHandle, x: Tensor4D, labels: number[]): Tensor4D[] {
  const classes = model.descriptor.classNames.length;
  for (const y of labels) {
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new AppError('PARAM_INVALID', `\`label\` must be a class index in 0…${classes - 1}, got ${y}.`);
  }
  const picks = labels.map((y, row) => row * classes + y);
  const { value, grads } = model.kernelGradients(() => tf.tidy(() => tf.neg(tf.sum(tf.gather(tf.reshape(tf.logSoftmax(model.logits(x)), [-1]), picks))) as tfTypes.Scalar));
  value.dispose();
  return grads;
}
