import type { Comparison, ComparisonStatistic, NumericArray } from './types';
import { assertPair, clamp, undefinedComparison } from './validate';

/**
 * Cosine similarity cos(a, b) = a·b / (‖a‖ ‖b‖) (algorithms.md §5.10; parameter-saliency
 * nearest neighbours, paper 2). The matching distance used there is |cos − 1|, see
 * {@link cosineDistance}. Unlike the correlations it does not centre the maps, so it is
 * invariant to positive scaling but not to adding a constant.
 *
 * Undefined (NaN with a reason) when either map is all zeros (zero norm). A constant non-zero
 * map is fine. Clamped to [−1, 1] against rounding. Throws PARAM_INVALID for length mismatch,
 * non-finite values or fewer than 2 values (the same minimum as every comparison statistic).
 * Checkable property: cos(a, αa) = 1 for α > 0.
 */
export function cosineComparison(a: NumericArray, b: NumericArray): Comparison {
  assertPair('cosine', a, b);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa === 0 || bb === 0) {
    const which = aa === 0 && bb === 0 ? 'both `a` and `b` are' : aa === 0 ? '`a` is' : '`b` is';
    return undefinedComparison(`cosine: ${which} all zeros, so the norm is zero`);
  }
  // √(aa·bb) rounds once (and √(x·x) = x, so cos(a, a) = 1 exactly); split only on overflow.
  const product = aa * bb;
  const denominator = Number.isFinite(product) ? Math.sqrt(product) : Math.sqrt(aa) * Math.sqrt(bb);
  return { value: clamp(dot / denominator, -1, 1) };
}

/** Cosine similarity as a plain number (NaN for an all-zero map); see {@link cosineComparison}. */
export function cosine(a: NumericArray, b: NumericArray): number {
  return cosineComparison(a, b).value;
}

/** The nearest-neighbour distance |cos(a, b) − 1| of paper 2 (0 = same direction, ≤ 2). */
export function cosineDistance(a: NumericArray, b: NumericArray): number {
  return Math.abs(cosine(a, b) - 1);
}

/** Registry entry for cosine similarity. */
export const cosineStatistic: ComparisonStatistic = {
  id: 'cosine',
  label: 'Cosine similarity',
  reference: 'a·b/(‖a‖‖b‖); Levin et al. parameter-space saliency; algorithms.md §5.10',
  range: [-1, 1],
  higherIsMoreSimilar: true,
  compute: (a, b) => cosineComparison(a, b)
};
