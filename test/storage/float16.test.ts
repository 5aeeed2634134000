import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, FLOAT16_MAX, fromFloat16Bits, toFloat16Bits } from '../../main/storage/float16';
import { createRng } from '../../shared/random';

describe('float16 conversion (IEEE binary16, round to nearest even)', () => {
  it('encodes known bit patterns exactly', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -24 * 1023, 0x03ff], // largest subnormal
      [Infinity, 0x7c00], [-Infinity, 0xfc00]
    ];
    for (const [v, bits] of cases) {
      expect(toFloat16Bits(v), `${v}`).toBe(bits);
      expect(Object.is(fromFloat16Bits(bits), v), `${bits.toString(16)}`).toBe(true);
    }
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
  });

  it('rounds ties to even', () => {
    const ulp = 2 ** -10; // spacing of float16 in [1, 2)
    expect(fromFloat16Bits(toFloat16Bits(1 + ulp / 2))).toBe(1); // tie, 1 is even
    expect(fromFloat16Bits(toFloat16Bits(1 + 1.5 * ulp))).toBe(1 + 2 * ulp); // tie, 1+2ulp is even
    expect(fromFloat16Bits(toFloat16Bits(1 + 0.5001 * ulp))).toBe(1 + ulp); // above the tie
    expect(fromFloat16Bits(toFloat16Bits(2 ** -25))).toBe(0); // tie between 0 and 2^-24
    expect(fromFloat16Bits(toFloat16Bits(1.5 * 2 ** -24))).toBe(2 * 2 ** -24);
  });

  it('round trip: relative error ≤ 2^-11 for normal values, absolute ≤ 2^-25 for subnormals (10,000 random values)', () => {
    const rng = createRng(7);
    const rand = () => rng.uniform();
    let worstRel = 0;
    let worstAbs = 0;
    for (let i = 0; i < 10_000; i++) {
      const normal = (rand() < 0.5 ? -1 : 1) * 2 ** (-14 + rand() * 29.99); // [2^-14, ~65000]
      const f32 = Math.fround(normal);
      const back = fromFloat16Bits(toFloat16Bits(f32));
      worstRel = Math.max(worstRel, Math.abs(back - f32) / Math.abs(f32));
      const sub = Math.fround((rand() - 0.5) * 2 * 2 ** -14);
      worstAbs = Math.max(worstAbs, Math.abs(fromFloat16Bits(toFloat16Bits(sub)) - sub));
    }
    expect(worstRel).toBeLessThanOrEqual(2 ** -11);
    expect(worstRel).toBeGreaterThan(2 ** -12); // the bound is nearly reached, so the test can fail
    expect(worstAbs).toBeLessThanOrEqual(2 ** -25);
  });

  it('every float16 value survives decode → encode unchanged', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromFloat16Bits(h);
      if (Number.isNaN(v)) continue;
      expect(toFloat16Bits(v)).toBe(h);
    }
  });

  it('refuses finite values beyond ±65504 instead of storing infinity', () => {
    expect(() => toFloat16Bits(65520)).toThrow(RangeError); // rounds up past the max
    expect(toFloat16Bits(65519)).toBe(0x7bff); // rounds down to the max
    expect(() => toFloat16Bits(-1e6)).toThrow(/float16 range/);
    expect(() => encodeFloat16(new Float32Array([1, 2, 7e4]))).toThrow(/value 2/);
    expect(FLOAT16_MAX).toBe(65504);
  });

  it('array encode/decode matches the scalar functions', () => {
    const values = new Float32Array([0.1, -3.3, 1000.5, 1e-6]);
    const decoded = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => expect(decoded[i]).toBe(fromFloat16Bits(toFloat16Bits(v))));
  });
});
