import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/ipc/codec';
import { AppError, isAppErrorData, isCancellation } from '../../shared/errors';

describe('codec', () => {
  it('round-trips typed arrays of every kind inside plain objects', () => {
    const value = {
      f32: new Float32Array([1.5, -2.25, Math.PI]),
      f64: new Float64Array([1e-300, -0]),
      i32: new Int32Array([-7, 2 ** 31 - 1]),
      u8c: new Uint8ClampedArray([0, 255, 128]),
      nested: [{ u16: new Uint16Array([65535]) }],
      text: 'x'
    };
    const back = decode(encode(value)) as typeof value;
    expect(back.f32).toBeInstanceOf(Float32Array);
    expect(Array.from(back.f32)).toEqual(Array.from(value.f32));
    expect(Array.from(back.f64)).toEqual([1e-300, -0]);
    expect(Array.from(back.i32)).toEqual([-7, 2 ** 31 - 1]);
    expect(back.u8c).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(back.nested[0].u16)).toEqual([65535]);
    expect(back.text).toBe('x');
  });

  it('encodes a view on a larger buffer without its neighbours', () => {
    const big = new Float32Array([1, 2, 3, 4, 5]);
    const back = decode(encode({ v: big.subarray(1, 3) })) as { v: Float32Array };
    expect(Array.from(back.v)).toEqual([2, 3]);
  });

  it('round-trips a large array (over the 32k chunk used for base64)', () => {
    const a = Float32Array.from({ length: 100_000 }, (_, i) => i * 0.5);
    const back = decode(encode(a)) as Float32Array;
    expect(back.length).toBe(a.length);
    expect(back[99_999]).toBe(99_999 * 0.5);
  });
});

describe('AppError', () => {
  it('survives serialisation with code, message, hint and detail', () => {
    const e = new AppError('SHAPE_MISMATCH', 'input is 32×32, model wants 28×28', { detail: 'x' });
    const data = JSON.parse(JSON.stringify(e));
    expect(isAppErrorData(data)).toBe(true);
    const back = AppError.fromData(data);
    expect(back.code).toBe('SHAPE_MISMATCH');
    expect(back.message).toBe('input is 32×32, model wants 28×28');
    expect(back.hint).toMatch(/input shape/);
    expect(back.detail).toBe('x');
  });

  it('maps ENOSPC to DISK_FULL and unknown errors to INTERNAL with the stack', () => {
    const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    expect(AppError.from(enospc).code).toBe('DISK_FULL');
    const bug = AppError.from(new TypeError('x is undefined'));
    expect(bug.code).toBe('INTERNAL');
    expect(bug.detail).toContain('TypeError');
  });

  it('treats CANCELLED and AbortError as cancellations, nothing else', () => {
    expect(isCancellation(new AppError('CANCELLED', 'c'))).toBe(true);
    expect(isCancellation(Object.assign(new Error('a'), { name: 'AbortError' }))).toBe(true);
    expect(isCancellation(new AppError('ENGINE_CRASHED', 'c'))).toBe(false);
  });
});
