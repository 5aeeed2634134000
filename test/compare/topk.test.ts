import { describe, expect, it } from 'vitest';
import { resolveTopK, topKOverlap, topKStatistic } from '../../main/engine/compare/topk';
import { expectParamInvalid } from './expect-error';
import { mulberry32, tiedMap, uniformMap } from './prng';

/** Plain set intersection of the k largest cells, for maps without ties. */
function setIntersection(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const top = (x: ArrayLike<number>) => new Set(Array.from(x, (v, i) => [v, i]).sort((p, q) => q[0] - p[0]).slice(0, k).map((p) => p[1]));
  const ta = top(a);
  let common = 0;
  for (const i of top(b)) if (ta.has(i)) common++;
  return common;
}

describe('top-k intersection (algorithms.md §5.10, §4.5)', () => {
  it('matches a hand example without ties', () => {
    // Top 3 of a: cells {0, 1, 2}. Top 3 of b (values 9, 8, 7): cells {0, 2, 5}.
    // Common {0, 2}: intersection 2/3; union {0, 1, 2, 5}: IoU 2/4.
    const a = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    const b = [9, 0, 8, 1, 2, 7, 3, 4, 5, 6];
    const r = topKOverlap(a, b, 3);
    expect(r).toEqual({ k: 3, overlap: 2, intersection: 2 / 3, iou: 0.5 });
  });

  it('shares tied cells at the k-th value evenly instead of breaking ties by index', () => {
    // k = 2. a has four cells tied at its top value 5 (cells 0–3): each gets weight 2/4 = 0.5.
    // b's top 2 are cells 0 and 1 (weight 1). Overlap = min(0.5, 1) + min(0.5, 1) = 1 → 1/2.
    // Breaking a's ties by index would say 2/2, by reverse index 0/2; sharing gives the middle.
    const a = [5, 5, 5, 5, 0, 0, 0, 0];
    const b = [9, 8, 0, 0, 0, 0, 0, 1];
    expect(topKOverlap(a, b, 2).intersection).toBe(0.5);
    // Partly above, partly tied: a's top 3 = cell 4 (value 9) + 2 of the three 5s (weight 2/3).
    // b's top 3 = cells 4, 0, 1. Overlap = 1 + 2/3 + 2/3 = 7/3 → intersection 7/9.
    const c = [5, 5, 5, 0, 9, 0];
    const d = [8, 7, 0, 1, 9, 2];
    expect(topKOverlap(c, d, 3).intersection).toBeCloseTo(7 / 9, 15);
  });

  it('gives exactly 1 for identical maps, ties and constant maps included', () => {
    const rand = mulberry32(12);
    for (const a of [uniformMap(rand, 101), tiedMap(rand, 101, 3), new Float64Array(101).fill(2)]) {
      for (const k of [1, 7, 0.1, 0.5, 101]) {
        expect(topKOverlap(a, Float64Array.from(a), k).intersection).toBe(1);
        expect(topKOverlap(a, Float64Array.from(a), k).iou).toBe(1);
      }
    }
  });

  it('equals the plain set intersection when there are no ties', () => {
    const rand = mulberry32(13);
    for (let trial = 0; trial < 20; trial++) {
      const a = uniformMap(rand, 200);
      const b = a.map((v) => v + 0.3 * rand());
      const k = 1 + Math.floor(rand() * 199);
      expect(topKOverlap(a, b, k).overlap).toBe(setIntersection(a, b, k));
    }
  });

  it('is symmetric bit for bit and invariant to strictly increasing transforms', () => {
    const rand = mulberry32(14);
    for (let trial = 0; trial < 20; trial++) {
      const a = tiedMap(rand, 150, 4 + trial);
      const b = tiedMap(rand, 150, 3 + trial);
      const r = topKOverlap(a, b, 0.1);
      expect(topKOverlap(b, a, 0.1)).toEqual(r);
      expect(topKOverlap(a.map((v) => Math.exp(v)), b.map((v) => 2 * v + 1), 0.1)).toEqual(r);
    }
  });

  it('reads k as a count (integer ≥ 1) or a fraction (0 < k < 1), rounding the fraction', () => {
    expect(resolveTopK(5, 10)).toBe(5);
    expect(resolveTopK(1, 10)).toBe(1);
    // 0.1·50 is 5.000000000000001 in float64: rounding gives 5 where a ceiling would give 6.
    expect(resolveTopK(0.1, 50)).toBe(5);
    expect(resolveTopK(0.05, 224 * 224)).toBe(2509);
    expect(resolveTopK(0.01, 20)).toBe(1);
  });

  it('rejects a bad k, length mismatch, NaN and n < 2 with PARAM_INVALID', () => {
    for (const k of [0, -1, 1.5, Number.NaN]) {
      expectParamInvalid(() => topKOverlap([1, 2, 3], [3, 2, 1], k), /topk: `k` must be an integer count ≥ 1 or a fraction in \(0, 1\)/);
    }
    expectParamInvalid(() => topKOverlap([1, 2, 3], [3, 2, 1], 4), /topk: `k` = 4 exceeds the number of cells, 3/);
    expectParamInvalid(() => topKOverlap([1, 2, 3], [3, 2], 1), /topk: `a` has length 3 but `b` has length 2/);
    expectParamInvalid(() => topKOverlap([1, Number.NaN], [3, 2], 1), /topk: `a` must hold finite numbers, got NaN at index 1/);
    expectParamInvalid(() => topKOverlap([1], [3], 1), /topk: needs at least 2 values per map, got 1/);
  });

  it('is registered with k defaulting to 10 % and an optional IoU', () => {
    const a = Array.from({ length: 20 }, (_, i) => i);
    const b = a.map((v, i) => (i === 19 ? -1 : v));
    // k = 2: a's top = {19, 18}, b's top = {18, 17}: overlap 1 → intersection 1/2, IoU 1/3.
    expect(topKStatistic.compute(a, b)).toEqual({ value: 0.5 });
    expect(topKStatistic.compute(a, b, { k: 2, overlap: 'iou' }).value).toBeCloseTo(1 / 3, 15);
    expectParamInvalid(() => topKStatistic.compute(a, b, { overlap: 'dice' as 'iou' }), /`overlap` must be 'intersection' or 'iou'/);
  });
});
