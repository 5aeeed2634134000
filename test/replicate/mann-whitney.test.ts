/** Mann-Whitney U (scripts/replicate/measures/mann-whitney.ts) against a direct pair count and closed forms. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../shared/random';
import { mannWhitney, normalCdf } from '../../scripts/replicate/measures/mann-whitney';

/** U_a by counting pairs: [a_i > b_j] + ½[a_i = b_j]. */
function slowU(a: number[], b: number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  return u;
}

describe('Mann-Whitney U', () => {
  it('U equals the direct pair count, with and without ties', () => {
    const rng = createRng(5);
    for (const ties of [false, true]) {
      const draw = () => (ties ? Math.floor(rng.uniform() * 6) : rng.normal());
      const a = Array.from({ length: 37 }, draw);
      const b = Array.from({ length: 23 }, () => draw() + 0.3);
      const r = mannWhitney(a, b);
      expect(r.uA).toBeCloseTo(slowU(a, b), 9);
      expect(r.effect).toBeCloseTo(slowU(a, b) / (37 * 23), 12);
    }
  });

  it('normal CDF and the p-value of separated samples match closed forms', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
    // a = 1..5, b = 6..10: U = 0, σ² = 25·11/12, z = (0 − 12.5 + 0.5)/σ
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    const z = -12 / Math.sqrt((25 * 11) / 12);
    expect(r.uA).toBe(0);
    expect(r.z).toBeCloseTo(z, 12);
    expect(r.p).toBeCloseTo(2 * normalCdf(z), 6);
    expect(r.p).toBeCloseTo(0.01219, 4);
  });

  it('is symmetric, gives p = 1 for identical samples, and leaves NaN out', () => {
    const a = [0.1, 0.5, 0.2, 0.9, 0.4];
    const b = [0.3, 0.8, 0.7, 0.6];
    const ab = mannWhitney(a, b);
    const ba = mannWhitney(b, a);
    expect(ab.effect + ba.effect).toBeCloseTo(1, 12);
    expect(ab.p).toBeCloseTo(ba.p, 12);
    expect(mannWhitney([1, 1, 1], [1, 1]).p).toBe(1);
    const withNaN = mannWhitney([...a, Number.NaN], b);
    expect(withNaN.leftOut).toBe(1);
    expect(withNaN.uA).toBe(ab.uA);
    expect(Number.isNaN(mannWhitney([], b).p)).toBe(true);
  });
});
