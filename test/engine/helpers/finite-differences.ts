/**
 * Central finite differences in float64 from float32 forward passes:
 *   ∂s/∂v ≈ (s(v + ε) − s(v − ε)) / 2ε,   error O(ε²·s''') + O(float32 rounding · |s| / ε).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelHandle } from '../../../main/engine/model/model-handle';

type Tf = typeof tfTypes;

/** Σ_i logit[i, target[i]], read back as a number. */
export function targetScore(tf: Tf, model: ModelHandle, x: tfTypes.Tensor4D, targets: Int32Array): number {
  return tf.tidy(() => {
    const logits = model.logits(x).arraySync();
    return Array.from(targets).reduce((sum, t, i) => sum + logits[i][t], 0);
  });
}

/**
 * FD of logit[row, target[row]] w.r.t. x[row] at the flat entries `entries` of one row (all when
 * omitted). Returns [N, entries] in row-major order. The ±ε copies of a row go through the model
 * in chunks, as one batch each.
 */
export function inputGradFD(tf: Tf, model: ModelHandle, x: tfTypes.Tensor4D, targets: Int32Array, eps: number, entries?: number[]): Float64Array {
  const [n, h, w, c] = x.shape;
  const d = h * w * c;
  const picks = entries ?? Array.from({ length: d }, (_, i) => i);
  const data = x.dataSync() as Float32Array;
  const out = new Float64Array(n * picks.length);
  const chunk = Math.max(1, Math.floor(4_000_000 / d / 2));
  for (let row = 0; row < n; row++) {
    const base = data.subarray(row * d, (row + 1) * d);
    for (let start = 0; start < picks.length; start += chunk) {
      const part = picks.slice(start, start + chunk);
      const batch = new Float32Array(part.length * 2 * d);
      part.forEach((e, k) => {
        batch.set(base, 2 * k * d);
        batch.set(base, (2 * k + 1) * d);
        batch[2 * k * d + e] += eps;
        batch[(2 * k + 1) * d + e] -= eps;
      });
      const scores = tf.tidy(() => {
        const logits = model.logits(tf.tensor4d(batch, [part.length * 2, h, w, c]));
        return tf.reshape(tf.slice(logits, [0, targets[row]], [-1, 1]), [-1]).dataSync();
      });
      part.forEach((_, k) => (out[row * picks.length + start + k] = (scores[2 * k] - scores[2 * k + 1]) / (2 * eps)));
    }
  }
  return out;
}

/** FD of f() w.r.t. kernel `i` of `model` at flat entries `entries`, by editing the kernel (setKernel/restoreKernels). */
export function kernelGradFD(tf: Tf, model: ModelHandle, i: number, f: () => number, eps: number, entries: number[]): Float64Array {
  const kernel = model.convKernels()[i];
  const values = kernel.dataSync() as Float32Array;
  const shape = kernel.shape;
  const at = (e: number, delta: number): number => {
    const edited = values.slice();
    edited[e] += delta;
    const t = tf.tensor4d(edited, shape);
    model.setKernel(i, t);
    t.dispose();
    return f();
  };
  const out = Float64Array.from(entries, (e) => (at(e, eps) - at(e, -eps)) / (2 * eps));
  model.restoreKernels();
  return out;
}

/** Indices of the k largest |values|. */
export function topEntries(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a])).slice(0, k);
}
