import type { NumericArray } from './types';

/**
 * Indices of `x` in ascending order of value; equal values keep ascending index order, so the
 * result is the same on every engine whatever the sort's stability.
 */
export function ascendingOrder(x: NumericArray): Uint32Array {
  const order = new Uint32Array(x.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Finite inputs only (callers validate), so the subtraction never yields NaN.
  return order.sort((p, q) => x[p] - x[q] || p - q);
}

/**
 * Average ("fractional") ranks, 1-based: the cells of a tie group of size t that would occupy
 * ranks i+1 … i+t all get their mean, i + (t + 1)/2. This is `scipy.stats.rankdata(x,
 * method='average')`, the ranking Spearman's ρ uses (algorithms.md §5.10).
 *
 * Checkable property: the ranks always sum to n(n + 1)/2, ties or not.
 * Expects finite values (validate first); O(n log n).
 */
export function averageRanks(x: NumericArray): Float64Array {
  const n = x.length;
  const order = ascendingOrder(x);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && x[order[end]] === x[order[start]]) end++;
    // Mean of the 1-based ranks start+1 … end; a half-integer at worst, so exact in float64.
    const rank = (start + 1 + end) / 2;
    for (let t = start; t < end; t++) ranks[order[t]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Number of tied pairs, Σ_g t_g(t_g − 1)/2 over the tie groups g of an ascending-sorted
 * array. Used for Kendall's τ-b tie corrections n₁ and n₂.
 */
export function tiedPairsSorted(sorted: NumericArray): number {
  let pairs = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run++;
    } else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}
