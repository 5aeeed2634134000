/**
 * Pure parts of the faithfulness metrics: orderings (stable ties), tile grids with padding,
 * schedules, trapezoid AUC against the spec's closed form, AOPC against a direct loop, the
 * bootstrap CI, the registry and parameter validation.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../shared/random';
import { bootstrapMean, quantileSorted } from '../../main/engine/metrics/bootstrap';
import { aopc, trapezoidAuc } from '../../main/engine/metrics/curve';
import { getMetric, listMetrics } from '../../main/engine/metrics';
import { orderByValue, scheduleFromOrder, tileGrid, tileRelevance } from '../../main/engine/metrics/ordering';
import { defaultPixelSteps } from '../../main/engine/metrics/pixel-schedule';
import { appErrorOf } from '../engine/helpers/errors';

describe('orderings and schedules', () => {
  it('orders by value descending/ascending with ties broken by flat index', () => {
    expect(Array.from(orderByValue([1, 3, 3, 0, 3], true))).toEqual([1, 2, 4, 0, 3]);
    expect(Array.from(orderByValue([1, 3, 3, 0, 3], false))).toEqual([3, 0, 1, 2, 4]);
  });

  it('tiles: non-overlapping, padded to a multiple of the side; relevance = Σ over the tile', () => {
    const { tileOf, rows, cols } = tileGrid(5, 7, 3);
    expect([rows, cols]).toEqual([2, 3]);
    expect(tileOf[0]).toBe(0);
    expect(tileOf[6]).toBe(2);
    expect(tileOf[4 * 7 + 6]).toBe(5);
    const map = Array.from({ length: 35 }, (_, i) => i);
    const sums = tileRelevance(map, tileOf, 6);
    const slow = new Array(6).fill(0);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) slow[Math.floor(i / 3) * 3 + Math.floor(j / 3)] += i * 7 + j;
    expect(Array.from(sums)).toEqual(slow);
  });

  it('pixel schedule: n per step, last step partial, fractions cumulative', () => {
    const s = scheduleFromOrder(Int32Array.from([4, 0, 1, 2, 3]), null, 2, 3);
    expect(Array.from(s.stepOf)).toEqual([1, 2, 2, 3, 1]);
    expect(Array.from(s.fraction)).toEqual([0, 0.4, 0.8, 1]);
  });

  it('deletion default: 28 steps of 28 pixels at 28×28, 224 of 224 at 224×224; steps > pixels are capped', () => {
    expect(defaultPixelSteps(28, 28)).toBe(28);
    expect(defaultPixelSteps(224, 224)).toBe(224);
    const del = getMetric('deletion');
    const map = Array.from({ length: 784 }, (_, i) => (i * 37) % 101);
    const s = del.schedule(map, 28, 28, del.validate({}));
    expect(s.steps).toBe(28);
    expect(Array.from({ length: 29 }, (_, k) => s.stepOf.filter((v) => v === k).length).slice(1)).toEqual(new Array(28).fill(28));
    expect(del.schedule([1, 2, 3, 4], 2, 2, del.validate({ steps: 50 })).steps).toBe(4);
  });

  it('MoRF / LeRF: tiles in descending / ascending relevance, L = min(steps, tiles); pixels outside the L tiles never move', () => {
    const map = new Float32Array(36);
    map[0] = 5; // tile 0 of a 2×2 grid of 3×3 tiles
    map[35] = -1; // tile 3
    map[3] = 2; // tile 1
    const morf = getMetric('morf');
    const s = morf.schedule(map, 6, 6, morf.validate({ tile: 3, baseline: 'black' }));
    expect(s.steps).toBe(4);
    expect([s.stepOf[0], s.stepOf[3], s.stepOf[18], s.stepOf[35]]).toEqual([1, 2, 3, 4]);
    const lerf = getMetric('lerf');
    const l = lerf.schedule(map, 6, 6, lerf.validate({ tile: 3, steps: 2, baseline: 'black' }));
    expect(l.steps).toBe(2);
    expect([l.stepOf[35], l.stepOf[18], l.stepOf[3], l.stepOf[0]]).toEqual([1, 2, 0, 0]);
    expect(Array.from(l.fraction)).toEqual([0, 0.25, 0.5]);
  });
});

describe('curve summaries', () => {
  it('trapezoid AUC over k/K equals (Σ v − v0/2 − vK/2)/K; a constant curve v has AUC v', () => {
    const rng = createRng(3);
    for (const K of [1, 2, 7, 28]) {
      const y = Array.from({ length: K + 1 }, () => rng.uniform());
      const x = Array.from({ length: K + 1 }, (_, k) => k / K);
      const closed = (y.reduce((a, b) => a + b, 0) - y[0] / 2 - y[K] / 2) / K;
      expect(trapezoidAuc(x, y)).toBeCloseTo(closed, 12);
      expect(trapezoidAuc(x, new Array(K + 1).fill(0.37))).toBeCloseTo(0.37, 12);
    }
  });

  it('AOPC equals the direct double loop (1/(L+1)) Σ_k (v0 − vk)', () => {
    const rng = createRng(9);
    const y = Array.from({ length: 17 }, () => rng.uniform());
    let slow = 0;
    for (let k = 0; k <= 16; k++) slow += y[0] - y[k];
    expect(aopc(y)).toBeCloseTo(slow / 17, 14);
    expect(aopc([0.4, 0.4, 0.4])).toBe(0);
  });
});

describe('bootstrap CI of the mean', () => {
  it('brackets the mean, is reproducible by seed, ignores NaN, degenerates for n ≤ 1 and constant data', () => {
    const rng = createRng(1);
    const values = Array.from({ length: 40 }, () => rng.normal());
    const a = bootstrapMean(values, { seed: 5 });
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    expect(bootstrapMean(values, { seed: 5 })).toEqual(a);
    // The 95 % interval of a mean of 40 N(0,1) draws has half-width ≈ 1.96/√40 = 0.31.
    expect((a.hi - a.lo) / 2).toBeGreaterThan(0.2);
    expect((a.hi - a.lo) / 2).toBeLessThan(0.45);
    expect(bootstrapMean([2, Number.NaN, 4]).n).toBe(2);
    expect(bootstrapMean([3])).toMatchObject({ mean: 3, lo: 3, hi: 3, n: 1 });
    expect(bootstrapMean([2, 2, 2])).toMatchObject({ mean: 2, lo: 2, hi: 2 });
    expect(Number.isNaN(bootstrapMean([]).mean)).toBe(true);
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
  });
});

describe('registry and parameters', () => {
  it('lists the four metrics with the spec defaults', () => {
    expect(listMetrics().map((m) => m.id)).toEqual(['deletion', 'insertion', 'morf', 'lerf']);
    expect(getMetric('deletion').validate({})).toEqual({ baseline: 'mean-colour:source=preprocessing', steps: null, tile: null, draws: 1 });
    expect(getMetric('insertion').validate({}).baseline).toBe('blur:sigma=5,radius=5');
    expect(getMetric('morf').validate({})).toEqual({ baseline: 'uniform-noise:low=0,high=255', steps: 100, tile: 9, draws: 5 });
    expect(getMetric('lerf').validate({ baseline: 'black', draws: 4 }).draws).toBe(1);
  });

  it('rejects unknown metrics and bad parameters with PARAM_INVALID naming them', async () => {
    expect((await appErrorOf(() => getMetric('aopc'))).message).toContain('known metrics: deletion');
    expect((await appErrorOf(() => getMetric('deletion').validate({ tile: 3 }))).message).toContain('`tile`');
    expect((await appErrorOf(() => getMetric('morf').validate({ steps: 0 }))).message).toContain('`steps`');
    expect((await appErrorOf(() => getMetric('morf').validate({ baseline: 'purple' }))).message).toContain('Unknown baseline');
    const err = await appErrorOf(() => getMetric('deletion').schedule([0, Number.NaN, 1, 2], 2, 2, getMetric('deletion').validate({})));
    expect(err.message).toContain('pixel 1');
  });
});
