import { describe, expect, it } from 'vitest';
import type { AppError } from '../../shared/errors';
import { compareMatrix, type MapSet } from '../../main/engine/compare/matrix';
import { spearman } from '../../main/engine/compare/spearman';
import { ssim } from '../../main/engine/compare/ssim';
import { topKOverlap } from '../../main/engine/compare/topk';
import { expectParamInvalid } from './expect-error';
import { mulberry32, uniformMap } from './prng';

/** Three "methods", four images of 7 × 7 maps each; method 1 is a noisy copy of method 0. */
function makeSets(): MapSet[] {
  const rand = mulberry32(31);
  const base = Array.from({ length: 4 }, () => uniformMap(rand, 49));
  return [
    { label: 'gradient', maps: base },
    { label: 'smoothgrad', maps: base.map((m) => m.map((v) => v + 0.1 * rand())) },
    { label: 'random', maps: base.map(() => uniformMap(rand, 49)) }
  ];
}

describe('pairwise comparison matrix', () => {
  it('keeps per-image values and averages them into a symmetric matrix', () => {
    const sets = makeSets();
    const m = compareMatrix(sets, 'spearman');
    expect(m.labels).toEqual(['gradient', 'smoothgrad', 'random']);
    expect(m.imageCount).toBe(4);
    expect(m.pairs.map((p) => [p.a, p.b])).toEqual([[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]]);
    for (const p of m.pairs) {
      const want = sets[p.a].maps.map((map, t) => spearman(map, sets[p.b].maps[t]));
      expect(Array.from(p.values)).toEqual(want);
      expect(p.mean).toBeCloseTo(want.reduce((s, v) => s + v, 0) / 4, 15);
      expect(m.mean[p.a][p.b]).toBe(p.mean);
      expect(m.mean[p.b][p.a]).toBe(p.mean);
    }
    for (let i = 0; i < 3; i++) expect(m.mean[i][i]).toBe(1);
    // The noisy copy agrees with its source far better than the random maps do.
    expect(m.mean[0][1]).toBeGreaterThan(m.mean[0][2]);
  });

  it('passes options through and honours topk specs', () => {
    const sets = makeSets();
    const s = compareMatrix(sets, 'ssim', { compare: { dataRange: 1 } });
    expect(s.pairs[1].values[2]).toBe(ssim(sets[0].maps[2], sets[1].maps[2], { dataRange: 1 }).mssim);
    const t = compareMatrix(sets, 'topk:0.1');
    expect(t.spec).toBe('topk:0.1');
    expect(t.pairs[2].values[0]).toBe(topKOverlap(sets[0].maps[0], sets[2].maps[0], 0.1).intersection);
  });

  it('averages over the images where the statistic is defined and counts the reasons', () => {
    const sets = makeSets();
    sets[2] = { label: 'flat', maps: sets[2].maps.map((m, t) => (t === 1 ? new Float64Array(49).fill(0.5) : m)) };
    const m = compareMatrix(sets, 'pearson');
    const pair = m.pairs.find((p) => p.a === 0 && p.b === 2)!;
    expect(pair.values[1]).toBeNaN();
    expect(pair.defined).toBe(3);
    expect(m.defined[2][0]).toBe(3);
    expect(pair.undefinedReasons).toEqual({ 'pearson: `b` is constant, so its variance is zero': 1 });
    const rest = [0, 2, 3].map((t) => pair.values[t]);
    expect(pair.mean).toBeCloseTo(rest.reduce((s, v) => s + v, 0) / 3, 15);
  });

  it('reports progress per pair and stops with CANCELLED when aborted', () => {
    const seen: Array<[number, number]> = [];
    compareMatrix(makeSets(), 'kendall', { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((d) => [d, 6]));
    const controller = new AbortController();
    let thrown: unknown;
    try {
      compareMatrix(makeSets(), 'kendall', { signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() });
    } catch (err) {
      thrown = err;
    }
    expect((thrown as AppError).code).toBe('CANCELLED');
  });

  it('rejects empty input, unequal image counts and an unknown statistic', () => {
    const sets = makeSets();
    expectParamInvalid(() => compareMatrix([], 'spearman'), /matrix: `sets` must be a non-empty array/);
    expectParamInvalid(() => compareMatrix([{ label: 'x', maps: [] }], 'spearman'), /`sets\[0\].maps` must hold at least one map/);
    expectParamInvalid(() => compareMatrix([sets[0], { label: 'short', maps: sets[1].maps.slice(1) }], 'spearman'), /`sets\[1\]` has 3 maps but `sets\[0\]` has 4/);
    expectParamInvalid(() => compareMatrix(sets, 'mse'), /unknown statistic `mse`/);
  });
});
