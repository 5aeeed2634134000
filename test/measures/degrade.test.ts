/**
 * Salience-guided degradation (algorithms.md §3.7) and its Gaussian filter: against values from
 * scipy 1.17.1 (`scipy.ndimage.gaussian_filter`, and the §3.7 algorithm written with it; the
 * script is in the comment below), against direct slow references written here, and the §3.11
 * constant-CAM tests.
 *
 * scipy reference (numpy 2.4.6): img[y,x,c] = 100 + 80 sin(0.7y + 1.3x + 2.1c) on 12×10×2,
 * guide[y,x] = floor(255 exp(−((y−4)² + (x−6)²)/8)); levels v = round(gaussian_filter(g, 5) /
 * (max/10), 1); per level b = round(10 − v, 1), b' = b⁴/1000, channel-wise gaussian_filter(img, b')
 * copied into the level's pixels.
 */
import { describe, expect, it } from 'vitest';
import { blurSigma, degradeImage, DEGRADE_DEFAULTS, guideFor, guideLevels, round1 } from '../../main/engine/measures/degrade';
import { gaussianFilter, gaussianKernel, gaussianRadius, reflectIndex } from '../../main/engine/measures/gaussian-filter';
import { expectClose } from '../support/tensor-asserts';

const H = 12;
const W = 10;
const C = 2;
const image = Float64Array.from({ length: H * W * C }, (_, i) => {
  const c = i % C;
  const x = Math.floor(i / C) % W;
  const y = Math.floor(i / (C * W));
  return 100 + 80 * Math.sin(0.7 * y + 1.3 * x + 2.1 * c);
});
const guide = Float64Array.from({ length: H * W }, (_, i) => Math.floor(255 * Math.exp(-((Math.floor(i / W) - 4) ** 2 + ((i % W) - 6) ** 2) / 8)));

/** Direct 2-D Gaussian at one pixel: Σ_{i,j} w_i w_j src(reflect(y+i), reflect(x+j)) — no separability. */
function slowBlurAt(src: ArrayLike<number>, h: number, w: number, ch: number, sigma: number, y: number, x: number, k: number): number {
  const r = Math.floor(4 * sigma + 0.5);
  if (r === 0) return src[(y * w + x) * ch + k];
  let norm = 0;
  for (let j = -r; j <= r; j++) norm += Math.exp(-(j * j) / (2 * sigma * sigma));
  let s = 0;
  for (let i = -r; i <= r; i++) {
    for (let j = -r; j <= r; j++) {
      const wij = (Math.exp(-(i * i) / (2 * sigma * sigma)) * Math.exp(-(j * j) / (2 * sigma * sigma))) / (norm * norm);
      const yy = reflectIndex(y + i, h);
      const xx = reflectIndex(x + j, w);
      s += wij * src[(yy * w + xx) * ch + k];
    }
  }
  return s;
}

/** §3.7 per pixel, straight from the text: level, b, b', then that pixel's blurred value. */
function slowDegrade(g: ArrayLike<number>): Float64Array {
  const gs = Float64Array.from({ length: H * W }, (_, p) => slowBlurAt(g, H, W, 1, 5, Math.floor(p / W), p % W, 0));
  const max = Math.max(...gs);
  const out = new Float64Array(image.length);
  for (let p = 0; p < H * W; p++) {
    const v = max > 0 ? round1(gs[p] / (max / 10)) : 0;
    const b = round1(10 - v);
    const sigma = b ** 4 / 1000;
    for (let k = 0; k < C; k++) out[p * C + k] = sigma === 0 ? image[p * C + k] : slowBlurAt(image, H, W, C, sigma, Math.floor(p / W), p % W, k);
  }
  return out;
}

describe('gaussianFilter (scipy.ndimage.gaussian_filter, mode reflect)', () => {
  const a = Float64Array.from({ length: 30 }, (_, i) => i ** 1.5);

  it('matches scipy for σ = 1.3 and for σ = 5, whose radius 20 folds the 5×6 array several times (rtol 1e-12)', () => {
    const r1 = gaussianFilter(a, 5, 6, 1, 1.3);
    expectClose([r1[0], r1[7], r1[29]], [13.477333980204484, 28.94505478740311, 123.43312303404359], { rtol: 1e-12 });
    const r5 = gaussianFilter(a, 5, 6, 1, 5);
    expectClose([r5[0], r5[7], r5[29]], [62.15534909480817, 62.43549328026818, 63.86757952236154], { rtol: 1e-12 });
  });

  it('equals the direct 2-D sum everywhere; kernel radius round(4σ), weights sum to 1; σ = 0 is the identity', () => {
    const r = gaussianFilter(image, H, W, C, 2.2);
    const slow = Float64Array.from({ length: image.length }, (_, i) => slowBlurAt(image, H, W, C, 2.2, Math.floor(i / (C * W)), Math.floor(i / C) % W, i % C));
    expectClose(r, slow, { rtol: 1e-12 });
    expect(gaussianRadius(5)).toBe(20);
    expect(gaussianRadius(0.001)).toBe(0);
    expect(gaussianKernel(1.7).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(Array.from(gaussianFilter(image, H, W, C, 0))).toEqual(Array.from(image));
  });

  it('reflect folds half-sample symmetrically: d c b a | a b c d | d c b a', () => {
    expect([-4, -3, -2, -1, 0, 3, 4, 5, 6, 7, 8].map((i) => reflectIndex(i, 4))).toEqual([3, 2, 1, 0, 0, 3, 3, 2, 1, 0, 0]);
  });
});

describe('salience-guided degradation (§3.7)', () => {
  it('curved mapping b⁴/σ_max³: b = 10 → 10, 5 → 0.625, 1 → 0.001; rounding to one decimal is numpy\'s (ties to even)', () => {
    expect([0, 5, 9].map((v) => blurSigma(v, DEGRADE_DEFAULTS))).toEqual([10, 0.625, 0.001]);
    expect(blurSigma(10, DEGRADE_DEFAULTS)).toBe(0);
    expect(blurSigma(5, { ...DEGRADE_DEFAULTS, curved: false })).toBe(5);
    // Expected values printed by numpy 2.4.6: np.round([0.25, 0.35, 9.95, 1.04999, 0.45, 2.25], 1).
    expect([0.25, 0.35, 9.95, 1.04999, 0.45, 2.25].map(round1)).toEqual([0.2, 0.4, 10, 1, 0.4, 2.2]);
  });

  it('matches the scipy implementation of the authors\' algorithm in both modes (levels used, sum, entries; float32 output, rtol 1e-6)', () => {
    const bg = degradeImage(image, H, W, C, guideFor(guide, 'background'));
    expect(bg.levels).toBe(57);
    expect(bg.image.reduce((s, v) => s + v, 0)).toBeCloseTo(24050.043740033943, 2);
    expectClose([0, 5, 77, 150, 239].map((i) => bg.image[i]), [100.00000000008903, 20.006139394871937, 171.58329377124033, 26.45381151935347, 139.75418415808178], { rtol: 1e-6 });
    const ob = degradeImage(image, H, W, C, guideFor(guide, 'object'));
    expect(ob.levels).toBe(22);
    expectClose([0, 5, 77, 150, 239].map((i) => ob.image[i]), [100, 20.006139394871937, 171.58329377124033, 26.45371794682589, 137.7311202475357], { rtol: 1e-6 });
  });

  it('equals a direct per-pixel reference of the text everywhere (float32 output: rtol 1e-6)', () => {
    for (const mode of ['background', 'object'] as const) {
      expectClose(degradeImage(image, H, W, C, guideFor(guide, mode)).image, slowDegrade(guideFor(guide, mode)), { rtol: 1e-6 });
    }
  });

  it('§3.11: a CAM at 255 everywhere leaves the image unchanged under background degradation and blurs all of it with σ = 10 under object degradation', () => {
    const cam = new Float64Array(H * W).fill(255);
    expect(Array.from(degradeImage(image, H, W, C, guideFor(cam, 'background')).image)).toEqual(Array.from(Float32Array.from(image)));
    const object = degradeImage(image, H, W, C, guideFor(cam, 'object'));
    expectClose(object.image, Float32Array.from(gaussianFilter(image, H, W, C, 10)), { rtol: 1e-7 });
    expect(object.levels).toBe(1);
    expect(Array.from(guideLevels(guideFor(cam, 'object'), H, W, DEGRADE_DEFAULTS)).every((v) => v === 0)).toBe(true);
  });
});
