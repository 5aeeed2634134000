/**
 * The tests of algorithms.md §3.11 as the measures run them: entropy on the §3.3 vector through
 * the measures' quantisation, SSIM identities and a hand-computed 7×7 single window (pair-stats),
 * and transform ∘ inverse = identity (exact for flips and rotations, interior only for shifts,
 * the stated domain for zooms).
 */
import { describe, expect, it } from 'vitest';
import { salienceEntropy } from '../../main/engine/compare';
import { quantize8bit } from '../../main/engine/compare/entropy';
import { comparePair, ssim8, ssimWindow } from '../../main/engine/measures/pair-stats';
import { paperTransforms, resolveTransform, type Grid } from '../../main/engine/transforms';
import { createRng } from '../../shared/random';

const VECTOR = [
  4, 1, 0, 0, 0, 0, 8,
  4, 4, 0, 0, 0, 0, 0,
  0, 16, 52, 32, 0, 0, 0,
  0, 65, 192, 255, 147, 5, 0,
  0, 42, 121, 112, 69, 1, 0,
  0, 20, 90, 89, 53, 0, 0,
  2, 4, 0, 0, 0, 0, 0
];

const random = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform());
};

describe('§3.11 entropy', () => {
  it('the authors\' 7×7 map: quantisation keeps it, 21 distinct values, H = 3.04131 bits, Ĥ = 0.542', () => {
    expect(Array.from(quantize8bit(VECTOR))).toEqual(VECTOR);
    const h = salienceEntropy(VECTOR);
    expect(h.distinct).toBe(21);
    expect(h.entropy).toBeCloseTo(3.04131, 5);
    expect(Math.round(h.normalized * 1000) / 1000).toBe(0.542);
    expect(h.maxEntropy).toBeCloseTo(Math.log2(49), 12);
  });

  it('a constant map has H = 0; 49 distinct values on 7×7 give Ĥ = 1; 32 + 32 cells on 8×8 give H = 1 bit', () => {
    expect(salienceEntropy(new Array(49).fill(0.3)).entropy).toBe(0);
    expect(salienceEntropy(Array.from({ length: 49 }, (_, i) => i)).normalized).toBeCloseTo(1, 12);
    expect(salienceEntropy(Array.from({ length: 64 }, (_, i) => (i < 32 ? 0 : 1))).entropy).toBe(1);
  });
});

/** Direct single-window SSIM of two 7×7 maps quantised to 8 bits: sample (N − 1) variances, R = 255. */
function handSsim(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = quantize8bit(a);
  const y = quantize8bit(b);
  const n = 49;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let vx = 0;
  let vy = 0;
  let cxy = 0;
  for (let i = 0; i < n; i++) {
    vx += (x[i] - mx) ** 2;
    vy += (y[i] - my) ** 2;
    cxy += (x[i] - mx) * (y[i] - my);
  }
  [vx, vy, cxy] = [vx / (n - 1), vy / (n - 1), cxy / (n - 1)];
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
}

describe('§3.11 SSIM as the measures compute it (8-bit maps, R = 255)', () => {
  it('identical maps → 1; symmetric; a 7×7 map is one window equal to the direct formula (rtol 1e-12)', () => {
    const a = random(49, 1);
    const b = random(49, 2);
    expect(ssim8(a, a, 7, 7)).toBe(1);
    expect(ssim8(a, b, 7, 7)).toBe(ssim8(b, a, 7, 7));
    for (const [p, q] of [[a, b], [VECTOR, a], [VECTOR, b]] as const) expect(ssim8(p, q, 7, 7)).toBeCloseTo(handSsim(p, q), 12);
  });

  it('grids below 7 use the largest odd window that fits; below 3×3 SSIM is undefined', () => {
    expect([ssimWindow(7, 7), ssimWindow(6, 9), ssimWindow(4, 4), ssimWindow(3, 5), ssimWindow(2, 8)]).toEqual([7, 5, 3, 3, 0]);
    expect(ssim8([1, 2, 3, 4], [1, 2, 3, 5], 2, 2)).toBeNaN();
  });

  it('comparePair: ρ = 1 and top-k IoU = 1 for a monotone rescaling, SSIM then 1 too (min-max quantisation)', () => {
    const a = random(49, 3);
    const b = a.map((v) => 3 * v + 2);
    expect(comparePair(a, b, 7, 7, 0.1)).toEqual({ ssim: 1, spearman: 1, topkIou: 1 });
  });
});

describe('§3.11 transforms: T⁻¹(T(x)) = x', () => {
  const grid = (h: number, w: number, c: number, seed: number): Grid => ({ data: random(h * w * c, seed), height: h, width: w, channels: c });

  it('flips and quarter turns are exact on square and non-square multi-channel grids', () => {
    for (const id of ['hflip', 'vflip', 'rot90cw', 'rot90ccw']) {
      const t = resolveTransform(id);
      for (const g of [grid(7, 7, 1, 4), grid(5, 8, 3, 5)]) {
        const moved = t.apply(g);
        expect([moved.height, moved.width]).toEqual(t.swapsAxes ? [g.width, g.height] : [g.height, g.width]);
        const back = t.inverse(moved);
        expect([back.height, back.width, back.channels]).toEqual([g.height, g.width, g.channels]);
        expect(Array.from(back.data)).toEqual(Array.from(g.data));
      }
    }
  });

  it('quarter turns and flips move cells where the definitions say (2×3 example)', () => {
    const g: Grid = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), height: 2, width: 3, channels: 1 };
    expect(Array.from(resolveTransform('rot90cw').apply(g).data)).toEqual([4, 1, 5, 2, 6, 3]);
    expect(Array.from(resolveTransform('rot90ccw').apply(g).data)).toEqual([3, 6, 2, 5, 1, 4]);
    expect(Array.from(resolveTransform('hflip').apply(g).data)).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(resolveTransform('vflip').apply(g).data)).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('shifts equal pad-16-with-edge-replication-then-crop, and invert only on the non-replicated interior', () => {
    const g = grid(20, 18, 2, 6);
    for (const spec of paperTransforms(224)) {
      const [dx, dy] = spec.slice('translate:'.length).split(',').map(Number);
      if (spec.startsWith('translate')) {
        expect(Math.max(Math.abs(dx), Math.abs(dy))).toBe(16);
        const t = resolveTransform(spec);
        const moved = t.apply(g);
        // Reference: explicit padded array (p = 16), window starting at (p − dy, p − dx).
        const p = 16;
        const padded = (r: number, c: number, k: number) => g.data[(Math.min(g.height - 1, Math.max(0, r - p)) * g.width + Math.min(g.width - 1, Math.max(0, c - p))) * 2 + k];
        for (let r = 0; r < g.height; r++) for (let c = 0; c < g.width; c++) for (let k = 0; k < 2; k++) expect(moved.data[(r * g.width + c) * 2 + k]).toBe(padded(r + p - dy, c + p - dx, k));
        const back = t.inverse(moved);
        const domain = t.identityDomain(g.height, g.width);
        let inside = 0;
        let differs = 0;
        for (let i = 0; i < domain.length; i++) {
          const same = back.data[2 * i] === g.data[2 * i] && back.data[2 * i + 1] === g.data[2 * i + 1];
          if (domain[i]) {
            inside++;
            expect(same).toBe(true);
          } else if (!same) differs++;
        }
        expect(inside).toBe((g.height - Math.abs(dy)) * (g.width - Math.abs(dx)));
        expect(differs).toBeGreaterThan(0);
      }
    }
  });

  it('zooms invert inside their stated domain for images affine in position (rtol 1e-5)', () => {
    const h = 24;
    const w = 20;
    const ramp: Grid = { data: Float32Array.from({ length: h * w }, (_, i) => 3 + 0.5 * Math.floor(i / w) - 0.25 * (i % w)), height: h, width: w, channels: 1 };
    for (const s of [1.25, 0.8, 2]) {
      const t = resolveTransform(`scale:${s}`);
      const back = t.inverse(t.apply(ramp));
      const domain = t.identityDomain(h, w);
      expect(domain.reduce((a, v) => a + v, 0)).toBeGreaterThan(0);
      domain.forEach((inside, i) => inside && expect(Math.abs(back.data[i] - ramp.data[i])).toBeLessThanOrEqual(1e-5 * Math.abs(ramp.data[i]) + 1e-5));
    }
    // A zoom by 1 is the identity everywhere.
    expect(Array.from(resolveTransform('scale:1').apply(ramp).data)).toEqual(Array.from(ramp.data));
  });

  it('paper set: both flips, both quarter turns and 8 shifts by round(16·H/224)', () => {
    const set = paperTransforms(28);
    expect(set).toHaveLength(12);
    expect(set).toContain('translate:-2,2');
    expect(() => resolveTransform('rot45')).toThrow(/Unknown transform/);
  });
});
