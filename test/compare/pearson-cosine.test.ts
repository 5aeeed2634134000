import { describe, expect, it } from 'vitest';
import { cosine, cosineComparison, cosineDistance } from '../../main/engine/compare/cosine';
import { pearson, pearsonComparison } from '../../main/engine/compare/pearson';
import { expectParamInvalid } from './expect-error';
import { mulberry32, uniformMap } from './prng';

describe("Pearson's r (algorithms.md §5.10)", () => {
  it('matches a hand example', () => {
    // x = 1 … 5 (mean 3), y = [2, 4, 5, 4, 5] (mean 4): dx = [−2, −1, 0, 1, 2], dy = [−2, 0, 1, 0, 1].
    // Σdx·dy = 4 + 0 + 0 + 0 + 2 = 6; Σdx² = 10; Σdy² = 6 → r = 6/√60 = 0.7745966692414834.
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(6 / Math.sqrt(60), 15);
  });

  it('is ±1 for positive/negative affine relations and 1 with itself', () => {
    const rand = mulberry32(4);
    const a = uniformMap(rand, 500);
    expect(pearson(a, a)).toBe(1);
    expect(pearson(a, a.map((v) => 3 * v + 7))).toBeCloseTo(1, 14);
    expect(pearson(a, a.map((v) => -2 * v))).toBeCloseTo(-1, 14);
  });

  it('detects a constant map exactly even when its float mean is inexact', () => {
    // The mean of three 0.1s is 0.10000000000000002; a variance test would see noise, not zero.
    const r = pearsonComparison([0.1, 0.1, 0.1], [1, 2, 3]);
    expect(r.value).toBeNaN();
    expect(r.reason).toMatch(/pearson: `a` is constant, so its variance is zero/);
  });

  it('rejects n < 2, length mismatch and NaN', () => {
    expectParamInvalid(() => pearson([1], [1]), /pearson: needs at least 2 values per map, got 1/);
    expectParamInvalid(() => pearson([1, 2], [1]), /pearson: `a` has length 2 but `b` has length 1/);
    expectParamInvalid(() => pearson(Float32Array.from([1, Number.NaN]), [1, 2]), /`a` must hold finite numbers, got NaN at index 1/);
  });
});

describe('cosine similarity (algorithms.md §5.10)', () => {
  it('matches a hand example and gives the paper-2 distance |cos − 1|', () => {
    // a = [1, 2, 2], b = [2, 1, 2]: a·b = 2 + 2 + 4 = 8, ‖a‖ = ‖b‖ = 3 → cos = 8/9.
    expect(cosine([1, 2, 2], [2, 1, 2])).toBeCloseTo(8 / 9, 15);
    expect(cosineDistance([1, 2, 2], [2, 1, 2])).toBeCloseTo(1 / 9, 15);
  });

  it('is 1 for positive rescaling, −1 for negation, and does not centre the maps', () => {
    const rand = mulberry32(6);
    const a = uniformMap(rand, 300);
    expect(cosine(a, a)).toBe(1);
    expect(cosine(a, a.map((v) => 4 * v))).toBeCloseTo(1, 14);
    expect(cosine(a, a.map((v) => -v))).toBe(-1);
    // Constant non-zero maps are parallel: cos = 1 (where every correlation is undefined).
    expect(cosine([2, 2, 2], [5, 5, 5])).toBe(1);
  });

  it('is undefined (NaN with a reason) for an all-zero map', () => {
    const r = cosineComparison([0, 0, 0], [1, 2, 3]);
    expect(r.value).toBeNaN();
    expect(r.reason).toMatch(/cosine: `a` is all zeros, so the norm is zero/);
    expect(cosineComparison([0, 0], [0, 0]).reason).toMatch(/both `a` and `b` are all zeros/);
  });

  it('rejects n < 2, length mismatch and NaN', () => {
    expectParamInvalid(() => cosine([1], [1]), /cosine: needs at least 2 values per map, got 1/);
    expectParamInvalid(() => cosine([1, 2, 3], [1, 2]), /cosine: `a` has length 3 but `b` has length 2/);
    expectParamInvalid(() => cosine([1, 2], [1, Number.POSITIVE_INFINITY]), /`b` must hold finite numbers, got Infinity at index 1/);
  });
});
