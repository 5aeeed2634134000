import type { Comparison, ComparisonStatistic, NumericArray } from './types';
import { assertPair, clamp, constantMapReason, undefinedComparison } from './validate';

/** Arithmetic mean accumulated in float64. */
function mean(x: NumericArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/**
 * Pearson correlation of two validated, non-constant arrays by the two-pass formula
 * r = Σ(aᵢ − ā)(bᵢ − b̄) / √(Σ(aᵢ − ā)² · Σ(bᵢ − b̄)²); centring first avoids the
 * cancellation of the one-pass Σab − n·ā·b̄ form. Clamped to [−1, 1] like scipy's pearsonr.
 */
export function pearsonUnchecked(a: NumericArray, b: NumericArray): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  // One square root of the product rounds less than √saa·√sbb (and √(x·x) = x exactly, so
  // r(a, a) = 1); the split form is kept only for products that overflow.
  const product = saa * sbb;
  const denominator = Number.isFinite(product) ? Math.sqrt(product) : Math.sqrt(saa) * Math.sqrt(sbb);
  return clamp(sab / denominator, -1, 1);
}

/**
 * Pearson's linear correlation coefficient r of two maps (algorithms.md §5.10).
 *
 * Undefined (NaN with a reason) when either map is constant: its variance is zero and r is
 * 0/0. Constancy is tested exactly on the values, not on the computed variance, because the
 * mean of n equal floats need not equal them and would leave a spurious tiny variance.
 * Throws PARAM_INVALID for length mismatch, non-finite values or fewer than 2 values.
 * Checkable property: r(a, αa + β) = 1 for α > 0.
 */
export function pearsonComparison(a: NumericArray, b: NumericArray): Comparison {
  assertPair('pearson', a, b);
  const reason = constantMapReason(a, b, 'variance');
  if (reason) return undefinedComparison(`pearson: ${reason}`);
  return { value: pearsonUnchecked(a, b) };
}

/** Pearson's r as a plain number (NaN for a constant map); see {@link pearsonComparison}. */
export function pearson(a: NumericArray, b: NumericArray): number {
  return pearsonComparison(a, b).value;
}

/** Registry entry for Pearson's r. */
export const pearsonStatistic: ComparisonStatistic = {
  id: 'pearson',
  label: 'Pearson r',
  reference: 'Pearson product-moment correlation; algorithms.md §5.10',
  range: [-1, 1],
  higherIsMoreSimilar: true,
  compute: (a, b) => pearsonComparison(a, b)
};
