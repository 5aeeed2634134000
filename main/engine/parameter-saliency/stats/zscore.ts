/**
 * Levin standardisation of a filter-saliency profile against reference statistics, and the
 * baseline ranking (Levin et al., arXiv 2108.01335; algorithms.md §1.3, §2.3, §2.8).
 *
 * Modes (names follow the reference code's `mode`, with `std` called `zscore` here):
 *   zscore: ŝ_j = (s̄_j − μ_j)/σ_j, with σ_j replaced by 1 where σ_j ≤ 1e−14 (dead filters), so
 *           such a filter scores s̄_j − μ_j;
 *   naive:  ŝ_j = s̄_j (the raw profile);
 *   norm:   ŝ_j = s̄_j/μ_j, with μ_j replaced by 1 where μ_j ≤ 1e−14.
 * Unlike the reference (which overwrites its stored std in place), the statistics are never
 * modified. An undefined std (NaN, from a one-sample reference set, see welford.ts) is guarded
 * like a zero one; the reference would propagate NaN into every z-score.
 *
 * Units: z is invariant under scaling every profile by c > 0 (§1.12), except for guarded filters,
 * whose score s̄ − μ scales by c; a ranking that mixes guarded and unguarded filters is therefore
 * not fully scale invariant (inherent to the §2.3 guard, kept for fidelity to the reference).
 *
 * Ranking: descending score, ties broken by ascending filter index (a stable order, §2.8), so
 * results are reproducible. Checkable property: rankDescending(standardize(s, stats)) lists a
 * filter before every filter with a smaller z-score.
 */
import { invalidParam, requireArray, requireFiniteEntries, show } from './validate';

const STAGE = 'zscore';

/** σ and μ at or below this are treated as zero by the guards (reference code's constant). */
export const STANDARDIZE_GUARD = 1e-14;

/** How a profile is turned into a score. */
export type StandardizeMode = 'zscore' | 'naive' | 'norm';

/** Per-filter reference statistics (e.g. `welfordFinalize` output). */
export interface ReferenceStats {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/** σ guard of §2.3: ≤ 1e−14 or undefined (NaN) → 1. */
function guardedStd(std: number): number {
  return Number.isNaN(std) || std <= STANDARDIZE_GUARD ? 1 : std;
}

function validateStats(stats: ReferenceStats | undefined, length: number, mode: StandardizeMode): ReferenceStats {
  if (stats === undefined || stats === null) throw invalidParam(STAGE, `\`stats\` is required for mode '${mode}'`);
  requireArray(STAGE, 'stats.mean', stats.mean, length);
  requireFiniteEntries(STAGE, 'stats.mean', stats.mean, 'filter');
  if (mode === 'zscore') {
    requireArray(STAGE, 'stats.std', stats.std, length);
    for (let j = 0; j < length; j++) {
      const s = stats.std[j];
      // NaN is the documented "undefined" std of N = 1; anything else must be a finite, non-negative number.
      if (typeof s !== 'number' || s === Infinity || s < 0) {
        throw invalidParam(STAGE, `\`stats.std\` must be finite and ≥ 0 (or NaN when undefined), got ${show(s)} at filter ${j}`);
      }
    }
  }
  return stats;
}

/**
 * Standardises one profile s̄ (length L, finite) with the given mode. Returns a new array.
 * @param profile filter-wise saliency s̄ of one input
 * @param stats reference mean and std per filter (not needed for `naive`)
 * @param mode `zscore` (default), `naive` or `norm`
 */
export function standardize(profile: ArrayLike<number>, stats?: ReferenceStats, mode: StandardizeMode = 'zscore'): Float64Array {
  if (mode !== 'zscore' && mode !== 'naive' && mode !== 'norm') {
    throw invalidParam(STAGE, `\`mode\` must be 'zscore', 'naive' or 'norm', got ${show(mode)}`);
  }
  requireArray(STAGE, 'profile', profile);
  requireFiniteEntries(STAGE, 'profile', profile, 'filter');
  const L = profile.length;
  const out = Float64Array.from(profile);
  if (mode === 'naive') return out;
  const { mean, std } = validateStats(stats, L, mode);
  for (let j = 0; j < L; j++) {
    if (mode === 'zscore') out[j] = (profile[j] - mean[j]) / guardedStd(std[j]);
    else out[j] = profile[j] / (mean[j] <= STANDARDIZE_GUARD ? 1 : mean[j]);
  }
  return out;
}

/**
 * Filter indices ordered by descending score; equal scores keep ascending index order.
 * Scores must be finite (NaN has no place in an order and is rejected naming the filter).
 */
export function rankDescending(scores: ArrayLike<number>): Int32Array {
  requireArray('ranking', 'scores', scores);
  requireFiniteEntries('ranking', 'scores', scores, 'filter');
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}
