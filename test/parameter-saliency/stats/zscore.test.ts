import { describe, expect, it } from 'vitest';
import { createWelford, welfordFinalize, welfordPush } from '../../../main/engine/parameter-saliency/stats/welford';
import { rankDescending, standardize, STANDARDIZE_GUARD } from '../../../main/engine/parameter-saliency/stats/zscore';
import { createRng } from '../../../shared/random';
import { expectParamInvalid, twoPass } from './helpers';

describe('standardize (§2.3) against two-pass statistics (§2.9)', () => {
  // Synthetic validation matrix: 2,000 samples × 40 filters with gradient-like magnitudes
  // (|N(μ, σ)| with μ in 1e-6..1e-1), filter 7 constant (a dead filter).
  const rng = createRng(7);
  const L = 40;
  const N = 2_000;
  const mus = Float64Array.from({ length: L }, (_, j) => 10 ** (-6 + (5 * j) / (L - 1)));
  const rows = Array.from({ length: N }, () => Float64Array.from(mus, (mu, j) => (j === 7 ? 0.25 : Math.abs(mu + 0.3 * mu * rng.normal()))));
  const state = createWelford(L);
  rows.forEach((row) => welfordPush(state, row));
  const stats = welfordFinalize(state);
  const test = Float64Array.from(mus, (mu, j) => (j === 7 ? 0.5 : mu * (1 + 0.5 * rng.normal())));

  it('streaming z-scores equal two-pass z-scores to 1e-12·max(1, |z|)', () => {
    const z = standardize(test, stats);
    for (let j = 0; j < L; j++) {
      if (j === 7) continue;
      const reference = twoPass(rows.map((row) => row[j]));
      const expected = (test[j] - reference.mean) / Math.sqrt(reference.variance);
      // Tolerance: 1e-12 relative (absolute near z = 0), the §2.9 precision target.
      expect(Math.abs(z[j] - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
    }
  });

  it('guards a constant filter: std 0 → 1, so z = s̄ − μ exactly', () => {
    expect(stats.std[7]).toBe(0);
    expect(standardize(test, stats)[7]).toBe(0.5 - 0.25);
    // The statistics are not mutated by the guard (the reference overwrote them in place).
    expect(stats.std[7]).toBe(0);
  });

  it('guards std ≤ 1e-14 and an undefined std (N = 1) the same way', () => {
    const z = standardize([3, 3, 3, 3], { mean: [1, 1, 1, 1], std: [STANDARDIZE_GUARD, 2e-14, NaN, 0] });
    expect(Array.from(z)).toEqual([2, 1 / 1e-14, 2, 2]);
    const single = welfordFinalize(welfordPush(createWelford(2), [0.1, 0.2]));
    expect(Array.from(standardize([0.3, 0.2], single))).toEqual([0.3 - 0.1, 0]);
  });

  it('naive returns the raw profile; norm divides by μ with μ ≤ 1e-14 → 1', () => {
    expect(Array.from(standardize([1, 2], undefined, 'naive'))).toEqual([1, 2]);
    expect(Array.from(standardize([1, 2, 3], { mean: [0.5, 0, 1e-15], std: [1, 1, 1] }, 'norm'))).toEqual([2, 2, 3]);
  });

  it('rejects bad arguments naming them (and the filter)', () => {
    expectParamInvalid(() => standardize([1, NaN], { mean: [0, 0], std: [1, 1] }), /zscore: `profile` must be finite, got NaN at filter 1/);
    expectParamInvalid(() => standardize([1, 2], { mean: [0, Infinity], std: [1, 1] }), /`stats.mean` must be finite, got Infinity at filter 1/);
    expectParamInvalid(() => standardize([1, 2], { mean: [0, 0], std: [1, -1] }), /`stats.std` must be finite and ≥ 0 .* at filter 1/);
    expectParamInvalid(() => standardize([1, 2], { mean: [0, 0], std: [Infinity, 1] }), /at filter 0/);
    expectParamInvalid(() => standardize([1, 2], { mean: [0], std: [1] }), /`stats.mean` must have length 2, got 1/);
    expectParamInvalid(() => standardize([1, 2]), /`stats` is required for mode 'zscore'/);
    expectParamInvalid(() => standardize([1], undefined, 'std' as 'zscore'), /`mode` must be 'zscore', 'naive' or 'norm', got "std"/);
  });
});

describe('rankDescending (§1.3, §2.8)', () => {
  it('orders by descending score with ties broken by ascending filter index', () => {
    expect(Array.from(rankDescending([0, 2, -1, 2, 0, 5]))).toEqual([5, 1, 3, 0, 4, 2]);
  });

  it('keeps the index order for all-equal scores (the guarded zeros of §2.8)', () => {
    expect(Array.from(rankDescending(new Float64Array(6)))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects NaN naming the filter', () => {
    expectParamInvalid(() => rankDescending([1, NaN]), /ranking: `scores` must be finite, got NaN at filter 1/);
  });
});
