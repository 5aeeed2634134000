/**
 * Filter rankings of POT-saliency and the Proposition 1 identity (Wang & Sato, arXiv 2310.17951;
 * algorithms.md §1.3, §1.4 step 6, §1.11, §2.8, §7 rows 3–5).
 *
 * POT ranking: filters whose test value exceeds their threshold, by ascending tail probability
 * (log p), most anomalous first. Ties, in order:
 *   1. both beyond the fitted endpoint (p = 0): larger exceedance in scale units (s̄ − T)/σ first (§1.11);
 *   2. larger z-score first, when z-scores are given;
 *   3. smaller filter index first (a stable, reproducible order, §2.8).
 * Filters at or below their threshold are not ranked (reference behaviour, so the ranking length
 * varies per input); with `appendBelowThreshold` they follow, by descending z-score then index,
 * and `rankedCount` marks where they start (§7 row 4).
 *
 * Proposition 1: if S̄_j ~ N(μ_j, σ_j²) then P(S̄_j > s̄_j) = 1 − Φ(ŝ_j), strictly decreasing in
 * ŝ_j, so ŝ_j ≤ ŝ_j' ⇔ P_j ≥ P_j' (the paper prints the right-hand inequality reversed, §1.3);
 * sorting by z descending equals sorting by Gaussian tail probability ascending.
 *
 * Checkable property: `proposition1Holds(z)` is true for every finite z vector.
 */
import { gaussianLogTail } from './normal';
import type { PotScores } from './pot-score';
import { rankDescending } from './zscore';
import { invalidParam, requireArray, requireFiniteEntries } from './validate';

const STAGE = 'ranking';

/** Options of `rankPot`. */
export interface PotRankingOptions {
  /** Baseline z-scores of the same profile (tie-break, and order of appended filters). */
  zScores?: ArrayLike<number>;
  /** Append the filters at or below their threshold after the ranked ones. Default false. */
  appendBelowThreshold?: boolean;
}

/** A POT ranking: ranked filters first, then (optionally) the appended ones. */
export interface PotRanking {
  /** Filter indices, most anomalous first. */
  order: Int32Array;
  /** Number of POT-ranked filters; entries from here on are appended (below threshold). */
  rankedCount: number;
}

/** Orders filters by the POT rule of the file doc. */
export function rankPot(scores: PotScores, options: PotRankingOptions = {}): PotRanking {
  const { zScores, appendBelowThreshold = false } = options;
  const L = scores.logP.length;
  if (zScores !== undefined) {
    requireArray(STAGE, 'zScores', zScores, L);
    requireFiniteEntries(STAGE, 'zScores', zScores, 'filter');
  }
  if (appendBelowThreshold && zScores === undefined) {
    throw invalidParam(STAGE, '`zScores` is required when `appendBelowThreshold` is true (they order the appended filters)');
  }
  const ranked: number[] = [];
  const below: number[] = [];
  for (let j = 0; j < L; j++) (scores.status[j] === 'at-or-below' ? below : ranked).push(j);
  const byZ = (a: number, b: number) => (zScores ? zScores[b] - zScores[a] : 0) || a - b;
  ranked.sort((a, b) => compareTail(scores, a, b) || byZ(a, b));
  if (!appendBelowThreshold) return { order: Int32Array.from(ranked), rankedCount: ranked.length };
  below.sort(byZ);
  return { order: Int32Array.from([...ranked, ...below]), rankedCount: ranked.length };
}

/** log p ascending; among two p = 0 filters beyond the endpoint, larger (s̄ − T)/σ first. */
function compareTail(scores: PotScores, a: number, b: number): number {
  const la = scores.logP[a];
  const lb = scores.logP[b];
  if (la !== lb) return la < lb ? -1 : 1;
  if (scores.status[a] === 'beyond-endpoint' && scores.status[b] === 'beyond-endpoint') {
    return scores.scaledExcess[b] - scores.scaledExcess[a];
  }
  return 0;
}

/**
 * Filters by ascending tail probability given as log p (finite or −∞), ties by descending
 * z-score (when given) then index. With log p = gaussianLogTail(z) this is the Proposition 1 order.
 */
export function rankByLogTail(logP: ArrayLike<number>, zScores?: ArrayLike<number>): Int32Array {
  requireArray(STAGE, 'logP', logP);
  for (let j = 0; j < logP.length; j++) {
    if (Number.isNaN(logP[j]) || logP[j] > 0) throw invalidParam(STAGE, `\`logP\` must be ≤ 0 and not NaN, got ${logP[j]} at filter ${j}`);
  }
  if (zScores !== undefined) requireArray(STAGE, 'zScores', zScores, logP.length);
  const order = Int32Array.from({ length: logP.length }, (_, i) => i);
  return order.sort((a, b) => (logP[a] !== logP[b] ? (logP[a] < logP[b] ? -1 : 1) : 0) || (zScores ? zScores[b] - zScores[a] : 0) || a - b);
}

/** log(1 − Φ(ŝ_j)) per filter: the Gaussian tail probabilities of Proposition 1, in log space. */
export function gaussianLogTails(zScores: ArrayLike<number>): Float64Array {
  requireArray(STAGE, 'zScores', zScores);
  requireFiniteEntries(STAGE, 'zScores', zScores, 'filter');
  return Float64Array.from(zScores, gaussianLogTail);
}

/**
 * Proposition 1 check: the z-descending order equals the Gaussian-tail-ascending order, and
 * along it the tail probability never decreases (ŝ_j ≤ ŝ_j' ⇔ P_j ≥ P_j'). Ties in the tail
 * (equal log P) are broken without looking at z, by index, so a float-level tie in 1 − Φ that
 * hides a z difference makes the check fail rather than pass by construction. In float64 that
 * only happens for z < −37, where 1 − Φ(z) rounds to 1.
 */
export function proposition1Holds(zScores: ArrayLike<number>): boolean {
  const byZ = rankDescending(zScores);
  const logP = gaussianLogTails(zScores);
  const byTail = rankByLogTail(logP);
  for (let k = 0; k < byZ.length; k++) {
    if (byZ[k] !== byTail[k]) return false;
    if (k > 0 && logP[byZ[k]] < logP[byZ[k - 1]]) return false;
  }
  return true;
}
