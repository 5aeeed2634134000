/**
 * Closed-form GPD estimators used as fallbacks and cross-checks of the MLE (algorithms.md §5.11),
 * both from Hosking & Wallis (1987), "Parameter and quantile estimation for the generalized
 * Pareto distribution", Technometrics 29(3):
 *
 * Method of moments, sample mean m and unbiased variance s²:
 *   γ = ½(1 − m²/s²),  σ = ½·m·(1 + m²/s²).
 * Consistent only for γ < 1/2 (the variance must exist); biased low as γ approaches 1/2.
 *
 * Probability-weighted moments, ascending order statistics Y_(1) ≤ … ≤ Y_(n), plotting positions
 * p_(i) = (i − 0.35)/n:
 *   a0 = Ȳ,  a1 = (1/n) Σ (1 − p_(i))·Y_(i),  σ = 2·a0·a1/(a0 − 2a1),  γ = 2 − a0/(a0 − 2a1).
 * (Hosking & Wallis write k = −γ.) On exact exponential data a1 = σ/4, giving σ̂ = σ and γ̂ = 0.
 *
 * Both return null when the formula is undefined (n < 2, zero variance, a0 ≤ 2a1); the caller
 * falls back to the exponential fit and flags it.
 */
import { summarize } from './gpd-mle';

/** (γ, σ) of a closed-form estimator. */
export interface MomentEstimate {
  gamma: number;
  sigma: number;
}

/** Method-of-moments estimate, or null when undefined (n < 2 or zero variance). */
export function gpdMethodOfMoments(y: ArrayLike<number>): MomentEstimate | null {
  const n = y.length;
  if (n < 2) return null;
  const { mean } = summarize(y);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (y[i] - mean) * (y[i] - mean);
  const variance = squares / (n - 1);
  if (!(variance > 0) || !(mean > 0)) return null;
  const ratio = (mean * mean) / variance;
  return { gamma: 0.5 * (1 - ratio), sigma: 0.5 * mean * (1 + ratio) };
}

/** Probability-weighted-moments estimate, or null when undefined (n < 2 or a0 ≤ 2a1). */
export function gpdProbabilityWeightedMoments(y: ArrayLike<number>): MomentEstimate | null {
  const n = y.length;
  if (n < 2) return null;
  const sorted = Float64Array.from(y).sort();
  let a0 = 0;
  let a1 = 0;
  for (let i = 0; i < n; i++) {
    a0 += sorted[i];
    a1 += (1 - (i + 1 - 0.35) / n) * sorted[i];
  }
  a0 /= n;
  a1 /= n;
  const denominator = a0 - 2 * a1;
  if (!(denominator > 0) || !(a1 > 0)) return null;
  return { gamma: 2 - a0 / denominator, sigma: (2 * a0 * a1) / denominator };
}
