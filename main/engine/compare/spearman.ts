import { pearsonUnchecked } from './pearson';
import { averageRanks } from './ranks';
import type { Comparison, ComparisonStatistic, NumericArray } from './types';
import { assertPair, constantMapReason, undefinedComparison } from './validate';

/**
 * Spearman's rank correlation ρ (algorithms.md §5.10, used for map agreement in §4.5):
 * the Pearson correlation of the average ranks, ρ = r(rank(a), rank(b)), where tied values
 * share the mean of the ranks they span. With ties this is NOT the textbook shortcut
 * 1 − 6Σd²/(n(n² − 1)), which is exact only without ties; it equals `scipy.stats.spearmanr`.
 *
 * Undefined (NaN with a reason) when either map is constant (all ranks equal, zero rank
 * variance), as in scipy. Throws PARAM_INVALID for length mismatch, non-finite values or
 * fewer than 2 values. O(n log n).
 *
 * Checkable properties: ρ(a, a) = 1, ρ(a, −a) = −1, and ρ is unchanged by any strictly
 * increasing transform of either map (it sees only the order).
 */
export function spearmanComparison(a: NumericArray, b: NumericArray): Comparison {
  assertPair('spearman', a, b);
  const reason = constantMapReason(a, b, 'rank variance');
  if (reason) return undefinedComparison(`spearman: ${reason}`);
  return { value: pearsonUnchecked(averageRanks(a), averageRanks(b)) };
}

/** Spearman's ρ as a plain number (NaN for a constant map); see {@link spearmanComparison}. */
export function spearman(a: NumericArray, b: NumericArray): number {
  return spearmanComparison(a, b).value;
}

/** Registry entry for Spearman's ρ. */
export const spearmanStatistic: ComparisonStatistic = {
  id: 'spearman',
  label: 'Spearman ρ',
  reference: 'Spearman rank correlation with average ranks for ties; algorithms.md §5.10',
  range: [-1, 1],
  higherIsMoreSimilar: true,
  compute: (a, b) => spearmanComparison(a, b)
};
