import { describe, expect, it } from 'vitest';
import { createRng } from '../../../shared/random';

describe('createRng (shared/random.ts): the seeded draws every statistics test relies on', () => {
  it('is deterministic per seed and differs between nearby seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const first = Array.from({ length: 8 }, () => a.uint32());
    expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(first);
    expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(first);
  });

  it('draws uniforms strictly inside (0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(1);
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      expect(u > 0 && u < 1).toBe(true);
      sum += u;
      squares += u * u;
    }
    // 5 standard errors: s.e. of the mean ≈ 0.29/√n = 6.5e-4, of E[u²] ≈ 0.30/√n = 6.7e-4.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(squares / n - 1 / 3)).toBeLessThan(3.4e-3);
  });

  it('draws standard normals with mean 0, variance 1 and Gaussian tail mass', () => {
    const rng = createRng(2);
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      squares += x * x;
      if (Math.abs(x) > 2) beyond2++;
    }
    // 5 standard errors: mean s.e. = 1/√n ≈ 2.2e-3; variance s.e. = √(2/n) ≈ 3.2e-3;
    // P(|X| > 2) = 0.0455 with s.e. ≈ 4.7e-4.
    expect(Math.abs(sum / n)).toBeLessThan(1.2e-2);
    expect(Math.abs(squares / n - 1)).toBeLessThan(1.6e-2);
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(2.4e-3);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(NaN)).toThrow(/`seed` must be a finite number/);
  });
});
