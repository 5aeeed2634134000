/**
 * Ranks the filters of one input's profile s̄ against the reference statistics
 * (algorithms.md §1.3, §1.4 steps 5–6, §1.11, §2.3, §2.8, §7 rows 3–5):
 *
 *   zscore  ŝ_j = (s̄_j − μ_j)/σ_j (σ ≤ 1e−14 → 1), descending, ties by filter index (Levin);
 *   naive   s̄_j descending;   norm  s̄_j/μ_j descending (μ ≤ 1e−14 → 1);
 *   pot     p_j = (N_t,j/N)·(1 + γ_j(s̄_j − T_j)/σ_j)^(−1/γ_j) ascending, compared in log space,
 *           only filters with s̄_j > T_j (Wang & Sato); p = 0 beyond a fitted endpoint (ties by
 *           (s̄ − T)/σ), the bound 1/(N + 1) for empty tails; optionally the rest appended by
 *           z-score and marked.
 * Every listed filter carries its profile value, z-score and POT tail probability whatever the
 * chosen ranking, so the rankings can be compared on one list. Extra threshold levels (a
 * sensitivity run) add each level's POT ranking head.
 * Checkable property: with ranking zscore the listed order is the z-descending order.
 */
import { rankDescending, rankPot, scorePot, standardize, type PotModel, type PotScores } from '../stats';
import type { FilterTable } from '../profile/filters';
import type { LevelRanking, RankedFilter, RankingId } from './types';

/** Everything one profile is ranked against. */
export interface RankContext {
  table: FilterTable;
  mean: Float64Array;
  std: Float64Array;
  /** POT calibrations, one per threshold level, the primary level first. */
  pots: PotModel[];
  ranking: RankingId;
  /** Filters listed (null = all ranked). */
  top: number | null;
  appendBelowThreshold: boolean;
}

/** One profile's ranking: the listed filters and the per-level counts. */
export interface ProfileRanking {
  rankedCount: number;
  potCounts: PotScores['counts'];
  filters: RankedFilter[];
  levels: LevelRanking[];
  /** Statuses per level (for the run's totals). */
  levelCounts: PotScores['counts'][];
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The chosen ranking's order over filters, and how many of them are ranked (the rest appended). */
function orderOf(ctx: RankContext, profile: ArrayLike<number>, z: Float64Array, primary: PotScores): { order: Int32Array; rankedCount: number; score: Float64Array } {
  if (ctx.ranking === 'pot') {
    const { order, rankedCount } = rankPot(primary, { zScores: z, appendBelowThreshold: ctx.appendBelowThreshold });
    return { order, rankedCount, score: primary.logP.map((v) => -v) };
  }
  const score = ctx.ranking === 'zscore' ? z : standardize(profile, ctx, ctx.ranking);
  return { order: rankDescending(score), rankedCount: score.length, score };
}

function entry(ctx: RankContext, j: number, rank: number, values: { profile: ArrayLike<number>; z: Float64Array; score: Float64Array; pot: PotScores; appended: boolean }): RankedFilter {
  const id = ctx.table.ids[j];
  const p = values.pot.p[j];
  return {
    rank, layer: id.layer, index: id.index, global: j, profile: values.profile[j], z: values.z[j], score: finiteOrNull(values.score[j]),
    p: Number.isNaN(p) ? null : p, logP: finiteOrNull(values.pot.logP[j]), status: values.pot.status[j], appended: values.appended
  };
}

/** Ranks one profile (length L, finite). */
export function rankProfile(profile: ArrayLike<number>, ctx: RankContext): ProfileRanking {
  const z = standardize(profile, ctx, 'zscore');
  const scores = ctx.pots.map((pot) => scorePot(pot, profile));
  const primary = scores[0];
  const { order, rankedCount, score } = orderOf(ctx, profile, z, primary);
  const listed = ctx.top === null ? order : order.subarray(0, ctx.top);
  const filters = Array.from(listed, (j, k) => entry(ctx, j, k + 1, { profile, z, score, pot: primary, appended: k >= rankedCount }));
  const levels = scores.length < 2 ? [] : scores.map((s, i): LevelRanking => {
    const ranked = rankPot(s, { zScores: z });
    return { level: ctx.pots[i].level, rankedCount: ranked.rankedCount, counts: s.counts, top: Array.from(ctx.top === null ? ranked.order : ranked.order.subarray(0, ctx.top)) };
  });
  return { rankedCount, potCounts: primary.counts, filters, levels, levelCounts: scores.map((s) => s.counts) };
}
