import fs from 'node:fs/promises';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../shared/random';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod } from '../../../main/engine/saliency';
import type { SaliencyBatchResult, SaliencyContext } from '../../../main/engine/saliency';
import { maskGeometry, renderMask } from '../../../main/engine/saliency/rise';
import { useBackend } from '../../support/each-backend';
import { buildSmoothCnn, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { baselineValues, buildConstantModel, buildLinearRgb, linearContributions, linearWeights } from './perturbation-fixtures';

const rise = getMethod('rise');

/** The masks a run hands back (streamed slice by slice), gathered whole for checking; also checks the slicing. */
function masksOf(result: SaliencyBatchResult): { data: Float32Array; shape: number[] } {
  const artifact = result.streamedArtifacts!.masks;
  const slices = [...artifact.chunks()];
  const size = artifact.shape[1] * artifact.shape[2];
  expect(slices.every((m) => m.length % size === 0 && m.length <= 64 * size)).toBe(true);
  const data = new Float32Array(slices.reduce((n, m) => n + m.length, 0));
  slices.reduce((at, m) => (data.set(m, at), at + m.length), 0);
  expect(data.length).toBe(artifact.shape.reduce((a, b) => a * b, 1));
  return { data, shape: artifact.shape };
}

/** The reference geometry written out directly: skimage-style bilinear (half-pixel, mirror) of the s×s grid to (s+1)·C, cropped at (dy, dx). */
function directMask(cells: number[], s: number, h: number, w: number, dy: number, dx: number): number[] {
  const mirror = (k: number): number => (s === 1 ? 0 : k < 0 ? -k : k > s - 1 ? 2 * (s - 1) - k : k);
  const taps = (pos: number, up: number): Array<[number, number]> => {
    const u = ((pos + 0.5) * s) / up - 0.5;
    const f = Math.floor(u);
    return [[mirror(f), 1 - (u - f)], [mirror(f + 1), u - f]];
  };
  const upH = (s + 1) * Math.ceil(h / s);
  const upW = (s + 1) * Math.ceil(w / s);
  return Array.from({ length: h * w }, (_, e) => {
    let v = 0;
    for (const [a, wa] of taps(dy + Math.floor(e / w), upH)) for (const [b, wb] of taps(dx + (e % w), upW)) v += wa * wb * cells[a * s + b];
    return v;
  });
}

describe('RISE masks', () => {
  it('render = skimage-style bilinear upsampling to (s+1)·C, mirrored at the grid border, cropped at the shift (atol 1e-6)', () => {
    const rng = createRng(1);
    for (const [s, h, w] of [[4, 16, 16], [3, 10, 7], [7, 32, 32], [1, 5, 5]]) {
      const g = maskGeometry(s, h, w);
      for (let trial = 0; trial < 5; trial++) {
        const cells = Array.from({ length: s * s }, () => (rng.uniform() < 0.5 ? 1 : 0));
        const dy = Math.floor(rng.uniform() * Math.ceil(h / s));
        const dx = Math.floor(rng.uniform() * Math.ceil(w / s));
        const out = new Float32Array(h * w);
        renderMask(cells, dy, dx, g, out);
        expectClose(out, directMask(cells, s, h, w, dy, dx), { atol: 1e-6 });
      }
    }
  });
});

describe('RISE (native)', () => {
  const backend = useBackend();
  let root = '';
  let linear: ModelHandle;
  let constant: ModelHandle;
  let smooth: ModelHandle;
  const { w } = linearWeights();
  const ctx = (model: ModelHandle, x: Tensor4D, targets: number[], params: Record<string, unknown>, extra: Partial<SaliencyContext> = {}): SaliencyContext =>
    ({ tf: backend.tf, model, x, targets: Int32Array.from(targets), params, signal: new AbortController().signal, ...extra });

  beforeAll(async () => {
    root = await makeTempDir();
    linear = await loadModel(await writeFixture(root, 'linear', () => buildLinearRgb('linear')));
    constant = await loadModel(await writeFixture(root, 'constant', () => buildConstantModel([0.7, -0.2, 1.5])));
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('masks: [N, H, W] in [0, 1], mean ≈ p (|mean − p| < 0.02 for N = 1000, ≈ 5 standard errors), reported as maskMean', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 10, 10, 2], 1);
      for (const [grid, p] of [[3, 0.3], [4, 0.5], [2, 0.75]]) {
        const result = await rise.run(ctx(smooth, x, [0], { n: 1000, grid, p, baseline: 'mean-colour' }, { seed: 11 }));
        const masks = masksOf(result);
        expect(masks.shape).toEqual([1000, 10, 10]);
        expect(masks.data.every((v) => v >= 0 && v <= 1)).toBe(true);
        const mean = masks.data.reduce((a, v) => a + v, 0) / masks.data.length;
        expect(Math.abs(mean - p), `s = ${grid}, p = ${p}`).toBeLessThan(0.02);
        expect(result.diagnostics![0].maskMean).toBeCloseTo(mean, 6);
      }
      x.dispose();
    });
  });

  it('is deterministic under the seed; another seed gives other masks; masks are shared by every image', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 2);
      const params = { n: 50, grid: 4, p: 0.5, baseline: 'mean-colour' };
      const a = await rise.run(ctx(smooth, x, [0, 1], params, { seed: 5 }));
      const b = await rise.run(ctx(smooth, x, [0, 1], params, { seed: 5 }));
      const c = await rise.run(ctx(smooth, x, [0, 1], params, { seed: 6 }));
      expect(b.maps).toEqual(a.maps);
      expect(masksOf(b).data).toEqual(masksOf(a).data);
      expect(masksOf(c).data).not.toEqual(masksOf(a).data);
      const alone = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D;
      const single = await rise.run(ctx(smooth, alone, [1], params, { seed: 5 }));
      expectClose(single.maps, a.maps.subarray(100, 200), { rtol: 1e-5, atol: 1e-7 });
      tf.dispose([x, alone]);
    });
  });

  it('supplied masks reproduce a run; S = (1/(N·p)) Σ p_c(x̃_i) M_i computed directly (rel. 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 3);
      const params = { n: 40, grid: 3, p: 0.4, baseline: 'constant:value=0.25' };
      const first = await rise.run(ctx(smooth, x, [2, 0], params, { seed: 9 }));
      const masks = masksOf(first);
      const again = await rise.run(ctx(smooth, x, [2, 0], params, { seed: 123, supplied: { masks } }));
      expect(again.maps).toEqual(first.maps);
      const probs = tf.tidy(() => {
        const m = tf.reshape(tf.tensor3d(masks.data, [40, 10, 10]), [40, 1, 10, 10, 1]);
        const mixed = tf.add(tf.mul(tf.expandDims(x, 0), m), tf.mul(0.25, tf.sub(1, m)));
        return smooth.probabilities(tf.reshape(mixed, [80, 10, 10, 2]) as Tensor4D).arraySync();
      });
      const expected = [2, 0].flatMap((c, row) => Array.from({ length: 100 }, (_, e) => {
        let sum = 0;
        for (let i = 0; i < 40; i++) sum += probs[i * 2 + row][c] * masks.data[i * 100 + e];
        return sum / (40 * 0.4);
      }));
      expectClose(first.maps, expected, { rtol: 1e-5, atol: 1e-7 });
      x.dispose();
    });
  });

  it('linear model, pixel-level Bernoulli masks: S ≈ p·f(x) + (1 − p)·f(B) + (1 − p)·Σ_c w(x − B) within 4 Monte-Carlo standard errors', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 4, 4, 3], 4);
      const [n, p, c] = [4000, 0.3, 1];
      const rng = createRng(77);
      const data = Float32Array.from({ length: n * 16 }, () => (rng.uniform() < p ? 1 : 0));
      const result = await rise.run(ctx(linear, x, [c], { n, p, baseline: 'grey' }, { score: 'logit', supplied: { masks: { data, shape: [n, 4, 4] } } }));
      const ref = await baselineValues('grey', linear, x);
      const a = linearContributions(w, x.arraySync(), ref, [c])[0];
      const { score: fx, baselineScore: fb } = result.diagnostics![0];
      // f(x̃_i) = f(B) + Σ_λ M_iλ a_λ exactly, so the per-mask terms and their spread are known.
      const terms = Array.from({ length: n }, (_, i) => fb + a.reduce((s, v, l) => s + data[i * 16 + l] * v, 0));
      for (let l = 0; l < 16; l++) {
        const samples = terms.map((t, i) => (t * data[i * 16 + l]) / p);
        const mean = samples.reduce((s, v) => s + v, 0) / n;
        const se = Math.sqrt(samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) / n);
        const expected = p * fx + (1 - p) * fb + (1 - p) * a[l];
        expect(Math.abs(result.maps[l] - expected), `pixel ${l}: se ${se.toExponential(2)}`).toBeLessThan(4 * se);
      }
      x.dispose();
    });
  });

  it('constant model k: S(λ) = k·mean_i M_i(λ)/p exactly (rel. 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 4, 4, 3], 5);
      const result = await rise.run(ctx(constant, x, [2], { n: 200, grid: 2, p: 0.5 }, { score: 'logit', seed: 1 }));
      const m = masksOf(result).data;
      const expected = Array.from({ length: 16 }, (_, e) => (1.5 * Array.from({ length: 200 }, (_, i) => m[i * 16 + e]).reduce((s, v) => s + v, 0)) / 200 / 0.5);
      expectClose(result.maps, expected, { rtol: 1e-5, atol: 1e-6 });
      x.dispose();
    });
  });

  it('batching (masks split across passes) and returnMasks: false give the same maps; onStep counts copies', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 10, 10, 2], 6);
      const params = { n: 30, grid: 4, p: 0.5, baseline: 'mean-colour' };
      const whole = await rise.run(ctx(smooth, x, [0, 1, 2], params, { seed: 2 }));
      const steps: number[] = [];
      const streamed = await rise.run(ctx(smooth, x, [0, 1, 2], { ...params, returnMasks: false }, { seed: 2, maxElementsPerPass: 2 * 200, onStep: (done) => steps.push(done) }));
      expect(streamed.streamedArtifacts).toBeUndefined();
      expectClose(streamed.maps, whole.maps, { rtol: 1e-5, atol: 1e-7 });
      expect(streamed.diagnostics![0].maskMean).toBeCloseTo(whole.diagnostics![0].maskMean, 6);
      expect(steps).toEqual(Array.from({ length: 45 }, (_, i) => 2 * (i + 1)));
      x.dispose();
    });
  });

  it('validates parameters and supplied masks, naming them', async () => {
    const { tf } = backend;
    expect(rise.validate({})).toEqual({ n: 4000, grid: 7, p: 0.5, baseline: 'mean-colour:source=preprocessing', returnMasks: true });
    expect(rise.passesPerInput({ n: 100 })).toEqual({ forward: 102, backward: 0 });
    expect((await appErrorOf(() => rise.validate({ p: 0 }))).message).toContain('`p`');
    expect((await appErrorOf(() => rise.validate({ grid: 0 }))).message).toContain('`grid`');
    expect((await appErrorOf(() => rise.validate({ returnMasks: 'yes' }))).message).toContain('`returnMasks`');
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 4, 4, 3], 7);
      const wrong = await appErrorOf(() => rise.run(ctx(linear, x, [0], { n: 2 }, { supplied: { masks: { data: new Float32Array(3 * 16), shape: [3, 4, 4] } } })));
      expect(wrong.message).toContain('`masks`');
      const range = await appErrorOf(() => rise.run(ctx(linear, x, [0], { n: 1 }, { supplied: { masks: { data: new Float32Array(16).fill(2), shape: [1, 4, 4] } } })));
      expect(range.message).toContain('[0, 1]');
      x.dispose();
    });
  });

  it('stops with CANCELLED between chunks, leaking nothing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 8);
      const controller = new AbortController();
      const err = await appErrorOf(() => rise.run(ctx(smooth, x, [0, 1], { n: 20, baseline: 'mean-colour' }, { signal: controller.signal, maxElementsPerPass: 800, onStep: () => controller.abort() })));
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('rise');
      x.dispose();
    });
  });
});
