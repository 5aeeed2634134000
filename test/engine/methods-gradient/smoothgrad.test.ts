import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod } from '../../../main/engine/saliency';
import { createRng } from '../../../shared/random';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak, maxAbs, relativeError } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { buildLinearRgb, buildSmoothRgbCnn, makeCtx, rowOf, sidecarFor } from './helpers';

const sg = getMethod('smoothgrad');
const vanilla = getMethod('gradient');
const SIZE = 6 * 6 * 3;

describe('smoothgrad: parameters', () => {
  it('fills defaults (n 50, sigma 0.15, mean) and counts n passes', () => {
    expect(sg.validate({})).toEqual({ n: 50, sigma: 0.15, aggregate: 'mean' });
    expect(sg.passesPerInput(sg.validate({ n: 12 }))).toEqual({ forward: 12, backward: 12 });
    expect([sg.score, sg.stochastic, sg.requires]).toEqual(['logit', true, ['gradients']]);
    expect(sg.reference).toContain('Smilkov');
  });

  it('rejects unknown and out-of-range parameters, naming them', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ samples: 3 }, '`samples`'], [{ n: 0 }, '`n`'], [{ n: 1.5 }, '`n`'], [{ sigma: -0.1 }, '`sigma`'], [{ sigma: 'big' }, '`sigma`'], [{ aggregate: 'median' }, '`aggregate`']
    ];
    for (const [params, named] of cases) {
      const err = await appErrorOf(() => sg.validate(params));
      expect(err.code, JSON.stringify(params)).toBe('PARAM_INVALID');
      expect(err.message).toContain(named);
    }
  });
});

describe('smoothgrad (native)', () => {
  const backend = useBackend();
  let root = '';
  let smooth: ModelHandle;

  beforeAll(async () => {
    root = await makeTempDir();
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothRgbCnn(), sidecarFor(6)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('σ = 0 gives the vanilla gradient: bit for bit with one sample per pass, to rtol 1e-5 in larger passes', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 1);
      // Vanilla gradients row by row, so both sides run batch-1 passes (batched kernels may round differently).
      const want = { raw: new Float32Array(2 * SIZE), maps: new Float32Array(2 * 36) };
      for (const [row, c] of [[0, 0], [1, 2]]) {
        const one = tf.slice(x, [row, 0, 0, 0], [1, -1, -1, -1]) as tfTypes.Tensor4D;
        const r = await vanilla.run(makeCtx(smooth, one, [c], {}));
        want.raw.set(r.raw!, row * SIZE);
        want.maps.set(r.maps, row * 36);
        one.dispose();
      }
      const exact = await sg.run(makeCtx(smooth, x, [0, 2], sg.validate({ sigma: 0, n: 5 }), { maxElementsPerPass: SIZE }));
      expect(Array.from(exact.raw!)).toEqual(Array.from(want.raw));
      expect(Array.from(exact.maps)).toEqual(Array.from(want.maps));
      for (const maxElementsPerPass of [3 * SIZE, 100_000]) {
        const got = await sg.run(makeCtx(smooth, x, [0, 2], sg.validate({ sigma: 0, n: 5 }), { maxElementsPerPass }));
        expectClose(got.raw!, want.raw, { rtol: 1e-5, atol: 1e-7 });
      }
      x.dispose();
    });
  });

  it('linear model: raw = W[:, c] exactly for any σ', async () => {
    const { tf } = backend;
    const jsonPath = await writeFixture(root, 'linear', () => buildLinearRgb(true), sidecarFor(4));
    const model = await loadModel(jsonPath);
    const w = new Float32Array((await fs.readFile(path.join(path.dirname(jsonPath), 'weights.bin'))).buffer.slice(0), 0, 48 * 3);
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 3], 2);
      const { raw } = await sg.run(makeCtx(model, x, [1, 2], sg.validate({ sigma: 0.5, n: 9 })));
      [1, 2].forEach((c, row) => expect(Array.from(rowOf(raw!, row, 48))).toEqual(Array.from({ length: 48 }, (_, k) => w[k * 3 + c])));
      x.dispose();
    });
  });

  it('supplied noise [n, H, W, C] reproduces a direct per-sample loop of vanilla gradients (rtol 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const n = 4;
      const rng = createRng(99);
      const noise = Float32Array.from({ length: n * SIZE }, () => rng.normal());
      const x = seededInput([2, 6, 6, 3], 3);
      const got = await sg.run(makeCtx(smooth, x, [1, 0], sg.validate({ n, sigma: 0.2 }), { supplied: { noise: { data: noise, shape: [n, 6, 6, 3] } }, maxElementsPerPass: 3 * SIZE }));
      const xData = x.dataSync() as Float32Array;
      for (const [row, c] of [[0, 1], [1, 0]]) {
        const xs = rowOf(xData, row, SIZE);
        const sigma = Math.fround(0.2 * Math.fround(Math.max(...xs) - Math.min(...xs)));
        const sum = new Float64Array(SIZE);
        for (let k = 0; k < n; k++) {
          const noisy = tf.tensor4d(Float32Array.from(xs, (v, e) => v + Math.fround(sigma * noise[k * SIZE + e])), [1, 6, 6, 3]);
          const { raw } = await vanilla.run(makeCtx(smooth, noisy, [c], {}));
          raw!.forEach((g, e) => (sum[e] += g));
          noisy.dispose();
        }
        expectClose(rowOf(got.raw!, row, SIZE), sum.map((s) => s / n), { rtol: 1e-5, atol: 1e-7 });
      }
      const bad = await appErrorOf(() => sg.run(makeCtx(smooth, x, [0, 0], sg.validate({ n: 5 }), { supplied: { noise: { data: noise, shape: [n, 6, 6, 3] } } })));
      expect(bad.code).toBe('PARAM_INVALID');
      expect(bad.message).toContain('`noise`');
      x.dispose();
    });
  });

  it('aggregates on the same noise: variance = squared − mean² (atol 1e-6·max), abs ≥ |mean|, squared ≥ mean²', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 4);
      const run = async (aggregate: string) => (await sg.run(makeCtx(smooth, x, [0, 1], sg.validate({ n: 12, aggregate }), { seed: 5 }))).raw!;
      const [mean, abs, squared, variance] = [await run('mean'), await run('abs'), await run('squared'), await run('variance')];
      const atol = 1e-6 * maxAbs(squared);
      expectClose(variance, Float64Array.from(mean, (m, e) => Math.max(0, squared[e] - m * m)), { rtol: 0, atol });
      expect(maxAbs(variance)).toBeGreaterThan(1e-6);
      for (let e = 0; e < mean.length; e++) {
        expect(abs[e]).toBeGreaterThanOrEqual(Math.abs(mean[e]) - 1e-7);
        expect(squared[e]).toBeGreaterThanOrEqual(mean[e] * mean[e] - atol);
      }
      x.dispose();
    });
  });

  it('is deterministic per (seed, item index) and independent of batch composition and chunking (rtol 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 6, 6, 3], 6);
      const params = sg.validate({ n: 6 });
      const a = await sg.run(makeCtx(smooth, x, [0, 1, 2], params, { seed: 7, indices: [2, 5, 9] }));
      const b = await sg.run(makeCtx(smooth, x, [0, 1, 2], params, { seed: 7, indices: [2, 5, 9], maxElementsPerPass: 4 * SIZE }));
      const c = await sg.run(makeCtx(smooth, x, [0, 1, 2], params, { seed: 8, indices: [2, 5, 9] }));
      expectClose(b.raw!, a.raw!, { rtol: 1e-5, atol: 1e-7 });
      expect(relativeError(c.raw!, a.raw!)).toBeGreaterThan(1e-2);
      const middle = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]) as tfTypes.Tensor4D;
      const alone = await sg.run(makeCtx(smooth, middle, [1], params, { seed: 7, indices: [5] }));
      expectClose(alone.raw!, rowOf(a.raw!, 1, SIZE), { rtol: 1e-5, atol: 1e-7 });
      tf.dispose([x, middle]);
    });
  });

  it('Monte-Carlo variance of each pixel falls like 1/n: log-log slope over n ∈ {10, 40, 160} in [−1.25, −0.75]', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const replicas = 16;
      const one = seededInput([1, 6, 6, 3], 7);
      const x = tf.tile(one, [replicas, 1, 1, 1]) as tfTypes.Tensor4D;
      const indices = Array.from({ length: replicas }, (_, i) => i);
      const logs: Array<[number, number]> = [];
      for (const n of [10, 40, 160]) {
        const { raw } = await sg.run(makeCtx(smooth, x, new Array(replicas).fill(0), sg.validate({ n }), { seed: 1, indices }));
        let total = 0;
        for (let e = 0; e < SIZE; e++) {
          const values = Array.from({ length: replicas }, (_, r) => raw![r * SIZE + e]);
          const m = values.reduce((s, v) => s + v, 0) / replicas;
          total += values.reduce((s, v) => s + (v - m) ** 2, 0) / (replicas - 1);
        }
        logs.push([Math.log(n), Math.log(total / SIZE)]);
      }
      const mx = logs.reduce((s, [a]) => s + a, 0) / 3;
      const my = logs.reduce((s, [, b]) => s + b, 0) / 3;
      const slope = logs.reduce((s, [a, b]) => s + (a - mx) * (b - my), 0) / logs.reduce((s, [a]) => s + (a - mx) ** 2, 0);
      expect(slope).toBeGreaterThan(-1.25);
      expect(slope).toBeLessThan(-0.75);
      tf.dispose([one, x]);
    });
  });

  it('map = max over channels of |raw|; progress counts samples to N·n', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 8);
      const seen: number[] = [];
      const { raw, maps } = await sg.run(makeCtx(smooth, x, [0, 0], sg.validate({ n: 5 }), { onStep: (d, t) => seen.push(d / t), maxElementsPerPass: 3 * SIZE }));
      expect(Array.from(maps)).toEqual(Array.from(maps, (_, p) => Math.max(Math.abs(raw![3 * p]), Math.abs(raw![3 * p + 1]), Math.abs(raw![3 * p + 2]))));
      expect(seen.length).toBe(4);
      expect(seen[3]).toBe(1);
      x.dispose();
    });
  });

  it('stops with CANCELLED before the run and mid-run, leaving no tensors', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 9);
      const before = new AbortController();
      before.abort();
      expect((await appErrorOf(() => sg.run(makeCtx(smooth, x, [0, 0], {}, { signal: before.signal })))).code).toBe('CANCELLED');
      const during = new AbortController();
      const err = await appErrorOf(() => sg.run(makeCtx(smooth, x, [0, 0], sg.validate({ n: 30 }), { signal: during.signal, onStep: () => during.abort(), maxElementsPerPass: 5 * SIZE })));
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('smoothgrad');
      x.dispose();
    });
  });
});
