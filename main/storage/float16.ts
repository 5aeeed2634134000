/**
 * IEEE 754 binary16 conversion for artifacts stored as float16.
 *
 * float32 → float16 rounds to nearest, ties to even (as numpy and hardware do). The loss:
 * for |x| in the normal range [2^-14, 65504] the relative error is at most 2^-11 (half a unit in
 * the 10-bit mantissa); below 2^-14 (subnormals) the absolute error is at most 2^-25; values that
 * round past 65504 have no float16 form and are refused by the caller (RangeError here), never
 * turned into ±Infinity silently. NaN stays NaN, ±Infinity stays ±Infinity, −0 stays −0.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Largest finite float16. */
export const FLOAT16_MAX = 65504;

/** float16 bits of `value`, rounded to nearest even; throws RangeError when a finite value overflows. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) throw new RangeError(`${value} is outside the float16 range (±${FLOAT16_MAX})`);
  if (e <= 0) {
    if (e < -10) return sign; // below 2^-25: rounds to (signed) zero
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half; // a carry lands in the exponent field, which is the right number
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  if ((h & 0x7c00) === 0x7c00) throw new RangeError(`${value} is outside the float16 range (±${FLOAT16_MAX})`);
  return h;
}

/** The number a float16 bit pattern stands for. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  u32[0] = ((h & 0x8000) << 16) | ((exp + 112) << 23) | (mant << 13);
  return f32[0];
}

/** Encodes a float32 array as float16 bits; the index of the first overflowing value is in the error. */
export function encodeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    try {
      out[i] = toFloat16Bits(values[i]);
    } catch (err) {
      throw new RangeError(`value ${i}: ${(err as Error).message}`);
    }
  }
  return out;
}

export function decodeFloat16(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = fromFloat16Bits(bits[i]);
  return out;
}
