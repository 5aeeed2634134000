import { tiedPairsSorted } from './ranks';
import type { Comparison, ComparisonStatistic, NumericArray } from './types';
import { assertPair, clamp, constantMapReason, undefinedComparison } from './validate';

/** Cell indices ordered by a, then b, then index (a total order, so the sort is deterministic). */
function lexicographicOrder(a: NumericArray, b: NumericArray): Uint32Array {
  const order = new Uint32Array(a.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((p, q) => a[p] - a[q] || b[p] - b[q] || p - q);
}

/** Merges src[lo, mid) and src[mid, hi) into dst; returns how many pairs were inverted. */
function mergeCounting(src: Float64Array, dst: Float64Array, lo: number, mid: number, hi: number): number {
  let i = lo;
  let j = mid;
  let k = lo;
  let inversions = 0;
  while (i < mid && j < hi) {
    // Strictly smaller only: equal values are ties, not discordant pairs.
    if (src[j] < src[i]) {
      inversions += mid - i;
      dst[k++] = src[j++];
    } else {
      dst[k++] = src[i++];
    }
  }
  while (i < mid) dst[k++] = src[i++];
  while (j < hi) dst[k++] = src[j++];
  return inversions;
}

/** Sorts `v` ascending in place (bottom-up merge sort) and returns its inversion count. */
function sortCountingInversions(v: Float64Array): number {
  const n = v.length;
  let src = v;
  let dst: Float64Array = new Float64Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      inversions += mergeCounting(src, dst, lo, Math.min(lo + width, n), Math.min(lo + 2 * width, n));
    }
    [src, dst] = [dst, src];
  }
  if (src !== v) v.set(src);
  return inversions;
}

/** Pair counts of Knight's algorithm: n₀, ties in a (n₁), in b (n₂), in both (n₃), discordant. */
export interface KendallCounts {
  n0: number;
  tiesA: number;
  tiesB: number;
  tiesBoth: number;
  discordant: number;
}

/**
 * Knight's (1966) O(n log n) pair counting, as in scipy.stats.kendalltau: order the cells by
 * (a, b); runs of equal a give n₁ and runs of equal (a, b) give n₃; the inversions of the
 * b-sequence in that order are exactly the discordant pairs (pairs tied in a are sorted by b,
 * so they never count); sorting b then exposes its runs for n₂. Counts stay exact integers in
 * float64 up to n ≈ 1.3·10⁸.
 */
export function kendallCounts(a: NumericArray, b: NumericArray): KendallCounts {
  const n = a.length;
  const order = lexicographicOrder(a, b);
  const bs = new Float64Array(n);
  for (let t = 0; t < n; t++) bs[t] = b[order[t]];
  let tiesA = 0;
  let tiesBoth = 0;
  let runA = 1;
  let runBoth = 1;
  for (let t = 1; t <= n; t++) {
    const sameA = t < n && a[order[t]] === a[order[t - 1]];
    const sameBoth = sameA && bs[t] === bs[t - 1];
    if (!sameA) tiesA += (runA * (runA - 1)) / 2;
    if (!sameBoth) tiesBoth += (runBoth * (runBoth - 1)) / 2;
    runA = sameA ? runA + 1 : 1;
    runBoth = sameBoth ? runBoth + 1 : 1;
  }
  const discordant = sortCountingInversions(bs);
  return { n0: (n * (n - 1)) / 2, tiesA, tiesB: tiedPairsSorted(bs), tiesBoth, discordant };
}

/**
 * Kendall's τ-b (algorithms.md §5.10, §4.5, §4.7):
 * τ_b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)), n₀ = n(n − 1)/2, n₁ and n₂ the pairs tied in a and
 * in b. With n₃ the pairs tied in both, n_c − n_d = n₀ − n₁ − n₂ + n₃ − 2·n_d (every pair is
 * concordant, discordant or tied in a, b or both). Equals `scipy.stats.kendalltau` (variant
 * 'b'). O(n log n) by Knight's algorithm, so full 224×224 maps are fine.
 *
 * Undefined (NaN with a reason) when either map is constant (n₀ = n₁ or n₀ = n₂: every pair
 * is tied), as in scipy. Throws PARAM_INVALID for length mismatch, non-finite values or fewer
 * than 2 values. Checkable properties: τ(a, a) = 1, τ(a, −a) = −1, invariant under strictly
 * increasing transforms of either map.
 */
export function kendallComparison(a: NumericArray, b: NumericArray): Comparison {
  assertPair('kendall', a, b);
  const reason = constantMapReason(a, b, 'number of untied pairs');
  if (reason) return undefinedComparison(`kendall: ${reason}`);
  const { n0, tiesA, tiesB, tiesBoth, discordant } = kendallCounts(a, b);
  const numerator = n0 - tiesA - tiesB + tiesBoth - 2 * discordant;
  const untiedA = n0 - tiesA;
  const untiedB = n0 - tiesB;
  // Equal tie structure (e.g. τ(a, a)) skips the square root, so ±1 comes out exactly.
  const denominator = untiedA === untiedB ? untiedA : Math.sqrt(untiedA * untiedB);
  return { value: clamp(numerator / denominator, -1, 1) };
}

/** Kendall's τ-b as a plain number (NaN for a constant map); see {@link kendallComparison}. */
export function kendall(a: NumericArray, b: NumericArray): number {
  return kendallComparison(a, b).value;
}

/** Registry entry for Kendall's τ-b. */
export const kendallStatistic: ComparisonStatistic = {
  id: 'kendall',
  label: 'Kendall τ-b',
  reference: 'Kendall τ-b with tie corrections, Knight (1966) O(n log n) counting; algorithms.md §5.10',
  range: [-1, 1],
  higherIsMoreSimilar: true,
  compute: (a, b) => kendallComparison(a, b)
};
