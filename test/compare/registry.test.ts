import { describe, expect, it } from 'vitest';
import { COMPARISON_STATISTICS, getStatistic, isStatisticId, resolveStatistic } from '../../main/engine/compare/index';
import { expectParamInvalid } from './expect-error';
import { mulberry32, tiedMap, uniformMap } from './prng';

const IDS = ['spearman', 'kendall', 'ssim', 'pearson', 'cosine', 'topk'];
/** 8 × 8 maps in [0, 1]; SSIM needs the range, the others ignore it. */
const OPTS = { dataRange: 1, height: 8, width: 8 };

describe('comparison registry (algorithms.md §5.10)', () => {
  it('lists exactly the six statistics, each with its metadata', () => {
    expect(COMPARISON_STATISTICS.map((s) => s.id)).toEqual(IDS);
    for (const s of COMPARISON_STATISTICS) {
      expect(s.label.length).toBeGreaterThan(0);
      expect(s.reference).toMatch(/§5\.10/);
      expect(s.range[0]).toBeLessThan(s.range[1]);
      expect(s.higherIsMoreSimilar).toBe(true);
      expect(getStatistic(s.id)).toBe(s);
      expect(isStatisticId(s.id)).toBe(true);
    }
    expect(isStatisticId('mse')).toBe(false);
  });

  it('gives 1 for a map against itself, is symmetric bit for bit and stays in range', () => {
    const rand = mulberry32(21);
    for (const s of COMPARISON_STATISTICS) {
      for (let trial = 0; trial < 10; trial++) {
        const a = trial % 2 ? uniformMap(rand, 64) : tiedMap(rand, 64, 5).map((v) => v / 4);
        const b = uniformMap(rand, 64);
        expect(s.compute(a, a, OPTS).value).toBe(1);
        const ab = s.compute(a, b, OPTS).value;
        expect(s.compute(b, a, OPTS).value).toBe(ab);
        expect(ab).toBeGreaterThanOrEqual(s.range[0]);
        expect(ab).toBeLessThanOrEqual(s.range[1]);
      }
    }
  });

  it('names both lengths on a mismatch, the argument and index on NaN, and refuses n < 2', () => {
    for (const s of COMPARISON_STATISTICS) {
      expectParamInvalid(() => s.compute(new Float64Array(64), new Float64Array(49), OPTS), new RegExp(`^${s.id}: \`a\` has length 64 but \`b\` has length 49`));
      const bad = new Float64Array(64);
      bad[3] = Number.NaN;
      expectParamInvalid(() => s.compute(new Float64Array(64), bad, OPTS), new RegExp(`^${s.id}: \`b\` must hold finite numbers, got NaN at index 3`));
      expectParamInvalid(() => s.compute([1], [1], { ...OPTS, height: 1, width: 1 }), new RegExp(`^${s.id}: needs at least 2 values per map, got 1`));
    }
  });

  it('documents constant maps: correlations undefined with a reason; SSIM, top-k and cosine defined', () => {
    const flat = new Float64Array(64).fill(0.5);
    const ramp = Float64Array.from({ length: 64 }, (_, i) => i / 63);
    const outcome = Object.fromEntries(COMPARISON_STATISTICS.map((s) => [s.id, s.compute(flat, ramp, OPTS)]));
    for (const id of ['spearman', 'kendall', 'pearson']) {
      expect(outcome[id].value).toBeNaN();
      expect(outcome[id].reason).toMatch(new RegExp(`^${id}: \`a\` is constant`));
    }
    for (const id of ['ssim', 'cosine', 'topk']) {
      expect(Number.isFinite(outcome[id].value)).toBe(true);
      expect(outcome[id].reason).toBeUndefined();
    }
    // Two equal constant maps: SSIM = 1 (§5.10), top-k = 1 (identical), cosine = 1 (parallel).
    for (const id of ['ssim', 'cosine', 'topk']) expect(getStatistic(id).compute(flat, flat, OPTS).value).toBe(1);
  });

  it('resolves specs: bare ids and topk with a count or a fraction', () => {
    expect(resolveStatistic('ssim', { dataRange: 255 })).toEqual({ statistic: getStatistic('ssim'), options: { dataRange: 255 } });
    expect(resolveStatistic('topk:0.1').options).toEqual({ k: 0.1 });
    expect(resolveStatistic('topk:.05').options).toEqual({ k: 0.05 });
    expect(resolveStatistic('topk:25', { k: 3 }).options).toEqual({ k: 25 });
  });

  it('rejects unknown ids and malformed specs with PARAM_INVALID', () => {
    expectParamInvalid(() => getStatistic('mse'), /unknown statistic `mse`; known: spearman, kendall, ssim, pearson, cosine, topk/);
    expectParamInvalid(() => resolveStatistic('ssim:3'), /only `topk` takes an argument/);
    expectParamInvalid(() => resolveStatistic('topk:abc'), /must be a count like 25 or a fraction like 0.1/);
    expectParamInvalid(() => resolveStatistic('topk:'), /must be a count like 25 or a fraction like 0.1/);
    expectParamInvalid(() => resolveStatistic('topk:1.0'), /must lie in \(0, 1\)/);
    expectParamInvalid(() => resolveStatistic('topk:0'), /must be at least 1/);
  });
});
