/** Colour maps (anchors sampled from matplotlib) and the three normalisations. */
import { describe, expect, it } from 'vitest';
import { applyColormap, colormapLut, colormapName, COLORMAPS } from '../../../main/engine/export/colormap';
import { formatNormalize, normalizeMap, parseNormalize, percentile } from '../../../main/engine/export/normalize';
import { appErrorOf } from '../helpers/errors';

const rgb = (lut: Uint8Array, i: number) => [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];

describe('colour maps', () => {
  it('offers the required maps, sequential and diverging', () => {
    expect(COLORMAPS).toEqual(expect.arrayContaining(['viridis', 'inferno', 'turbo', 'jet', 'grey', 'coolwarm', 'rdbu']));
  });

  it('hits matplotlib’s end points and midpoint exactly', () => {
    expect(rgb(colormapLut('viridis'), 0)).toEqual([0x44, 0x01, 0x54]);
    expect(rgb(colormapLut('viridis'), 255)).toEqual([0xfd, 0xe7, 0x25]);
    expect(rgb(colormapLut('inferno'), 0)).toEqual([0x00, 0x00, 0x04]);
    expect(rgb(colormapLut('inferno'), 255)).toEqual([0xfc, 0xff, 0xa4]);
    expect(rgb(colormapLut('coolwarm'), 0)).toEqual([0x3b, 0x4c, 0xc0]);
    expect(rgb(colormapLut('turbo'), 255)).toEqual([0x7a, 0x04, 0x03]);
    for (let i = 0; i < 256; i++) expect(Math.abs(rgb(colormapLut('grey'), i)[0] - i), `grey ${i}`).toBeLessThanOrEqual(1);
  });

  it('accepts aliases and lists the known names for an unknown one', async () => {
    expect(colormapName('GRAY')).toBe('grey');
    expect(colormapName('RdBu_r')).toBe('rdbu');
    const err = await appErrorOf(() => colormapName('rainbow'));
    expect(err.code).toBe('PARAM_INVALID');
    expect(err.message).toContain('viridis');
  });

  it('clamps values outside [0, 1] and shows NaN as the lowest colour', () => {
    const out = applyColormap(Float32Array.from([-1, 0, 1, 2, Number.NaN]), 'grey');
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([0, 0, 255, 255, 0]);
  });
});

describe('normalisation', () => {
  it('parses the three modes and refuses others', async () => {
    expect(parseNormalize('min-max')).toEqual({ kind: 'minmax' });
    expect(parseNormalize('symmetric')).toEqual({ kind: 'symmetric' });
    expect(parseNormalize('percentile')).toEqual({ kind: 'percentile', p: 99 });
    expect(formatNormalize(parseNormalize('percentile:99.5'))).toBe('percentile:99.5');
    for (const bad of ['percentile:0', 'percentile:101', 'zscore', 'minmax:3']) expect((await appErrorOf(() => parseNormalize(bad))).code).toBe('PARAM_INVALID');
  });

  it('percentile interpolates linearly like numpy', () => {
    expect(percentile(Float32Array.from([1, 2, 3, 4]), 50)).toBe(2.5);
    expect(percentile(Float32Array.from({ length: 101 }, (_, i) => i), 99)).toBeCloseTo(99, 10);
    expect(percentile(Float32Array.from([5, Number.NaN, 1]), 100)).toBe(5);
  });

  it('minmax spans [0, 1]; symmetric puts 0 at 0.5; constant maps are flat', () => {
    expect(Array.from(normalizeMap(Float32Array.from([2, 4, 6]), { kind: 'minmax' }))).toEqual([0, 0.5, 1]);
    expect(Array.from(normalizeMap(Float32Array.from([-2, 0, 1]), { kind: 'symmetric' }))).toEqual([0, 0.5, 0.75]);
    expect(Array.from(normalizeMap(Float32Array.from([3, 3]), { kind: 'minmax' }))).toEqual([0, 0]);
    expect(Array.from(normalizeMap(Float32Array.from([0, 0]), { kind: 'symmetric' }))).toEqual([0.5, 0.5]);
  });

  it('percentile clips unsigned maps at q_p and signed maps at q_p(|v|)', () => {
    const unsigned = Float32Array.from({ length: 101 }, (_, i) => i);
    unsigned[100] = 1e6;
    const u = normalizeMap(unsigned, { kind: 'percentile', p: 50 });
    expect(u[0]).toBe(0);
    expect(u[25]).toBeCloseTo(0.5, 6);
    expect(u[100]).toBe(1);
    const s = normalizeMap(Float32Array.from([-4, -1, 0, 1, 4]), { kind: 'percentile', p: 50 });
    expect(Array.from(s)).toEqual([0, 0, 0.5, 1, 1]);
  });
});
