import { describe, expect, it } from 'vitest';
import type { FilterTable } from '../../../main/engine/parameter-saliency/profile/filters';
import { rankProfile, type RankContext } from '../../../main/engine/parameter-saliency/rank/rank-input';
import { fitPotMatrix, rankDescending, scorePot, standardize, welfordFinalize, welfordPush, createWelford } from '../../../main/engine/parameter-saliency/stats';
import { createRng } from '../../../shared/random';

const N = 400;
const L = 6;

/**
 * Reference columns with known tails: 0 Gaussian, 1 exponential, 2 constant (empty tail),
 * 3 uniform on [0, 1] (a light tail with an endpoint), 4 Pareto α = 2, 5 Gaussian.
 */
function reference(): Float64Array {
  const rng = createRng(17);
  const normal = () => Math.sqrt(-2 * Math.log(rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
  const draw = [() => 1 + 0.1 * normal(), () => -Math.log(rng.uniform()), () => 0.5, () => rng.uniform(), () => Math.pow(rng.uniform(), -0.5), () => 2 + 0.5 * normal()];
  const matrix = new Float64Array(N * L);
  for (let j = 0; j < L; j++) for (let n = 0; n < N; n++) matrix[j * N + n] = draw[j]();
  return matrix;
}

function context(partial: Partial<RankContext> = {}): RankContext {
  const matrix = reference();
  const w = createWelford(L);
  for (let n = 0; n < N; n++) welfordPush(w, Array.from({ length: L }, (_, j) => matrix[j * N + n]));
  const { mean, std } = welfordFinalize(w);
  const table: FilterTable = { length: L, kernels: [], ids: Array.from({ length: L }, (_, g) => ({ layer: g < 3 ? 'a' : 'b', index: g % 3, global: g })) };
  const pots = [0.9, 0.8].map((level) => fitPotMatrix(matrix, N, L, { level }));
  return { table, mean, std, pots, ranking: 'pot', top: null, appendBelowThreshold: false, ...partial };
}

/** Above every threshold except filter 5; filter 3 far beyond the uniform's endpoint; filter 2 above its constant. */
const PROFILE = [1.35, 4.5, 0.6, 3, 12, 1.0];

describe('ranking one profile', () => {
  it('zscore lists every filter by (s̄ − μ)/σ descending, with profile, z, POT p and log p on each entry', () => {
    const ctx = context({ ranking: 'zscore' });
    const z = standardize(PROFILE, ctx, 'zscore');
    const pot = scorePot(ctx.pots[0], PROFILE);
    const ranked = rankProfile(PROFILE, ctx);
    expect(ranked.rankedCount).toBe(L);
    expect(ranked.filters.map((f) => f.global)).toEqual(Array.from(rankDescending(z)));
    for (const f of ranked.filters) {
      expect(f).toMatchObject({ layer: f.global < 3 ? 'a' : 'b', index: f.global % 3, profile: PROFILE[f.global], z: z[f.global], score: z[f.global], appended: false, status: pot.status[f.global] });
      expect(f.p).toBe(Number.isNaN(pot.p[f.global]) ? null : pot.p[f.global]);
    }
    expect(ranked.filters.map((f) => f.rank)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('naive and norm rank by s̄ and s̄/μ', () => {
    const naive = rankProfile(PROFILE, context({ ranking: 'naive' }));
    expect(naive.filters.map((f) => f.global)).toEqual(Array.from(rankDescending(PROFILE)));
    const ctx = context({ ranking: 'norm' });
    const norm = rankProfile(PROFILE, ctx);
    expect(norm.filters.map((f) => f.global)).toEqual(Array.from(rankDescending(PROFILE.map((s, j) => s / ctx.mean[j]))));
    expect(norm.filters[0].score).toBeCloseTo(PROFILE[norm.filters[0].global] / ctx.mean[norm.filters[0].global], 12);
  });

  it('pot ranks only filters above their threshold, smallest tail probability first; edge cases as §1.11', () => {
    const ranked = rankProfile(PROFILE, context());
    const byGlobal = new Map(ranked.filters.map((f) => [f.global, f]));
    expect(ranked.filters.every((f) => f.status !== 'at-or-below')).toBe(true);
    expect(byGlobal.has(5)).toBe(false);
    expect(byGlobal.get(3)).toMatchObject({ status: 'beyond-endpoint', p: 0, logP: null, rank: 1 });
    expect(byGlobal.get(2)).toMatchObject({ status: 'empty-tail', p: expect.closeTo(1 / (N + 1), 15) });
    const logs = ranked.filters.filter((f) => f.logP !== null).map((f) => f.logP!);
    expect(logs).toEqual([...logs].sort((a, b) => a - b));
    expect(ranked.rankedCount).toBe(ranked.filters.length);
    expect(ranked.potCounts).toMatchObject({ 'beyond-endpoint': 1, 'empty-tail': 1, 'at-or-below': 1 });
  });

  it('appends the filters at or below threshold by z-score when asked, marked, after the ranked ones; top cuts the list', () => {
    const ranked = rankProfile(PROFILE, context({ appendBelowThreshold: true }));
    expect(ranked.filters).toHaveLength(L);
    expect(ranked.filters.slice(ranked.rankedCount).every((f) => f.appended && f.status === 'at-or-below' && f.p === null)).toBe(true);
    expect(ranked.filters.slice(0, ranked.rankedCount).every((f) => !f.appended)).toBe(true);
    const top2 = rankProfile(PROFILE, context({ top: 2 }));
    expect(top2.filters.map((f) => f.global)).toEqual(ranked.filters.slice(0, 2).map((f) => f.global));
  });

  it('reports each extra threshold level\'s POT ranking head (a sensitivity run)', () => {
    const ranked = rankProfile(PROFILE, context({ top: 3 }));
    expect(ranked.levels.map((l) => l.level)).toEqual([0.9, 0.8]);
    expect(ranked.levels[0].top).toEqual(ranked.filters.slice(0, 3).map((f) => f.global));
    for (const l of ranked.levels) expect(l.rankedCount).toBe(L - l.counts['at-or-below']);
    expect(ranked.levelCounts).toHaveLength(2);
    expect(rankProfile(PROFILE, { ...context(), pots: context().pots.slice(0, 1) }).levels).toEqual([]);
  });
});
