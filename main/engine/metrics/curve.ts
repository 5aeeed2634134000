/**
 * Curve summaries (float64): the trapezoid area under a curve over x ∈ [0, 1] and AOPC.
 *
 * AUC = Σ_k (x_{k+1} − x_k)(v_k + v_{k+1})/2. With evenly spaced x_k = k/K this is the spec's
 * `(Σ_{k=0..K} v_k − v_0/2 − v_K/2)/K` (§5.8); a constant curve v has AUC v·(x_K − x_0).
 * AOPC of one curve = (1/(L+1)) Σ_{k=0..L} (v_0 − v_k) (§5.9; the dataset value is the mean over images).
 */

/** Trapezoid area of y over x (same lengths ≥ 1). */
export function trapezoidAuc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let k = 0; k + 1 < y.length; k++) area += ((x[k + 1] - x[k]) * (y[k] + y[k + 1])) / 2;
  return area;
}

/** (1/(L+1)) Σ_k (v_0 − v_k) for a curve v_0 … v_L. */
export function aopc(y: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < y.length; k++) sum += y[0] - y[k];
  return sum / y.length;
}
