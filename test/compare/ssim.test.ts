import { describe, expect, it } from 'vitest';
import { ssim, ssimStatistic } from '../../main/engine/compare/ssim';
import { expectParamInvalid } from './expect-error';
import { byteMap, mulberry32, uniformMap } from './prng';

/**
 * Slow reference written straight from the definition (algorithms.md §5.10): for each fully
 * inside window, two-pass means, sample variances and covariance over its N cells, then the
 * SSIM formula; the result is the mean over windows (= the border-cropped map).
 */
function referenceSsim(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number, R: number, win = 7) {
  const c1 = (0.01 * R) ** 2;
  const c2 = (0.03 * R) ** 2;
  const map: number[] = [];
  for (let y0 = 0; y0 + win <= h; y0++) {
    for (let x0 = 0; x0 + win <= w; x0++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let dy = 0; dy < win; dy++) {
        for (let dx = 0; dx < win; dx++) {
          xs.push(a[(y0 + dy) * w + x0 + dx]);
          ys.push(b[(y0 + dy) * w + x0 + dx]);
        }
      }
      const n = xs.length;
      const mx = xs.reduce((s, v) => s + v, 0) / n;
      const my = ys.reduce((s, v) => s + v, 0) / n;
      let vx = 0;
      let vy = 0;
      let cxy = 0;
      for (let i = 0; i < n; i++) {
        vx += (xs[i] - mx) ** 2;
        vy += (ys[i] - my) ** 2;
        cxy += (xs[i] - mx) * (ys[i] - my);
      }
      vx /= n - 1;
      vy /= n - 1;
      cxy /= n - 1;
      map.push(((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2)));
    }
  }
  return { mssim: map.reduce((s, v) => s + v, 0) / map.length, map };
}

describe('SSIM with scikit-image defaults (algorithms.md §5.10, §3.11)', () => {
  const ramp = Array.from({ length: 49 }, (_, i) => i);

  it('matches a hand-computed single 7×7 window: b = 48 − a', () => {
    // a = 0 … 48 row-major, b = 48 − a, R = 255. μa = μb = 24, so the luminance term is 1.
    // Sample variance of 0 … 48: Σ(i − 24)²/48 = 2·(24·25·49/6)/48 = 1225/6 = V; σab = −V.
    // C2 = (0.03·255)² = 58.5225. SSIM = (C2 − 2V)/(C2 + 2V) = −419773/560227 ≈ −0.74929091243371.
    const b = ramp.map((v) => 48 - v);
    const r = ssim(ramp, b, { dataRange: 255 });
    expect(r.map.length).toBe(1);
    expect(r.mssim).toBeCloseTo(-419773 / 560227, 14);
  });

  it('matches a hand-computed single 7×7 window: b = 2a', () => {
    // μa = 24, μb = 48; σa² = V, σb² = 4V, σab = 2V, V = 1225/6; C1 = 2.55² = 6.5025.
    // SSIM = (2·24·48 + C1)(4V + C2) / ((24² + 48² + C1)(5V + C2)) = 3718853807/5729771607.
    const r = ssim(ramp, ramp.map((v) => 2 * v), { dataRange: 255 });
    expect(r.mssim).toBeCloseTo(3718853807 / 5729771607, 14);
  });

  it('gives exactly 1 for identical maps and for two constant maps of equal value', () => {
    const rand = mulberry32(7);
    const a = uniformMap(rand, 12 * 9);
    expect(ssim(a, a, { height: 12, width: 9, dataRange: 1 }).mssim).toBe(1);
    const q = byteMap(rand, 64);
    expect(ssim(q, Uint8Array.from(q)).mssim).toBe(1);
    expect(ssim(new Float64Array(49).fill(0.3), new Float64Array(49).fill(0.3), { dataRange: 1 }).mssim).toBe(1);
  });

  it('is symmetric bit for bit and bounded by [−1, 1]', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 40; trial++) {
      const a = uniformMap(rand, 10 * 13);
      const b = trial % 2 === 0 ? uniformMap(rand, 130) : a.map((v) => 1 - v + 0.01 * rand());
      const opts = { height: 10, width: 13, dataRange: 1 };
      const ab = ssim(a, b, opts);
      expect(ssim(b, a, opts).mssim).toBe(ab.mssim);
      for (const v of ab.map) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
  });

  it('agrees with the slow direct reference to 1e-10 (map and mean)', () => {
    const rand = mulberry32(2024);
    const cases: Array<[number, number, number, number]> = [[7, 7, 1, 7], [8, 11, 1, 7], [16, 16, 255, 7], [20, 9, 255, 5], [9, 9, 1, 3]];
    for (const [h, w, R, win] of cases) {
      const scale = R === 255 ? 255 : 1;
      const a = uniformMap(rand, h * w).map((v) => v * scale);
      const b = a.map((v) => 0.6 * v + 0.4 * scale * rand());
      const got = ssim(a, b, { height: h, width: w, dataRange: R, winSize: win });
      const want = referenceSsim(a, b, h, w, R, win);
      expect(got.mapHeight * got.mapWidth).toBe(want.map.length);
      expect(Math.abs(got.mssim - want.mssim)).toBeLessThan(1e-10);
      want.map.forEach((v, i) => expect(Math.abs(got.map[i] - v)).toBeLessThan(1e-10));
    }
  });

  it("agrees with scikit-image's algorithm (scipy uniform_filter, cov_norm = 49/48, crop 3)", () => {
    // Golden values from the structural_similarity code path run under numpy 2.4 / scipy 1.17
    // on these exact inputs (12 × 10, uint8 for the first two, float with R = 1 for the others).
    const idx = Array.from({ length: 120 }, (_, i) => i);
    const a = Uint8Array.from(idx, (i) => (i * 37 + 11) % 256);
    const b = Uint8Array.from(idx, (i) => (i * i * 13 + 5) % 256);
    const c = Uint8Array.from(idx, (i) => Math.min(255, a[i] + (i % 7) * 3));
    const x = idx.map((i) => ((i * 7919) % 1000) / 999);
    const y = idx.map((i) => ((i * 104729 + 17) % 1000) / 999);
    const shape = { height: 12, width: 10 };
    const ab = ssim(a, b, shape);
    expect(ab.mssim).toBeCloseTo(-0.06567113775393436, 12);
    expect(ab.map[0]).toBeCloseTo(0.09228025839028274, 12);
    expect(ab.map[ab.map.length - 1]).toBeCloseTo(-0.07533835001528265, 12);
    expect(ssim(a, c, shape).mssim).toBeCloseTo(0.9952138525558336, 12);
    expect(ssim(x, y, { ...shape, dataRange: 1 }).mssim).toBeCloseTo(0.007500181190344904, 12);
    expect(ssim(x, y, { ...shape, dataRange: 1, winSize: 5 }).mssim).toBeCloseTo(-0.013320090183461336, 12);
  });

  it('returns the border-cropped map whose mean is the SSIM', () => {
    const rand = mulberry32(5);
    const a = uniformMap(rand, 15 * 11);
    const b = uniformMap(rand, 15 * 11);
    const r = ssim(a, b, { height: 15, width: 11, dataRange: 1 });
    expect([r.mapHeight, r.mapWidth]).toEqual([9, 5]);
    expect(r.map.reduce((s, v) => s + v, 0) / r.map.length).toBeCloseTo(r.mssim, 15);
  });

  it('uses R = 255 for Uint8Array maps and requires dataRange for float maps', () => {
    const rand = mulberry32(3);
    const a = byteMap(rand, 49);
    const b = byteMap(rand, 49);
    expect(ssim(a, b).dataRange).toBe(255);
    expect(ssim(a, b).mssim).toBe(ssim(Array.from(a), Array.from(b), { dataRange: 255 }).mssim);
    expectParamInvalid(() => ssim(Array.from(a), Array.from(b)), /ssim: `dataRange` is required/);
    expectParamInvalid(() => ssim(a, b, { dataRange: 0 }), /`dataRange` must be a finite number > 0, got 0/);
  });

  it('constant maps of different values compare by luminance only', () => {
    // σ terms are 0, so SSIM = (2·μa·μb + C1)/(μa² + μb² + C1) with C1 = 1e-4 for R = 1.
    const r = ssim(new Float64Array(49).fill(0.2), new Float64Array(49).fill(0.6), { dataRange: 1 });
    expect(r.mssim).toBeCloseTo((2 * 0.2 * 0.6 + 1e-4) / (0.04 + 0.36 + 1e-4), 14);
  });

  it('validates shape, window and inputs with PARAM_INVALID', () => {
    const a = new Float64Array(60);
    expectParamInvalid(() => ssim(a, a, { dataRange: 1 }), /`height` and `width` are required for a non-square map of 60 cells/);
    expectParamInvalid(() => ssim(a, a, { height: 7, width: 9, dataRange: 1 }), /= 63 does not match the 60 cells/);
    expectParamInvalid(() => ssim(new Float64Array(36), new Float64Array(36), { dataRange: 1 }), /the 6 × 6 maps are smaller than the 7 × 7 window/);
    expectParamInvalid(() => ssim(new Float64Array(49), new Float64Array(49), { dataRange: 1, winSize: 4 }), /`winSize` must be an odd integer ≥ 3, got 4/);
    expectParamInvalid(() => ssim(new Float64Array(49), new Float64Array(48), { dataRange: 1 }), /ssim: `a` has length 49 but `b` has length 48/);
    const bad = new Float64Array(49);
    bad[10] = Number.NaN;
    expectParamInvalid(() => ssim(new Float64Array(49), bad, { dataRange: 1 }), /ssim: `b` must hold finite numbers, got NaN at index 10/);
  });

  it('is registered with compute returning the mean SSIM', () => {
    expect(ssimStatistic.compute(ramp, ramp, { dataRange: 255 })).toEqual({ value: 1 });
  });
});
