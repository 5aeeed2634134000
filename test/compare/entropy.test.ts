import { describe, expect, it } from 'vitest';
import { quantize8bit, salienceEntropy, shannonEntropy8 } from '../../main/engine/compare/entropy';
import { expectParamInvalid } from './expect-error';

/** algorithms.md §3.3: a 7×7 Grad-CAM from the authors' repository, 8-bit, row-major. */
const TEST_VECTOR = [
  4, 1, 0, 0, 0, 0, 8,
  4, 4, 0, 0, 0, 0, 0,
  0, 16, 52, 32, 0, 0, 0,
  0, 65, 192, 255, 147, 5, 0,
  0, 42, 121, 112, 69, 1, 0,
  0, 20, 90, 89, 53, 0, 0,
  2, 4, 0, 0, 0, 0, 0
];

describe('salience entropy (algorithms.md §3.3, §3.11)', () => {
  it('reproduces the §3.3 test vector: 21 distinct values, H = 3.04131 bits, Ĥ = 0.542', () => {
    const r = salienceEntropy(TEST_VECTOR);
    expect(r.distinct).toBe(21);
    expect(r.entropy.toFixed(5)).toBe('3.04131');
    expect(r.normalized.toFixed(3)).toBe('0.542');
    // Counts: 0 ×25, 4 ×4, 1 ×2, eighteen values once. H = −Σ p log₂ p; numpy gives
    // 3.0413138289240225 for the same histogram.
    expect(Math.abs(r.entropy - 3.0413138289240225)).toBeLessThan(1e-14);
    expect(r.maxEntropy).toBeCloseTo(Math.log2(49), 15);
  });

  it("matches the authors' constant divisor 5.614 when asked for it", () => {
    const r = salienceEntropy(TEST_VECTOR, { maxEntropy: 5.614 });
    expect(r.normalized.toFixed(3)).toBe('0.542');
    expect(r.normalized).toBeCloseTo(3.0413138289240225 / 5.614, 14);
  });

  it('leaves an 8-bit map with min 0 and max 255 unchanged when quantising', () => {
    expect(Array.from(quantize8bit(TEST_VECTOR))).toEqual(TEST_VECTOR);
    const ramp = Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(quantize8bit(ramp))).toEqual(ramp);
  });

  it('gives H = 0 for a constant map, whatever the constant', () => {
    for (const v of [0, 0.1, 7, -3.5]) {
      const r = salienceEntropy(new Float64Array(49).fill(v));
      expect(r.entropy).toBe(0);
      expect(r.normalized).toBe(0);
      expect(r.distinct).toBe(1);
    }
  });

  it('gives Ĥ = 1 for a 7×7 map with 49 distinct values', () => {
    const r = salienceEntropy(Array.from({ length: 49 }, (_, i) => i * 0.37 - 2));
    expect(r.distinct).toBe(49);
    expect(r.normalized).toBeCloseTo(1, 14);
  });

  it('gives H = 1 bit for an 8×8 map of 32 cells at one value and 32 at another', () => {
    const map = Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 0.2 : 0.9));
    const r = salienceEntropy(map);
    expect(r.entropy).toBe(1);
    expect(r.maxEntropy).toBe(6);
    expect(r.normalized).toBeCloseTo(1 / 6, 15);
  });

  it('normalises by log₂(min(m·n, 256)) (§7 row 12)', () => {
    expect(salienceEntropy(new Float64Array(100)).maxEntropy).toBeCloseTo(Math.log2(100), 15);
    expect(salienceEntropy(new Float64Array(224 * 224)).maxEntropy).toBe(8);
  });

  it('depends only on which cells share a value: a positive affine rescaling changes nothing', () => {
    const base = salienceEntropy(TEST_VECTOR);
    for (const [scale, shift] of [[4, 10], [0.013, 4], [1 / 255, 0], [3.7, -1.1]]) {
      // Without the 1e-9 level snap, 0.013·v + 4 would put the 1s just under level 1 and merge them with the 0s.
      const rescaled = TEST_VECTOR.map((v) => scale * v + shift);
      expect(Array.from(quantize8bit(rescaled))).toEqual(TEST_VECTOR);
      expect(salienceEntropy(rescaled).entropy).toBe(base.entropy);
    }
  });

  it('histograms over the values present, not fixed bins', () => {
    // Three cells of value 3 and one of 200: p = (3/4, 1/4), H = 0.75·log₂(4/3) + 0.25·2.
    const h = shannonEntropy8(Uint8Array.from([3, 3, 200, 3])).entropy;
    expect(h).toBeCloseTo(0.75 * Math.log2(4 / 3) + 0.5, 15);
  });

  it('rejects NaN, fewer than 2 cells and a bad divisor with PARAM_INVALID', () => {
    expectParamInvalid(() => salienceEntropy([1, Number.NaN, 3, 4]), /entropy: `map` must hold finite numbers, got NaN at index 1/);
    expectParamInvalid(() => salienceEntropy([5]), /entropy: needs at least 2 cells, got 1/);
    expectParamInvalid(() => salienceEntropy([1, 2], { maxEntropy: 0 }), /`maxEntropy` must be a finite number > 0/);
  });
});
