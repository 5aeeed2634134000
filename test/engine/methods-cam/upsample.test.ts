import type { Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { interpolationMatrix, keysWeight, resizeMaps, sourceCoordinate } from '../../../main/engine/saliency/upsample';
import { useBackend } from '../../support/each-backend';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';

/** Direct Keys (a = −0.5) bicubic with half-pixel centres and edge clamping, written out per pixel in float64. */
function bicubicDirect(map: number[][], outH: number, outW: number): number[][] {
  const h = map.length;
  const w = map[0].length;
  const at = (i: number, j: number): number => map[Math.min(h - 1, Math.max(0, i))][Math.min(w - 1, Math.max(0, j))];
  const keys = (d: number): number => {
    const x = Math.abs(d);
    if (x <= 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
    return x < 2 ? -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2 : 0;
  };
  return Array.from({ length: outH }, (_, y) => Array.from({ length: outW }, (_, x) => {
    const u = ((y + 0.5) * h) / outH - 0.5;
    const v = ((x + 0.5) * w) / outW - 0.5;
    let sum = 0;
    for (let i = Math.floor(u) - 1; i <= Math.floor(u) + 2; i++) for (let j = Math.floor(v) - 1; j <= Math.floor(v) + 2; j++) sum += keys(u - i) * keys(v - j) * at(i, j);
    return sum;
  }));
}

describe('map upsampling (half-pixel centres, edge clamping)', () => {
  const backend = useBackend();

  it('the Keys kernel (a = −0.5): W(0) = 1, W(±1) = W(±2) = 0, partition of unity at any phase', () => {
    expect(keysWeight(0)).toBe(1);
    for (const d of [1, -1, 2, -2, 2.5]) expect(keysWeight(d)).toBe(0);
    for (const t of [0, 0.1, 0.25, 0.5, 0.9]) expect(keysWeight(t + 1) + keysWeight(t) + keysWeight(t - 1) + keysWeight(t - 2)).toBeCloseTo(1, 14);
    expect(sourceCoordinate(0, 4, 8)).toBe(-0.25);
    expect(sourceCoordinate(7, 4, 8)).toBe(3.25);
  });

  it('every interpolation matrix row sums to 1 (constant maps stay constant)', () => {
    for (const kernel of ['bilinear', 'bicubic'] as const) {
      for (const [n, m] of [[4, 10], [7, 224], [5, 3], [1, 6]]) {
        const r = interpolationMatrix(n, m, kernel);
        for (let i = 0; i < m; i++) expect(r.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }
    }
  });

  it('bilinear equals tf.image.resizeBilinear with halfPixelCenters (up and down, several sizes; atol 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      for (const [h, w, outH, outW] of [[4, 4, 10, 10], [7, 5, 32, 17], [6, 6, 4, 3], [1, 3, 5, 8]]) {
        const maps = tf.randomUniform([3, h, w], -1, 2, 'float32', h * 100 + w) as Tensor3D;
        const [ours, ref] = tf.tidy(() => [
          resizeMaps(tf, maps, outH, outW, 'bilinear'),
          tf.squeeze(tf.image.resizeBilinear(tf.expandDims(maps, 3) as Tensor4D, [outH, outW], false, true), [3])
        ]);
        expect(ours.shape).toEqual([3, outH, outW]);
        expectClose(await ours.data(), await ref.data(), { rtol: 1e-5, atol: 1e-5 });
        tf.dispose([maps, ours, ref]);
      }
    });
  });

  it('bicubic equals the direct per-pixel Keys formula with clamped taps (atol 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      for (const [h, w, outH, outW] of [[4, 4, 13, 13], [7, 5, 30, 22], [5, 6, 3, 4]]) {
        const maps = tf.randomUniform([2, h, w], 0, 1, 'float32', h * 10 + w) as Tensor3D;
        const values = maps.arraySync();
        const ours = tf.tidy(() => resizeMaps(tf, maps, outH, outW, 'bicubic'));
        const direct = values.map((m) => bicubicDirect(m, outH, outW));
        expectClose(await ours.data(), direct.flat(2), { rtol: 1e-5, atol: 1e-5 });
        tf.dispose([maps, ours]);
      }
    });
  });

  it('bicubic reproduces a quadratic exactly away from the border (Keys a = −0.5 is third-order; atol 1e-4)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const n = 8;
      const out = 32;
      const q = (u: number): number => 0.3 * u * u - u + 2;
      const maps = tf.tensor3d(Float32Array.from({ length: n * n }, (_, k) => q(Math.floor(k / n)) + q(k % n)), [1, n, n]);
      const up = tf.tidy(() => resizeMaps(tf, maps, out, out, 'bicubic'));
      const values = up.arraySync()[0];
      for (let y = 0; y < out; y++) {
        for (let x = 0; x < out; x++) {
          const u = sourceCoordinate(y, n, out);
          const v = sourceCoordinate(x, n, out);
          if (u < 1 || u >= n - 2 || v < 1 || v >= n - 2) continue; // taps would be clamped
          expect(Math.abs(values[y][x] - (q(u) + q(v))), `(${y}, ${x})`).toBeLessThan(1e-4);
        }
      }
      tf.dispose([maps, up]);
    });
  });
});
