/**
 * POT tail probability of a test profile against a calibration (Wang & Sato, arXiv 2310.17951,
 * Eq. 4; algorithms.md §1.4 step 5, §1.11, §7 rows 4–5):
 *   p_j = (N_t,j/N)·S_GPD(s̄_j − T_j; γ_j, σ_j),
 * computed in log space, log p = log(N_t/N) − (1/γ)·log1p(γ(s̄ − T)/σ) (exponential branch for
 * |γ| < 1e−12), so it never underflows; `p` is exp(log p) for display only — rank by `logP`.
 *
 * Status per filter:
 *   exceeds          s̄ > T inside the fitted support: log p as above;
 *   beyond-endpoint  γ < 0 and 1 + γ(s̄ − T)/σ ≤ 0: outside the fitted support, p = 0 (log −∞);
 *                    the reference computes NaN there (numpy sorts it last); we clamp to 0,
 *                    the most anomalous, and ranking.ts orders such filters by (s̄ − T)/σ;
 *   empty-tail       s̄ > T but N_t = 0 (nothing to fit): the empirical bound p = 1/(N + 1); the
 *                    reference's p = 0 would put every such filter first;
 *   at-or-below      s̄ ≤ T: not ranked by POT (log p and p are NaN); ranking.ts can append them.
 * Every status is counted in `counts` so a run can log how often the edge cases occur.
 *
 * Checkable properties: for fixed (γ, σ, T, N_t) log p is non-increasing in s̄; at s̄ = T + 0
 * p = N_t/N; at SPOT's z_q = T + inverseSurvival(q·N/N_t), p = q.
 */
import { gpdLogSurvivalUnchecked } from './gpd';
import type { PotColumnFit, PotModel } from './pot';
import { invalidParam, requireArray, requireFiniteEntries, show } from './validate';

/** How a filter's test value relates to its calibration. */
export type PotStatus = 'exceeds' | 'beyond-endpoint' | 'empty-tail' | 'at-or-below';

/** Tail probability of one value. */
export interface PotTail {
  status: PotStatus;
  logP: number;
  p: number;
  /** s̄ − T. */
  excess: number;
  /** (s̄ − T)/σ; NaN when there is no fit. */
  scaledExcess: number;
}

/** Scores of one profile over all filters. */
export interface PotScores {
  status: PotStatus[];
  logP: Float64Array;
  p: Float64Array;
  scaledExcess: Float64Array;
  counts: Record<PotStatus, number>;
}

/**
 * Tail probability of value `x` for one calibrated filter: threshold T, N_t of N, fit (γ, σ)
 * (γ, σ ignored when N_t = 0).
 */
export function potTail(x: number, threshold: number, exceedances: number, n: number, gamma: number, sigma: number): PotTail {
  const excess = x - threshold;
  if (!(excess > 0)) return { status: 'at-or-below', logP: NaN, p: NaN, excess, scaledExcess: NaN };
  if (exceedances === 0) {
    const logP = -Math.log(n + 1);
    return { status: 'empty-tail', logP, p: Math.exp(logP), excess, scaledExcess: NaN };
  }
  const scaledExcess = excess / sigma;
  const logS = gpdLogSurvivalUnchecked(excess, gamma, sigma);
  if (logS === -Infinity) return { status: 'beyond-endpoint', logP: -Infinity, p: 0, excess, scaledExcess };
  const logP = Math.log(exceedances / n) + logS;
  return { status: 'exceeds', logP, p: Math.exp(logP), excess, scaledExcess };
}

/**
 * Tail probabilities at the points `at` for a single-vector calibration
 * (the `saliency pot-fit … --at x1,x2` case). Points must be finite.
 */
export function potTailAt(calibration: PotColumnFit, at: ArrayLike<number>): PotTail[] {
  requireArray('pot-fit', 'at', at);
  requireFiniteEntries('pot-fit', 'at', at);
  const { threshold, exceedances, n, fit } = calibration;
  return Array.from({ length: at.length }, (_, i) => potTail(at[i], threshold, exceedances, n, fit?.gamma ?? NaN, fit?.sigma ?? NaN));
}

/** Scores one test profile (length L, finite; NaN/±Infinity rejected naming the filter). */
export function scorePot(model: PotModel, profile: ArrayLike<number>): PotScores {
  if (model === null || typeof model !== 'object' || !(model.thresholds instanceof Float64Array)) {
    throw invalidParam('pot-score', `\`model\` must be a PotModel (fitPotMatrix output), got ${show(typeof model)}`);
  }
  requireArray('pot-score', 'profile', profile, model.length);
  requireFiniteEntries('pot-score', 'profile', profile, 'filter');
  const L = model.length;
  const scores: PotScores = {
    status: new Array<PotStatus>(L),
    logP: new Float64Array(L),
    p: new Float64Array(L),
    scaledExcess: new Float64Array(L),
    counts: { exceeds: 0, 'beyond-endpoint': 0, 'empty-tail': 0, 'at-or-below': 0 }
  };
  for (let j = 0; j < L; j++) {
    const tail = potTail(profile[j], model.thresholds[j], model.exceedances[j], model.n, model.gamma[j], model.sigma[j]);
    scores.status[j] = tail.status;
    scores.logP[j] = tail.logP;
    scores.p[j] = tail.p;
    scores.scaledExcess[j] = tail.scaledExcess;
    scores.counts[tail.status]++;
  }
  return scores;
}
