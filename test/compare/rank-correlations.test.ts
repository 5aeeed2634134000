import { describe, expect, it } from 'vitest';
import { kendall, kendallComparison, kendallCounts } from '../../main/engine/compare/kendall';
import { averageRanks } from '../../main/engine/compare/ranks';
import { spearman, spearmanComparison } from '../../main/engine/compare/spearman';
import { expectParamInvalid } from './expect-error';
import { mulberry32, tiedMap, uniformMap } from './prng';

/** Direct O(n²) τ-b from the definition: every pair classified by the signs of its differences. */
function directTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = Math.sign(x[j] - x[i]) * Math.sign(y[j] - y[i]);
      if (x[i] === x[j]) tiesX++;
      if (y[i] === y[j]) tiesY++;
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  return (concordant - discordant) / Math.sqrt((n0 - tiesX) * (n0 - tiesY));
}

describe('average ranks', () => {
  it('gives tied values the mean of the ranks they span', () => {
    // 10 → 1; the three 20s span ranks 2, 3, 4 → 3; 30 → 5.
    expect(Array.from(averageRanks([10, 20, 20, 30, 20]))).toEqual([1, 3, 3, 5, 3]);
    // Two 7s span ranks 1–2 → 1.5; two 9s span 3–4 → 3.5.
    expect(Array.from(averageRanks([9, 7, 9, 7]))).toEqual([3.5, 1.5, 3.5, 1.5]);
  });

  it('always sums to n(n + 1)/2', () => {
    const rand = mulberry32(1);
    for (const n of [1, 2, 17, 500]) {
      const r = averageRanks(tiedMap(rand, n, 4));
      expect(r.reduce((s, v) => s + v, 0)).toBe((n * (n + 1)) / 2);
    }
  });
});

describe("Spearman's ρ (algorithms.md §5.10, §4.7)", () => {
  it('handles ties with average ranks: the scipy.stats.spearmanr documentation example', () => {
    // x = 1 … 5 has ranks 1 … 5; y = [5, 6, 7, 8, 7] has ranks [1, 2, 3.5, 5, 3.5].
    // Centred (mean 3): dx = [−2, −1, 0, 1, 2], dy = [−2, −1, 0.5, 2, 0.5].
    // Σdx·dy = 4 + 1 + 0 + 2 + 1 = 8; Σdx² = 10; Σdy² = 9.5 → ρ = 8/√95 = 0.8207826816681233 (scipy).
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 15);
  });

  it('is 1 with itself and −1 with its negative, ties included (§4.7)', () => {
    const rand = mulberry32(2);
    for (const a of [uniformMap(rand, 300), tiedMap(rand, 300, 5)]) {
      expect(spearman(a, a)).toBe(1);
      expect(spearman(a, a.map((v) => -v))).toBe(-1);
    }
  });

  it('equals 1 − 6Σd²/(n(n² − 1)) when there are no ties', () => {
    const rand = mulberry32(3);
    const a = uniformMap(rand, 200);
    const b = a.map((v) => v + 0.5 * rand());
    const ra = averageRanks(a);
    const rb = averageRanks(b);
    let d2 = 0;
    for (let i = 0; i < 200; i++) d2 += (ra[i] - rb[i]) ** 2;
    expect(Math.abs(spearman(a, b) - (1 - (6 * d2) / (200 * (200 * 200 - 1))))).toBeLessThan(1e-12);
  });

  it('is undefined (NaN with a reason) for a constant map', () => {
    const r = spearmanComparison([1, 1, 1, 1], [1, 2, 3, 4]);
    expect(r.value).toBeNaN();
    expect(r.reason).toMatch(/spearman: `a` is constant, so its rank variance is zero/);
    expect(spearmanComparison([1, 2], [3, 3]).reason).toMatch(/`b` is constant/);
    expect(spearmanComparison([3, 3], [3, 3]).reason).toMatch(/both `a` and `b` are constant/);
  });

  it('gives ±1 at n = 2 and rejects n < 2, length mismatch and NaN', () => {
    expect(spearman([1, 2], [5, 9])).toBe(1);
    expect(spearman([1, 2], [9, 5])).toBe(-1);
    expectParamInvalid(() => spearman([1], [2]), /spearman: needs at least 2 values per map, got 1/);
    expectParamInvalid(() => spearman([1, 2, 3], [1, 2]), /spearman: `a` has length 3 but `b` has length 2/);
    expectParamInvalid(() => spearman([1, Number.NaN], [1, 2]), /spearman: `a` must hold finite numbers, got NaN at index 1/);
  });
});

describe("Kendall's τ-b (algorithms.md §5.10, §4.7)", () => {
  it('handles ties in both variables and joint ties: the scipy.stats.kendalltau documentation example', () => {
    // x = [12, 2, 1, 12, 2], y = [1, 4, 7, 1, 0]; n₀ = 10 pairs (i < j):
    // (0,1) D  (0,2) D  (0,3) tied in both  (0,4) C  (1,2) D
    // (1,3) D  (1,4) tied in x only  (2,3) D  (2,4) D  (3,4) C
    // n_c = 2, n_d = 6; x ties {12,12}, {2,2} → n₁ = 2; y ties {1,1} → n₂ = 1; joint n₃ = 1.
    // τ_b = (2 − 6)/√((10 − 2)(10 − 1)) = −4/√72 = −√2/3 = −0.4714045207910317 (scipy).
    const x = [12, 2, 1, 12, 2];
    const y = [1, 4, 7, 1, 0];
    expect(kendallCounts(x, y)).toEqual({ n0: 10, tiesA: 2, tiesB: 1, tiesBoth: 1, discordant: 6 });
    expect(kendall(x, y)).toBeCloseTo(-Math.SQRT2 / 3, 15);
  });

  it('agrees with the O(n²) direct τ-b on random tied data to 1e-12', () => {
    const rand = mulberry32(42);
    let worst = 0;
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + Math.floor(rand() * 400);
      const x = tiedMap(rand, n, 2 + (trial % 9));
      const y = trial % 3 === 0 ? uniformMap(rand, n) : tiedMap(rand, n, 2 + ((trial * 7) % 11));
      // Correlate some trials so τ spans the whole range, not just ≈ 0.
      if (trial % 4 === 1) for (let i = 0; i < n; i++) y[i] = x[i] + (rand() < 0.2 ? 1 : 0);
      const want = directTauB(x, y);
      if (Number.isNaN(want)) continue;
      worst = Math.max(worst, Math.abs(kendall(x, y) - want));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('is 1 with itself and −1 with its negative, ties included (§4.7)', () => {
    const rand = mulberry32(9);
    for (const a of [uniformMap(rand, 257), tiedMap(rand, 257, 3)]) {
      expect(kendall(a, a)).toBe(1);
      expect(kendall(a, a.map((v) => -v))).toBe(-1);
    }
  });

  it('runs on a full 224 × 224 map (O(n log n)) and stays exact for identical ranks', () => {
    const rand = mulberry32(10);
    const a = tiedMap(rand, 224 * 224, 256);
    expect(kendall(a, a.map((v) => 3 * v + 1))).toBe(1);
  });

  it('is undefined (NaN with a reason) when a map is constant', () => {
    const r = kendallComparison([2, 2, 2], [1, 2, 3]);
    expect(r.value).toBeNaN();
    expect(r.reason).toMatch(/kendall: `a` is constant/);
  });

  it('rejects n < 2, length mismatch and NaN', () => {
    expectParamInvalid(() => kendall([], []), /kendall: needs at least 2 values per map, got 0/);
    expectParamInvalid(() => kendall([1, 2], [1, 2, 3]), /kendall: `a` has length 2 but `b` has length 3/);
    expectParamInvalid(() => kendall([1, 2], [Number.NaN, 2]), /kendall: `b` must hold finite numbers, got NaN at index 0/);
  });
});

describe('rank statistics are invariant to strictly increasing transforms (§5.0)', () => {
  it('gives identical ρ and τ after exp, cubing and affine maps of either argument', () => {
    const rand = mulberry32(77);
    const a = tiedMap(rand, 300, 20).map((v) => v / 20);
    const b = a.map((v) => v + 0.3 * rand());
    const fa = a.map((v) => Math.exp(v));
    const gb = b.map((v) => 5 * v ** 3 + v - 2);
    expect(spearman(fa, gb)).toBe(spearman(a, b));
    expect(kendall(fa, gb)).toBe(kendall(a, b));
  });
});
