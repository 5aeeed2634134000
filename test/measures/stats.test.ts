/**
 * Bootstrap CIs (main/engine/stats) against a direct re-implementation written here, fixed
 * cases, and the nominal coverage over many seeded normal samples; out-of-set corruptions
 * (salt-and-pepper per element at the spec's amounts) against their defining frequencies.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapMeanCi, bootstrapMeanDifferenceCi, quantileSorted } from '../../main/engine/stats/bootstrap';
import { summarize } from '../../main/engine/stats/summary';
import { corrupt, DEFAULT_LEVELS, to8bit } from '../../main/engine/measures/corruptions';
import { createRng } from '../../shared/random';

/** The percentile bootstrap of the mean, written out with plain arrays. */
function slowBootstrap(values: number[], resamples: number, level: number, seed: number): [number, number] {
  const rng = createRng(seed);
  const means: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const sample = values.map(() => values[Math.floor(rng.uniform() * values.length)]);
    means.push(sample.reduce((s, v) => s + v, 0) / values.length);
  }
  means.sort((a, b) => a - b);
  const q = (p: number) => {
    const pos = p * (resamples - 1);
    const lo = Math.floor(pos);
    return means[lo] + (pos - lo) * (means[Math.min(lo + 1, resamples - 1)] - means[lo]);
  };
  return [q((1 - level) / 2), q((1 + level) / 2)];
}

describe('bootstrap CI of the mean', () => {
  it('equals the direct implementation bit for bit; same seed, same CI; another seed, another CI', () => {
    const rng = createRng(5);
    const values = Array.from({ length: 37 }, () => rng.normal() * 2 + 1);
    const ci = bootstrapMeanCi(values, { resamples: 400, level: 0.9, seed: 3 });
    expect([ci.lo, ci.hi]).toEqual(slowBootstrap(values, 400, 0.9, 3));
    expect(bootstrapMeanCi(values, { resamples: 400, level: 0.9, seed: 3 })).toEqual(ci);
    expect(bootstrapMeanCi(values, { resamples: 400, level: 0.9, seed: 4 }).lo).not.toBe(ci.lo);
    expect(ci.estimate).toBeCloseTo(values.reduce((s, v) => s + v, 0) / 37, 14);
  });

  it('fixed cases: constant sample → [c, c]; one value → that value; none → NaN; type-7 quantiles', () => {
    expect(bootstrapMeanCi([2.5, 2.5, 2.5])).toMatchObject({ estimate: 2.5, lo: 2.5, hi: 2.5 });
    expect(bootstrapMeanCi([7])).toMatchObject({ estimate: 7, lo: 7, hi: 7 });
    expect(bootstrapMeanCi([]).lo).toBeNaN();
    // numpy.quantile([1, 2, 4, 8], [0.25, 0.5, 0.9]) = 1.75, 3.0, 6.8
    expect([0.25, 0.5, 0.9].map((q) => quantileSorted([1, 2, 4, 8], q))).toEqual([1.75, 3, 6.800000000000001]);
    expect(() => bootstrapMeanCi([1, 2], { level: 1 })).toThrow(/level/);
  });

  it('covers the true mean of N(0, 1) samples (n = 40) at close to the nominal 95 % over 300 seeded data sets', () => {
    let covered = 0;
    for (let s = 0; s < 300; s++) {
      const rng = createRng(1000 + s);
      const values = Array.from({ length: 40 }, () => rng.normal());
      const ci = bootstrapMeanCi(values, { resamples: 500, seed: s });
      if (ci.lo <= 0 && 0 <= ci.hi) covered++;
    }
    // Percentile bootstrap at n = 40 covers ≈ 93–95 %; ±3.5 binomial SDs (1.3 %) of 0.94.
    expect(covered / 300).toBeGreaterThan(0.89);
    expect(covered / 300).toBeLessThan(0.985);
  });

  it('difference of means: estimate b − a; CI excludes 0 for well-separated samples and covers the shift', () => {
    const rng = createRng(9);
    const a = Array.from({ length: 60 }, () => rng.normal());
    const b = Array.from({ length: 50 }, () => rng.normal() + 1);
    const d = bootstrapMeanDifferenceCi(a, b, { seed: 2 });
    expect(d.estimate).toBeCloseTo(b.reduce((s, v) => s + v, 0) / 50 - a.reduce((s, v) => s + v, 0) / 60, 12);
    expect(d.lo).toBeGreaterThan(0);
    expect(d.lo).toBeLessThan(1);
    expect(d.hi).toBeGreaterThan(1);
  });

  it('summarize leaves NaN out and counts it; std is the sample one', () => {
    const s = summarize([1, 2, Number.NaN, 3, 6]);
    expect(s).toMatchObject({ n: 4, undefinedCount: 1, mean: 3, median: 2.5, min: 1, max: 6 });
    expect(s.std).toBeCloseTo(Math.sqrt(14 / 3), 14);
  });
});

describe('out-of-set corruptions in raw pixel space', () => {
  const n = 60_000;
  const raw = Float32Array.from({ length: n }, (_, i) => 40.6 + (i % 170));

  it('salt-and-pepper replaces each element with probability `amount`, salt : pepper = 1 : 1, the rest truncated to 8 bits', () => {
    for (const amount of DEFAULT_LEVELS['salt-pepper']) {
      const out = corrupt(raw, 200, 100, 3, 'salt-pepper', amount, createRng(11));
      let salt = 0;
      let pepper = 0;
      let kept = 0;
      out.forEach((v, i) => {
        if (v === to8bit(raw[i])) kept++;
        else if (v === 255) salt++;
        else if (v === 0) pepper++;
        else expect.fail(`element ${i}: ${v} is neither kept, salt nor pepper`);
      });
      const replaced = salt + pepper;
      // Binomial bounds: 5 SDs of n·amount(1 − amount), plus elements replaced by their own value (none here: raw ∉ {0, 255}).
      const sd = Math.sqrt(n * amount * (1 - amount));
      expect(Math.abs(replaced - n * amount)).toBeLessThanOrEqual(5 * sd + 1e-9);
      if (replaced > 1000) expect(Math.abs(salt - pepper)).toBeLessThanOrEqual(5 * Math.sqrt(replaced / 4) * 2);
      expect(kept + replaced).toBe(n);
    }
  });

  it('level 0 of every corruption only truncates; amount 1 leaves no original value; gaussian and blur stay in 0…255 integers', () => {
    for (const kind of ['salt-pepper', 'gaussian', 'blur'] as const) {
      expect(Array.from(corrupt(raw, 200, 100, 3, kind, 0, createRng(1)))).toEqual(Array.from(raw, to8bit));
    }
    expect(corrupt(raw, 200, 100, 3, 'salt-pepper', 1, createRng(1)).every((v) => v === 0 || v === 255)).toBe(true);
    for (const [kind, level] of [['gaussian', 0.2], ['blur', 2]] as const) {
      const out = corrupt(raw, 200, 100, 3, kind, level, createRng(2));
      expect(out.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      expect(Array.from(out)).not.toEqual(Array.from(raw, to8bit));
    }
  });
});
