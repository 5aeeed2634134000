import fs from 'node:fs/promises';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod } from '../../../main/engine/saliency';
import type { SaliencyContext } from '../../../main/engine/saliency';
import { coverageCounts, occlusionGrid, windowStarts } from '../../../main/engine/saliency/occlusion';
import { useBackend } from '../../support/each-backend';
import { buildSmoothCnn, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { baselineValues, buildLinearRgb, linearContributions, linearWeights } from './perturbation-fixtures';

const occlusion = getMethod('occlusion');

describe('occlusion geometry', () => {
  it('window starts: stride grid while the window fits, plus one flush with the border', () => {
    expect(windowStarts(10, 4, 3)).toEqual([0, 3, 6]);
    expect(windowStarts(10, 4, 4)).toEqual([0, 4, 6]);
    expect(windowStarts(4, 3, 2)).toEqual([0, 1]);
    expect(windowStarts(7, 1, 1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(windowStarts(5, 8, 2)).toEqual([0]);
    expect(windowStarts(224, 28, 14)).toHaveLength(15);
  });

  it('coverage: every pixel covered; counts = product of per-axis counts; total = windows · window area', () => {
    for (const [h, w, window, stride] of [[8, 8, 4, 2], [10, 7, 4, 4], [9, 9, 3, 3], [6, 6, 8, 1], [5, 9, 2, 2]]) {
      const grid = occlusionGrid(h, w, { window, stride });
      const counts = coverageCounts(grid, h, w);
      expect(Math.min(...counts), `${h}×${w} w${window} s${stride}`).toBeGreaterThanOrEqual(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(grid.ys.length * grid.xs.length * grid.windowH * grid.windowW);
    }
    const grid = occlusionGrid(8, 8, { window: 4, stride: 2 });
    const axis = [1, 1, 2, 2, 2, 2, 1, 1];
    expect(Array.from(coverageCounts(grid, 8, 8))).toEqual(axis.flatMap((a) => axis.map((b) => a * b)));
  });

  it('refuses a stride larger than the window (pixels between windows would be left out)', async () => {
    const err = await appErrorOf(() => occlusionGrid(9, 9, { window: 3, stride: 5 }));
    expect(err.code).toBe('PARAM_INVALID');
    expect(err.message).toContain('`stride`');
    expect(occlusionGrid(4, 4, { window: 6, stride: 9 }).ys).toEqual([0]);
  });

  it('defaults: window round(min(H, W)/8), stride ⌊window/2⌋ (28/14 at 224, 4/2 at 32)', () => {
    expect(occlusionGrid(224, 224, {})).toMatchObject({ windowH: 28, windowW: 28 });
    expect(occlusionGrid(32, 32, {}).ys).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]);
    expect(occlusion.passesPerInput({})).toEqual({ forward: 15 * 15 + 2, backward: 0 });
  });
});

describe('occlusion (native)', () => {
  const backend = useBackend();
  let root = '';
  let linear: ModelHandle;
  let softmax: ModelHandle;
  let smooth: ModelHandle;
  const { w } = linearWeights();
  const ctx = (model: ModelHandle, x: Tensor4D, targets: number[], params: Record<string, unknown>, extra: Partial<SaliencyContext> = {}): SaliencyContext =>
    ({ tf: backend.tf, model, x, targets: Int32Array.from(targets), params, signal: new AbortController().signal, ...extra });

  beforeAll(async () => {
    root = await makeTempDir();
    linear = await loadModel(await writeFixture(root, 'linear', () => buildLinearRgb('linear')));
    softmax = await loadModel(await writeFixture(root, 'softmax', () => buildLinearRgb('softmax')));
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('linear model, 1×1 windows, logit: S = Σ_c w_c (x − B), for each baseline (each gives another map; atol 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 3], 1);
      const values = x.arraySync();
      const maps: Float32Array[] = [];
      for (const baseline of ['black', 'grey', 'blur:sigma=1', 'constant:value=0.3', 'uniform-noise']) {
        const result = await occlusion.run(ctx(linear, x, [0, 2], { window: 1, stride: 1, baseline }, { score: 'logit', seed: 3 }));
        const expected = linearContributions(w, values, await baselineValues(baseline, linear, x, 3), [0, 2]);
        expectClose(result.maps, expected.flat(), { rtol: 1e-5, atol: 1e-5 });
        expect(result.diagnostics![0].windows).toBe(16);
        maps.push(result.maps);
      }
      for (let i = 1; i < maps.length; i++) expect(maps[i]).not.toEqual(maps[0]);
      x.dispose();
    });
  });

  it('linear model, 3×3 windows, stride 2 (border-flush start 1): S = mean over covering windows of Σ_window a (atol 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 4, 4, 3], 2);
      const a = linearContributions(w, x.arraySync(), await baselineValues('grey', linear, x), [1])[0];
      const result = await occlusion.run(ctx(linear, x, [1], { window: 3, stride: 2 }, { score: 'logit' }));
      const starts = [0, 1];
      const expected = Array.from({ length: 16 }, (_, pixel) => {
        const [i, j] = [Math.floor(pixel / 4), pixel % 4];
        const drops = starts.flatMap((y) => starts.filter((x0) => i >= y && i < y + 3 && j >= x0 && j < x0 + 3).map((x0) => {
          let sum = 0;
          for (let u = y; u < y + 3; u++) for (let v = x0; v < x0 + 3; v++) sum += a[u * 4 + v];
          return sum;
        }));
        return drops.reduce((s, d) => s + d, 0) / drops.length;
      });
      expectClose(result.maps, expected, { rtol: 1e-5, atol: 1e-5 });
      x.dispose();
    });
  });

  it('a window covering the image gives p_c(x) − p_c(B) everywhere (probability by default; atol 1e-6)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 3], 3);
      const result = await occlusion.run(ctx(softmax, x, [0, 1], { window: 10, baseline: 'grey' }));
      const ref = tf.tensor4d((await baselineValues('grey', softmax, x)).flat(3), [2, 4, 4, 3]);
      const [px, pb] = tf.tidy(() => [softmax.probabilities(x).arraySync(), softmax.probabilities(ref).arraySync()]);
      [0, 1].forEach((c, row) => {
        expectClose(result.maps.subarray(row * 16, (row + 1) * 16), new Array(16).fill(px[row][c] - pb[row][c]), { atol: 1e-6 });
        expect(result.diagnostics![row]).toMatchObject({ windows: 1 });
        expect(result.diagnostics![row].score).toBeCloseTo(px[row][c], 6);
        expect(result.diagnostics![row].baselineScore).toBeCloseTo(pb[row][c], 6);
      });
      tf.dispose([x, ref]);
    });
  });

  it('batching under maxElementsPerPass gives the same maps; onStep counts occluded copies', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 10, 10, 2], 4);
      const params = { window: 4, stride: 3, baseline: 'constant:value=0.5' };
      const whole = await occlusion.run(ctx(smooth, x, [0, 1, 2], params));
      const steps: Array<[number, number]> = [];
      const chunked = await occlusion.run(ctx(smooth, x, [0, 1, 2], params, { maxElementsPerPass: 5 * 200, onStep: (d, t) => steps.push([d, t]) }));
      expectClose(chunked.maps, whole.maps, { rtol: 1e-5, atol: 1e-7 });
      // Starts 0, 3, 6 per axis: 9 windows per row, 27 copies, 5 per pass.
      expect(steps.length).toBe(Math.ceil(27 / 5));
      expect(steps.at(-1)).toEqual([27, 27]);
      x.dispose();
    });
  });

  it('validates parameters, naming them', async () => {
    expect(occlusion.validate({})).toEqual({ window: null, stride: null, baseline: 'grey' });
    expect((await appErrorOf(() => occlusion.validate({ window: 0 }))).message).toContain('`window`');
    expect((await appErrorOf(() => occlusion.validate({ stride: 1.5 }))).message).toContain('`stride`');
    expect((await appErrorOf(() => occlusion.validate({ baseline: 'purple' }))).message).toContain('`baseline`');
    expect((await appErrorOf(() => occlusion.validate({ size: 3 }))).message).toContain('`size`');
  });

  it('stops with CANCELLED between chunks, leaking nothing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 5);
      const controller = new AbortController();
      const err = await appErrorOf(() => occlusion.run(ctx(smooth, x, [0, 1], { window: 2, stride: 1, baseline: 'mean-colour' }, { signal: controller.signal, maxElementsPerPass: 400, onStep: () => controller.abort() })));
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('occlusion');
      x.dispose();
    });
  });
});
