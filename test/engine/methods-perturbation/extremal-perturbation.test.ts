import fs from 'node:fs/promises';
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../shared/random';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod } from '../../../main/engine/saliency';
import type { SaliencyContext } from '../../../main/engine/saliency';
import { rankLoss } from '../../../main/engine/saliency/extremal-perturbation';
import { smoothMaxGeometry, smoothMaxTables, smoothMaxUpsample } from '../../../main/engine/saliency/upsample';
import { useBackend } from '../../support/each-backend';
import { buildSmoothCnn, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak, relativeError } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { buildRegionModel, inRegion, REGION } from './perturbation-fixtures';

const extremal = getMethod('extremal-perturbation');
const REGION_AREA = (REGION.size * REGION.size) / (REGION.side * REGION.side);

/** Share of the mask's mass inside REGION, and its mean there. */
function regionStats(mask: ArrayLike<number>): { share: number; inside: number; mean: number } {
  let inside = 0;
  let total = 0;
  for (let e = 0; e < mask.length; e++) {
    total += mask[e];
    if (inRegion(e)) inside += mask[e];
  }
  return { share: inside / total, inside: inside / (REGION.size * REGION.size), mean: total / mask.length };
}

describe('extremal perturbation (native)', () => {
  const backend = useBackend();
  let root = '';
  let region: ModelHandle;
  let smooth: ModelHandle;
  const ctx = (model: ModelHandle, x: Tensor4D, targets: number[], params: Record<string, unknown>, extra: Partial<SaliencyContext> = {}): SaliencyContext =>
    ({ tf: backend.tf, model, x, targets: Int32Array.from(targets), params, signal: new AbortController().signal, ...extra });

  beforeAll(async () => {
    root = await makeTempDir();
    region = await loadModel(await writeFixture(root, 'region', buildRegionModel));
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('smooth max upsampling: values in [0, 1], one control point gives a flat-topped blob of radius σ/2 that vanishes beyond 1.5σ', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const g = smoothMaxGeometry(20, 20, 2, 4);
      const params = new Float32Array(100);
      params[4 * 10 + 5] = 1; // control point at pixel (8.5, 10.5)
      const mask = tf.tidy(() => smoothMaxUpsample(tf, tf.tensor3d(params, [1, 10, 10]), g, smoothMaxTables(tf, g)).dataSync());
      for (let e = 0; e < 400; e++) {
        const d = Math.hypot(Math.floor(e / 20) - 8.5, (e % 20) - 10.5);
        expect(mask[e]).toBeGreaterThanOrEqual(0);
        expect(mask[e]).toBeLessThanOrEqual(1);
        if (d <= 2) expect(mask[e], `d = ${d}`).toBeGreaterThan(0.99);
        if (d >= 6) expect(mask[e], `d = ${d}`).toBe(0);
      }
    });
  });

  it('smooth max equals its definition over all (2R+1)² terms (zeros outside the grid and the kernel included), float64 reference, rel. 1e-5', async () => {
    const { tf } = backend;
    const bump = (z: number) => (z <= 0.5 ? 1 : z < 1.5 ? 0.5 * (1 + Math.cos(Math.PI * (z - 0.5))) : 0);
    const direct = (m: Float32Array, grid: [number, number], h: number, w: number, step: number, sigma: number): number[] => {
      const r = Math.ceil((1.5 * sigma + step / 2) / step);
      const centre = (cell: number) => step * cell + (step - 1) / 2;
      return Array.from({ length: h * w }, (_, e) => {
        const [i, j] = [Math.floor(e / w), e % w];
        const v: number[] = [];
        for (let cy = Math.floor(i / step) - r; cy <= Math.floor(i / step) + r; cy++) for (let cx = Math.floor(j / step) - r; cx <= Math.floor(j / step) + r; cx++) {
          const inside = cy >= 0 && cy < grid[0] && cx >= 0 && cx < grid[1];
          v.push(inside ? m[cy * grid[1] + cx] * bump(Math.hypot(i - centre(cy), j - centre(cx)) / sigma) : 0);
        }
        const top = Math.max(...v);
        const e20 = v.map((x) => Math.exp(20 * (x - top)));
        return v.reduce((s, x, k) => s + x * e20[k], 0) / e20.reduce((s, x) => s + x, 0);
      });
    };
    const rng = createRng(8);
    for (const [h, w, step, sigma] of [[13, 11, 2, 3], [9, 9, 1, 1.5], [12, 12, 3, 9]]) {
      await expectNoLeak(tf, async () => {
        const g = smoothMaxGeometry(h, w, step, sigma);
        expect(g.slots).toBeLessThanOrEqual((2 * g.radius + 1) ** 2 + 1);
        const m = Float32Array.from({ length: 2 * g.grid[0] * g.grid[1] }, () => rng.uniform());
        const tables = smoothMaxTables(tf, g);
        const got = tf.tidy(() => smoothMaxUpsample(tf, tf.tensor3d(m, [2, ...g.grid]), g, tables).dataSync());
        const size = g.grid[0] * g.grid[1];
        const want = [...direct(m.subarray(0, size), g.grid, h, w, step, sigma), ...direct(m.subarray(size), g.grid, h, w, step, sigma)];
        expectClose(got, want, { rtol: 1e-5, atol: 1e-6 });
        tf.dispose(Object.values(tables));
      });
    }
    expect(smoothMaxGeometry(224, 224, 7, 21).slots).toBe(70); // at most 69 live terms of 121, + the zero slot
  });

  it('∂ mask and ∂ ranking loss match central finite differences (distinct values, rel. err < 1e-2)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const rng = createRng(3);
      const params = Float32Array.from({ length: 2 * 16 }, () => rng.uniform());
      const g = smoothMaxGeometry(8, 8, 2, 2);
      const refs = tf.tensor2d(Float32Array.from({ length: 128 }, (_, e) => (e % 64 < 10 ? 1 : 0)), [2, 64]);
      const tables = smoothMaxTables(tf, g);
      const loss = (v: Tensor) => tf.sum(rankLoss(tf, smoothMaxUpsample(tf, v as Tensor3D, g, tables), refs));
      const grad = tf.tidy(() => tf.grad(loss)(tf.tensor3d(params, [2, 4, 4])).dataSync());
      const at = (e: number, delta: number) => tf.tidy(() => {
        const edited = params.slice();
        edited[e] += delta;
        return loss(tf.tensor3d(edited, [2, 4, 4])).dataSync()[0];
      });
      const fd = Array.from(params, (_, e) => (at(e, 1e-3) - at(e, -1e-3)) / 2e-3);
      expect(relativeError(grad, fd)).toBeLessThan(1e-2);
      tf.dispose([refs, tables.index, tables.weights, tables.bias]);
    });
  });

  it('preserve, black baseline, 800 iterations: the mask at the region\'s area concentrates on the region; areas within 0.015', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.add(0.5, tf.mul(0.5, seededInput([1, 32, 32, 1], 4)))) as Tensor4D;
      const areas = [REGION_AREA, 0.1];
      const result = await extremal.run(ctx(region, x, [0], { areas, baseline: 'black' }));
      const masks = result.artifacts!.areaMasks;
      expect(masks.shape).toEqual([1, 2, 32, 32]);
      const small = regionStats(masks.data.subarray(0, 1024));
      const large = regionStats(masks.data.subarray(1024, 2048));
      expect(small.inside, 'mean mask in the region').toBeGreaterThan(0.8);
      expect(small.share, 'share of the mask in the region (chance: 0.035)').toBeGreaterThan(0.6);
      expect(large.inside).toBeGreaterThan(0.95);
      expect(Math.abs(small.mean - REGION_AREA)).toBeLessThan(0.015);
      expect(Math.abs(large.mean - 0.1)).toBeLessThan(0.015);
      expect(result.diagnostics![0][`area@${REGION_AREA}`]).toBeCloseTo(small.mean, 5);
      expectClose(result.maps, Array.from({ length: 1024 }, (_, e) => masks.data[e] + masks.data[1024 + e]), { atol: 1e-6 });
      x.dispose();
    });
  });

  it('delete, blur baseline, a bright region on a dark image: the deletion mask covers the region', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.tensor4d(Float32Array.from({ length: 1024 }, (_, e) => (inRegion(e) ? 1 : 0.1)), [1, 32, 32, 1]);
      const result = await extremal.run(ctx(region, x, [0], { areas: [0.1], variant: 'delete', baseline: 'blur:sigma=8', iterations: 300, learningRate: 0.05 }));
      const stats = regionStats(result.artifacts!.areaMasks.data);
      expect(stats.inside).toBeGreaterThan(0.9);
      expect(result.diagnostics![0]['score@0.1'], 'score of the deleted input').toBeLessThan(0.5 * 2 * 36);
      x.dispose();
    });
  });

  it('is deterministic: seeded uniform init repeats, another seed differs; chunking and jitter keep rows independent', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 5);
      const params = { areas: [0.1, 0.3], iterations: 15, init: 'uniform', baseline: 'constant:value=0', variant: 'dual', jitter: true };
      const a = await extremal.run(ctx(smooth, x, [0, 2], params, { seed: 3 }));
      const b = await extremal.run(ctx(smooth, x, [0, 2], params, { seed: 3, maxElementsPerPass: 10 * 10 * 20 }));
      const c = await extremal.run(ctx(smooth, x, [0, 2], params, { seed: 4 }));
      expectClose(b.maps, a.maps, { rtol: 1e-5, atol: 1e-6 });
      expect(c.maps).not.toEqual(a.maps);
      x.dispose();
    });
  });

  it('reports progress per iteration and stops with CANCELLED between iterations, leaking nothing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 10, 10, 2], 6);
      const controller = new AbortController();
      const steps: Array<[number, number]> = [];
      const onStep = (done: number, total: number) => {
        steps.push([done, total]);
        if (done === 3) controller.abort();
      };
      const err = await appErrorOf(() => extremal.run(ctx(smooth, x, [1], { areas: [0.2], iterations: 50, baseline: 'constant:value=0' }, { signal: controller.signal, onStep })));
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('extremal-perturbation');
      expect(steps).toEqual([[1, 50], [2, 50], [3, 50]]);
      x.dispose();
    });
  });

  it('validates parameters, naming them; passes per input count areas, variant and iterations', async () => {
    expect(extremal.validate({})).toMatchObject({ areas: [0.05, 0.1, 0.2], iterations: 800, learningRate: 0.01, step: null, sigma: null, variant: 'preserve', init: 'ones', jitter: false });
    expect(extremal.validate({ areas: 0.3 })).toMatchObject({ areas: [0.3] });
    for (const [params, name] of [[{ areas: [0, 0.1] }, 'areas'], [{ areas: [] }, 'areas'], [{ iterations: 0 }, 'iterations'], [{ learningRate: -1 }, 'learningRate'], [{ step: 0.5 }, 'step'], [{ variant: 'both' }, 'variant'], [{ jitter: 1 }, 'jitter'], [{ mask: 1 }, 'mask']] as const) {
      expect((await appErrorOf(() => extremal.validate(params as Record<string, unknown>))).message).toContain(`\`${name}\``);
    }
    expect(extremal.passesPerInput({ areas: [0.1, 0.2], iterations: 100, variant: 'dual' })).toEqual({ forward: 4 * 101, backward: 4 * 100 });
    expect(extremal.requires).toEqual(['gradients']);
  });
});
