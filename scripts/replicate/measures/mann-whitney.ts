/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum), the two-sample test algorithms.md §3.10
 * suggests between the families, in float64:
 *
 *   U_a = R_a − n_a(n_a + 1)/2,  R_a = Σ of the mid-ranks of sample a in the pooled sample,
 *   U_b = n_a·n_b − U_a,
 *   z = (U_a − n_a·n_b/2 − ½·sgn(U_a − n_a·n_b/2)) / σ_U    (continuity correction),
 *   σ_U² = n_a·n_b/12 · ((N + 1) − Σ_t (t³ − t) / (N(N − 1)))   (tie correction, N = n_a + n_b),
 *   p = 2·(1 − Φ(|z|)) = erfc(|z|/√2)   (computed through erfc: no cancellation for large |z|),
 *
 * and the effect size P(a > b) + ½·P(a = b) = U_a / (n_a·n_b) (common-language effect size; 0.5 =
 * no difference). The normal approximation is what scipy's `mannwhitneyu(method='asymptotic')`
 * uses; it is accurate for the sample sizes here (tens to hundreds per side). Non-finite values
 * are left out and counted.
 */
import { averageRanks } from '../../../main/engine/compare';

export interface MannWhitney {
  nA: number;
  nB: number;
  /** Non-finite values left out (both samples together). */
  leftOut: number;
  uA: number;
  z: number;
  p: number;
  /** U_a / (n_a·n_b): probability that a value of a exceeds one of b (ties count half). */
  effect: number;
}

/** Φ(x), the standard normal CDF, via erfc below (fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' erfcc, fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Σ (t³ − t) over the tie groups of sorted values. */
function tieTerm(sorted: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    sum += t * t * t - t;
    i = j;
  }
  return sum;
}

/** The test of `a` against `b` (see the file comment); NaN statistics when a side is empty. */
export function mannWhitney(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitney {
  const fa = Array.from(a).filter(Number.isFinite);
  const fb = Array.from(b).filter(Number.isFinite);
  const leftOut = a.length + b.length - fa.length - fb.length;
  const nA = fa.length;
  const nB = fb.length;
  if (nA === 0 || nB === 0) return { nA, nB, leftOut, uA: Number.NaN, z: Number.NaN, p: Number.NaN, effect: Number.NaN };
  const pooled = Float64Array.from([...fa, ...fb]);
  const ranks = averageRanks(pooled);
  let rA = 0;
  for (let i = 0; i < nA; i++) rA += ranks[i];
  const uA = rA - (nA * (nA + 1)) / 2;
  const n = nA + nB;
  const centre = (nA * nB) / 2;
  const variance = ((nA * nB) / 12) * (n + 1 - tieTerm(pooled.slice().sort()) / (n * (n - 1)));
  const diff = uA - centre;
  const z = variance > 0 ? (diff - 0.5 * Math.sign(diff)) / Math.sqrt(variance) : 0;
  return { nA, nB, leftOut, uA, z, p: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)), effect: uA / (nA * nB) };
}
