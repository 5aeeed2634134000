/**
 * The two verification protocols on one misclassified input (Wang & Sato; Levin et al.;
 * algorithms.md §1.5, §1.6, §2.5). For a selector's ordered filters f_1 … f_n (n ≤ K) and
 * k = 1 … n, the filters f_1 … f_k are modified cumulatively and the model is re-run:
 *   zero      K ← K ⊙ (1 − M_{1..k})                        (protocol A, "turning off")
 *   finetune  K ← K − λ·G ⊙ M_{1..k},  λ = 0.001            (protocol B, one SGD step)
 * where G = ∂L/∂K is ONE stored gradient of the true-label cross-entropy on the unmodified model:
 * the step is linear in the chosen set, so every k comes from the same G (§1.6). Each step edits
 * only the kernel holding f_k (kernel-edit.ts keeps all other entries bit-identical), so the
 * cumulative result equals applying the k-filter edit directly.
 *
 * Recorded against the unmodified model, with w the originally predicted class and y the label:
 *   Δwrong_k = p_w(after k) − p_w(before),  Δtrue_k = p_y(after k) − p_y(before),
 *   corrected_k = [argmax p(after k) = y].
 * The K forward passes cannot share a batch (each sees different weights); their outputs are
 * read back in one transfer per selector. Weights are restored after every selector.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelHandle } from '../../model/model-handle';
import { applyFilterAction, crossEntropyKernelGradients, FINETUNE_LR, type FilterAction } from '../what-if/kernel-edit';
import type { FilterLayout } from './filters';

type Tf = typeof tfTypes;

/** Protocol A (turn filters off) or B (one SGD step). */
export type ProtocolKind = 'zero' | 'finetune';

/** One selector's curve on one input; arrays have one entry per available k (1 … filters.length). */
export interface SelectorCurve {
  selector: string;
  filters: Int32Array;
  deltaWrong: Float64Array;
  deltaTrue: Float64Array;
  corrected: Uint8Array;
}

/** All selectors' curves on one input, with its before-edit probabilities. */
export interface ImageCurves {
  label: number;
  predicted: number;
  pWrongBefore: number;
  pTrueBefore: number;
  curves: SelectorCurve[];
}

function argmax(values: ArrayLike<number>, from: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (values[from + c] > values[from + best]) best = c;
  return best;
}

/** Applies f_1 … f_n one at a time, collecting the probabilities after each; restores the kernels. */
function cumulativeProbabilities(tf: Tf, model: ModelHandle, layout: FilterLayout, x: tfTypes.Tensor4D, filters: Int32Array, action: FilterAction, grads?: tfTypes.Tensor4D[]): Float32Array {
  if (filters.length === 0) return new Float32Array(0);
  const outputs: tfTypes.Tensor[] = [];
  try {
    for (const f of filters) {
      applyFilterAction(tf, model, layout, [f], action, grads);
      outputs.push(model.probabilities(x));
    }
    return tf.tidy(() => tf.concat(outputs, 0).dataSync() as Float32Array);
  } finally {
    model.restoreKernels();
    tf.dispose(outputs);
  }
}

function curveOf(selector: string, filters: Int32Array, probs: Float32Array, classes: number, before: { w: number; y: number; pw: number; py: number }): SelectorCurve {
  const n = filters.length;
  const curve: SelectorCurve = { selector, filters, deltaWrong: new Float64Array(n), deltaTrue: new Float64Array(n), corrected: new Uint8Array(n) };
  for (let k = 0; k < n; k++) {
    const row = k * classes;
    curve.deltaWrong[k] = probs[row + before.w] - before.pw;
    curve.deltaTrue[k] = probs[row + before.y] - before.py;
    curve.corrected[k] = argmax(probs, row, classes) === before.y ? 1 : 0;
  }
  return curve;
}

/**
 * Runs `protocol` for every selector's filters on the single input `x` [1, H, W, C] with true
 * class `label`. Synchronous from the first edit to the last restore.
 */
export function imageCurves(
  tf: Tf, model: ModelHandle, layout: FilterLayout, x: tfTypes.Tensor4D, label: number,
  selections: Array<{ selector: string; filters: Int32Array }>, protocol: ProtocolKind, lr = FINETUNE_LR
): ImageCurves {
  const classes = model.descriptor.classNames.length;
  const base = tf.tidy(() => model.probabilities(x).dataSync() as Float32Array);
  const w = argmax(base, 0, classes);
  const before = { w, y: label, pw: base[w], py: base[label] };
  const grads = protocol === 'finetune' ? crossEntropyKernelGradients(tf, model, x, [label]) : undefined;
  const action: FilterAction = protocol === 'zero' ? { kind: 'zero' } : { kind: 'finetune', lr };
  try {
    const curves = selections.map(({ selector, filters }) => curveOf(selector, filters, cumulativeProbabilities(tf, model, layout, x, filters, action, grads), classes, before));
    return { label, predicted: w, pWrongBefore: before.pw, pTrueBefore: before.py, curves };
  } finally {
    tf.dispose(grads);
  }
}
