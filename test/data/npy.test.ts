import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { decodeNpyData, parseNpy, parseNpyHeader, serializeNpy } from '../../shared/npy';

/** Fixtures written by numpy 2.4 (test/data/fixtures/make-npy-fixtures.py). */
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'npy');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES, name)));

function expectNpyError(bytes: Uint8Array, pattern: RegExp): void {
  try {
    parseNpy(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NPY_INVALID');
    expect((err as AppError).message).toMatch(pattern);
    return;
  }
  throw new Error('parseNpy did not throw');
}

describe('parseNpy on numpy-written files', () => {
  it('reads float32 with a v1 header', () => {
    const bytes = load('f4-v1.npy');
    expect(parseNpyHeader(bytes).version).toBe(1);
    const a = parseNpy(bytes);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3, 4]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 24 }, (_, i) => i * 0.5 - 3));
  });

  it('reads float64 with a v2 header and float32 with a v3 header', () => {
    const f8 = load('f8-v2.npy');
    expect(parseNpyHeader(f8).version).toBe(2);
    const a = parseNpy(f8);
    expect(a.data).toBeInstanceOf(Float64Array);
    expect(a.shape).toEqual([5]);
    // float64 is exact: numpy computed the same IEEE division.
    expect(Array.from(a.data)).toEqual([0, 1 / 3, 2 / 3, 1, 4 / 3]);
    const f4 = load('f4-v3.npy');
    expect(parseNpyHeader(f4).version).toBe(3);
    expect(Array.from(parseNpy(f4).data)).toEqual(Array.from(new Float32Array([1.5, -2.25, 1e-8])));
  });

  it('reads int64 into a checked Int32Array and rejects values beyond int32', () => {
    const a = parseNpy(load('i8.npy'));
    expect(a.dtype).toBe('int64');
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(Array.from(a.data)).toEqual([0, 7, -3, 2147483647]);
    expectNpyError(load('i8-big.npy'), /1099511627776 .* does not fit in int32/);
  });

  it('reads int32, uint8, uint16, int16, bool and a scalar', () => {
    const i4 = parseNpy(load('i4.npy'));
    expect([i4.shape, Array.from(i4.data)]).toEqual([[2, 2], [1, -2, 3, -4]]);
    const u1 = parseNpy(load('u1.npy'));
    expect(u1.data).toBeInstanceOf(Uint8Array);
    expect([u1.shape, Array.from(u1.data)]).toEqual([[2, 2, 2], [0, 37, 74, 111, 148, 185, 222, 3]]);
    expect(Array.from(parseNpy(load('u2.npy')).data)).toEqual([0, 65535, 1234]);
    expect(Array.from(parseNpy(load('i2.npy')).data)).toEqual([-32768, 32767, -5]);
    const b1 = parseNpy(load('b1.npy'));
    expect([b1.dtype, Array.from(b1.data)]).toEqual(['bool', [1, 0, 0, 1, 1]]);
    const scalar = parseNpy(load('f8-scalar.npy'));
    expect([scalar.shape, Array.from(scalar.data)]).toEqual([[], [2.5]]);
  });

  it('rejects Fortran order, big-endian and complex arrays with NPY_INVALID', () => {
    expectNpyError(load('f4-fortran.npy'), /Fortran/);
    expectNpyError(load('f4-big-endian.npy'), /big-endian \(>f4\)/);
    expectNpyError(load('c8.npy'), /dtype <c8 is not supported/);
  });

  it('rejects non-npy bytes and truncated data', () => {
    expectNpyError(new TextEncoder().encode('path,label\na.png,cat\n'), /not a \.npy file/);
    const full = load('f4-v1.npy');
    expectNpyError(full.subarray(0, full.length - 4), /truncated: 24 float32 values need 96 bytes, 92/);
    expectNpyError(full.subarray(0, 40), /truncated inside its header/);
  });
});

describe('decodeNpyData on a Node Buffer view', () => {
  it('reads from the view offset, not from the start of the shared pool', () => {
    // Buffer.from(string) allocates from Node's shared pool: the bytes start at a non-zero offset.
    const padding = Buffer.from('xyz');
    const values = new Float32Array([1.5, -2, 3.25]);
    const pooled = Buffer.concat([padding, Buffer.from(values.buffer)]).subarray(padding.length);
    expect(pooled.byteOffset).toBeGreaterThan(0);
    expect(Array.from(decodeNpyData(pooled, 'float32', 3))).toEqual([1.5, -2, 3.25]);
  });
});

describe('serializeNpy', () => {
  it('round-trips every writable type and shape', () => {
    const cases: Array<[Float32Array | Float64Array | Int32Array | Uint8Array, number[]]> = [
      [new Float32Array([1.5, -2, 3.25, 0, 1e-20, -7]), [2, 3]],
      [new Float64Array([Math.PI, -Math.E]), [2]],
      [new Int32Array([-2147483648, 2147483647, 0, 5]), [1, 2, 2, 1]],
      [new Uint8Array([0, 255, 128]), [3]],
      [new Float32Array([42]), []],
      [new Float32Array(0), [0, 3]]
    ];
    for (const [data, shape] of cases) {
      const bytes = serializeNpy(data, shape);
      const header = parseNpyHeader(bytes);
      expect(header.dataOffset % 64).toBe(0);
      expect(header.version).toBe(1);
      const back = parseNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('writes the same header bytes as numpy.save for the same array', () => {
    // f4-v1.npy holds float32 (2,3,4); numpy's v1 header for it is the reference.
    const numpyBytes = load('f4-v1.npy');
    const ours = serializeNpy(parseNpy(numpyBytes).data as Float32Array, [2, 3, 4]);
    expect(Array.from(ours)).toEqual(Array.from(numpyBytes));
  });

  it('writes a subarray view from its own offset and rejects a wrong shape', () => {
    const base = new Float32Array([9, 1, 2, 3, 9]);
    expect(Array.from(parseNpy(serializeNpy(base.subarray(1, 4), [3])).data)).toEqual([1, 2, 3]);
    expect(() => serializeNpy(new Float32Array(6), [4, 2])).toThrow(/Shape \(4, 2\) does not hold the 6 values/);
  });
});
