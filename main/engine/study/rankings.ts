/**
 * How metric-based rankings of saliency methods flip (spec §4.5). Per image, each condition
 * (a metric under a baseline) scores every method; scores are oriented so that larger = better
 * (deletion AUC and LeRF AOPC are negated). Between two conditions:
 *
 * - Kendall τ-b between the two oriented score vectors over methods (= τ-b between the rankings,
 *   ties handled); undefined (NaN) when a vector is constant;
 * - whether the winner (best method; ties to the earlier method) differs.
 *
 * Baseline sensitivity of one metric: for each method the sample standard deviation across
 * baselines of its mean score, against the standard deviation between methods under each
 * baseline; ratio = mean of the first / mean of the second (> 1: the baseline moves a method's
 * score more than the choice of method does).
 */
import { kendallComparison } from '../compare/kendall';
import { bootstrapMean, type MeanCI } from '../metrics/bootstrap';

/** Index of the largest value (first on ties). */
export function winner(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

export interface FlipSummary {
  /** Per-image τ-b (null where undefined). */
  tau: Array<number | null>;
  meanTau: MeanCI;
  /** Fraction of images whose winning method differs. */
  winnerChanged: number;
}

/** Flips between conditions a and b; `scoresA[image][method]`. */
export function rankingFlips(scoresA: number[][], scoresB: number[][], resamples: number, seed: number): FlipSummary {
  const tau = scoresA.map((a, t) => kendallComparison(a, scoresB[t]).value);
  const changed = scoresA.filter((a, t) => winner(a) !== winner(scoresB[t])).length;
  return { tau: tau.map((v) => (Number.isNaN(v) ? null : v)), meanTau: bootstrapMean(tau, { resamples, seed }), winnerChanged: changed / scoresA.length };
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleSd(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

export interface SpreadSummary {
  /** Per method: sd across baselines of its mean score. */
  acrossBaselines: number[];
  /** Per baseline: sd between methods of their mean scores. */
  betweenMethods: number[];
  /** mean(acrossBaselines) / mean(betweenMethods); NaN when the methods do not spread at all. */
  ratio: number;
}

/** `means[baseline][method]` → spreads. */
export function scoreSpread(means: number[][]): SpreadSummary {
  const methods = means[0]?.length ?? 0;
  const acrossBaselines = Array.from({ length: methods }, (_, m) => sampleSd(means.map((row) => row[m])));
  const betweenMethods = means.map((row) => sampleSd(row));
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const between = avg(betweenMethods);
  return { acrossBaselines, betweenMethods, ratio: between > 0 ? avg(acrossBaselines) / between : Number.NaN };
}
