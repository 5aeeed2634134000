/**
 * Curve evaluation on the native backend against closed forms and a direct, slow reference: the
 * framework x̃ = M ⊙ x + (1 − M) ⊙ B (M = 1 → x, M = 0 → B, masks broadcast over channels; §4.7),
 * endpoints, baseline-draw averaging, the single-pixel model (§5.8), linear-model MoRF/LeRF
 * optimality and the expected curve of random orderings (§5.9), AUC ∈ [0, 1], cancellation and
 * tensor leaks. (Occlusion with 1×1 windows = w_i(x_i − B_i) is tested in
 * test/engine/methods-perturbation/occlusion.test.ts and not repeated here.)
 */
import fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../shared/random';
import { getBaseline } from '../../main/engine/baselines';
import { aopc, trapezoidAuc } from '../../main/engine/metrics/curve';
import { drawSeed, evaluateCurves, type CurveContext, type CurveTask } from '../../main/engine/metrics/evaluate';
import { getMetric, type MetricId } from '../../main/engine/metrics';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { useBackend } from '../support/each-backend';
import { buildSmoothCnn, makeTempDir, seededInput, writeFixture } from '../support/make-fixtures';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from '../engine/helpers/errors';
import { buildLinearRgb, linearContributions, linearWeights } from '../engine/methods-perturbation/perturbation-fixtures';

/** 4×4×1 model, 2 classes: logit 0 = 3·x[pixel 5], logit 1 = 0. */
function buildSinglePixel(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2 })] });
  const kernel = new Float32Array(32);
  kernel[5 * 2] = 3;
  const values = [tf.tensor2d(kernel, [16, 2]), tf.zeros([2])];
  model.layers[1].setWeights(values);
  tf.dispose(values);
  return model;
}

describe('metric curves (native)', () => {
  const backend = useBackend();
  let root = '';
  let linear: ModelHandle;
  let smooth: ModelHandle;
  let single: ModelHandle;
  const { w } = linearWeights();

  const task = (id: MetricId, maps: ArrayLike<number>[], h: number, width: number, params: Record<string, unknown>): CurveTask => {
    const metric = getMetric(id);
    const p = metric.validate(params);
    return { metric, params: p, schedules: maps.map((m) => metric.schedule(m, h, width, p)) };
  };
  const ctx = (model: ModelHandle, x: tf.Tensor4D, targets: number[], extra: Partial<CurveContext> = {}): CurveContext =>
    ({ tf: backend.tf, model, x, targets: Int32Array.from(targets), score: 'logit', signal: new AbortController().signal, ...extra });

  /** The slow reference: every point built as its own input, one forward pass each. */
  async function slowCurve(model: ModelHandle, t: CurveTask, x: tf.Tensor4D, row: number, target: number, seed: number, score: 'logit' | 'prob'): Promise<number[]> {
    const [, h, wd, c] = x.shape;
    const xr = x.slice([row, 0, 0, 0], [1, h, wd, c]);
    const sched = t.schedules[row];
    const sums = new Array(sched.steps + 1).fill(0);
    for (let d = 0; d < t.params.draws; d++) {
      const bAll = await getBaseline(t.params.baseline).materialize({ tf, x, descriptor: model.descriptor, seed: drawSeed(seed, d) });
      const bv = bAll.slice([row, 0, 0, 0], [1, h, wd, c]);
      const xs = xr.dataSync();
      const bs = bv.dataSync();
      for (let k = 0; k <= sched.steps; k++) {
        const input = new Float32Array(h * wd * c);
        for (let p = 0; p < h * wd; p++) {
          const moved = sched.stepOf[p] > 0 && sched.stepOf[p] <= k;
          const keep = t.metric.direction === 'insert' ? moved : !moved;
          for (let ch = 0; ch < c; ch++) input[p * c + ch] = keep ? xs[p * c + ch] : bs[p * c + ch];
        }
        const out = tf.tidy(() => (score === 'logit' ? model.logits(tf.tensor4d(input, [1, h, wd, c])) : model.probabilities(tf.tensor4d(input, [1, h, wd, c]))).dataSync());
        sums[k] += out[target] / t.params.draws;
      }
      tf.dispose([bAll, bv]);
    }
    xr.dispose();
    return sums;
  }

  beforeAll(async () => {
    root = await makeTempDir('saliency-metrics-');
    linear = await loadModel(await writeFixture(root, 'linear', () => buildLinearRgb('linear')));
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
    single = await loadModel(await writeFixture(root, 'single', buildSinglePixel));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('matches the slow per-point reference for all four metrics under several baselines, across many small passes (atol 1e-5)', async () => {
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 3], 4);
      const rng = createRng(11);
      const maps = [0, 1].map(() => Array.from({ length: 16 }, () => rng.uniform()));
      const tasks = [
        task('deletion', maps, 4, 4, { baseline: 'black', steps: 5 }),
        task('insertion', maps, 4, 4, { baseline: 'blur:sigma=1' }),
        task('morf', maps, 4, 4, { baseline: 'uniform-noise', tile: 3, draws: 2 }),
        task('lerf', maps, 4, 4, { baseline: 'grey', tile: 2, steps: 3 })
      ];
      const result = await evaluateCurves(ctx(linear, x, [0, 2], { seed: 7, maxElementsPerPass: 5 * 48 }), tasks);
      for (const [ti, t] of tasks.entries()) {
        for (const row of [0, 1]) expectClose(result.curves[ti][row], await slowCurve(linear, t, x, row, [0, 2][row], 7, 'logit'), { rtol: 1e-5, atol: 1e-5 });
      }
      expect(tasks[0].schedules[0].steps).toBe(4); // 5 steps asked: ⌈16/5⌉ = 4 per step → 4 steps
      expect(result.perturbed).toBe(2 * (3 + 3 + 2 * 3 + 3));
      x.dispose();
    });
  });

  it('framework: the curve starts at s(x) (deletion) / s(B) (insertion) and ends at the other; probability by default (atol 1e-6)', async () => {
    const x = seededInput([3, 10, 10, 2], 5);
    const maps = [0, 1, 2].map((s) => Array.from({ length: 100 }, (_, i) => Math.sin(i * (s + 1))));
    const del = task('deletion', maps, 10, 10, { baseline: 'constant:value=0.3' });
    const ins = task('insertion', maps, 10, 10, { baseline: 'constant:value=0.3' });
    const r = await evaluateCurves(ctx(smooth, x, [0, 1, 2], { score: 'prob' }), [del, ins]);
    const ref = tf.fill([3, 10, 10, 2], 0.3) as tf.Tensor4D;
    const px = tf.tidy(() => smooth.probabilities(x).arraySync());
    const pb = tf.tidy(() => smooth.probabilities(ref).arraySync());
    for (let row = 0; row < 3; row++) {
      const [d, i] = [r.curves[0][row], r.curves[1][row]];
      expect(d[0]).toBeCloseTo(px[row][row], 6);
      expect(d[d.length - 1]).toBeCloseTo(pb[row][row], 6);
      expect(i[0]).toBeCloseTo(pb[row][row], 6);
      expect(i[i.length - 1]).toBeCloseTo(px[row][row], 6);
      expect(r.baselineScores[0][row]).toBeCloseTo(pb[row][row], 6);
      for (const v of [...d, ...i]) expect(v >= 0 && v <= 1).toBe(true);
      const auc = trapezoidAuc(del.schedules[row].fraction, d);
      expect(auc >= 0 && auc <= 1).toBe(true);
    }
    tf.dispose([x, ref]);
  });

  it('insertion with B = x (blur of a constant image) is constant s(x), so AUC = s(x); deletion likewise', async () => {
    const x = tf.fill([1, 4, 4, 3], 0.6) as tf.Tensor4D;
    const maps = [Array.from({ length: 16 }, (_, i) => i)];
    const r = await evaluateCurves(ctx(linear, x, [1]), [task('insertion', maps, 4, 4, {}), task('deletion', maps, 4, 4, { baseline: 'constant:value=0.6' })]);
    const fx = r.original[0];
    for (const curve of [r.curves[0][0], r.curves[1][0]]) {
      expectClose(curve, new Array(curve.length).fill(fx), { atol: 1e-5 });
      expect(trapezoidAuc(Array.from({ length: curve.length }, (_, k) => k / (curve.length - 1)), curve)).toBeCloseTo(fx, 5);
    }
    x.dispose();
  });

  it('single-pixel model, pixel ranked first, logit: the curve drops to 0 after step 1 and AUC = v0/(2K)', async () => {
    const x = seededInput([1, 4, 4, 1], 6);
    const map = new Float32Array(16).fill(0.1);
    map[5] = 1;
    const t = task('deletion', [map], 4, 4, { baseline: 'black' });
    const r = await evaluateCurves(ctx(single, x, [0]), [t]);
    const curve = r.curves[0][0];
    const v0 = 3 * x.dataSync()[5];
    expect(curve[0]).toBeCloseTo(v0, 5);
    for (let k = 1; k < curve.length; k++) expect(Math.abs(curve[k])).toBeLessThan(1e-6);
    const K = t.schedules[0].steps;
    expect(K).toBe(4);
    expect(trapezoidAuc(t.schedules[0].fraction, curve)).toBeCloseTo(v0 / (2 * K), 5);
    x.dispose();
  });

  it('noise baselines: the curve is the mean of the per-draw curves (draw d seeded by drawSeed(seed, d))', async () => {
    const x = seededInput([1, 4, 4, 3], 8);
    const maps = [Array.from({ length: 16 }, (_, i) => (i * 7) % 16)];
    const many = await evaluateCurves(ctx(linear, x, [2], { seed: 3 }), [task('morf', maps, 4, 4, { baseline: 'uniform-noise', tile: 2, draws: 3 })]);
    const perDraw: Float64Array[] = [];
    for (let d = 0; d < 3; d++) perDraw.push((await evaluateCurves(ctx(linear, x, [2], { seed: drawSeed(3, d) }), [task('morf', maps, 4, 4, { baseline: 'uniform-noise', tile: 2, draws: 1 })])).curves[0][0]);
    expectClose(many.curves[0][0], perDraw[0].map((_, k) => (perDraw[0][k] + perDraw[1][k] + perDraw[2][k]) / 3), { atol: 1e-5 });
    expect(perDraw[0]).not.toEqual(perDraw[1]);
    x.dispose();
  });

  it('linear model, 1×1 tiles: ordering by w ⊙ (x − B) maximises MoRF AOPC and minimises LeRF AOPC against 30 random orderings', async () => {
    const x = seededInput([1, 4, 4, 3], 9);
    const target = 1;
    for (const baseline of ['black', 'grey', 'blur:sigma=1']) {
      const ref = await getBaseline(baseline).materialize({ tf, x, descriptor: linear.descriptor });
      const contrib = linearContributions(w, x.arraySync(), ref.arraySync(), [target])[0];
      ref.dispose();
      const rng = createRng(21);
      const randoms = Array.from({ length: 30 }, () => Array.from({ length: 16 }, () => rng.uniform()));
      const maps = [contrib, ...randoms];
      const xs = tf.tile(x, [maps.length, 1, 1, 1]) as tf.Tensor4D;
      const r = await evaluateCurves(ctx(linear, xs, new Array(maps.length).fill(target)), [task('morf', maps, 4, 4, { baseline, tile: 1 }), task('lerf', maps, 4, 4, { baseline, tile: 1 })]);
      const morf = r.curves[0].map(aopc);
      const lerf = r.curves[1].map(aopc);
      for (let i = 1; i < maps.length; i++) {
        expect(morf[0], `${baseline} morf vs random ${i}`).toBeGreaterThanOrEqual(morf[i] - 1e-5);
        expect(lerf[0], `${baseline} lerf vs random ${i}`).toBeLessThanOrEqual(lerf[i] + 1e-5);
      }
      xs.dispose();
    }
    x.dispose();
  });

  it('random orderings: the mean MoRF curve is linear between f(x) and f(B) (within 4 standard errors per point)', async () => {
    const x = seededInput([1, 4, 4, 3], 10);
    const rng = createRng(33);
    const n = 200;
    const maps = Array.from({ length: n }, () => Array.from({ length: 16 }, () => rng.uniform()));
    const xs = tf.tile(x, [n, 1, 1, 1]) as tf.Tensor4D;
    const r = await evaluateCurves(ctx(linear, xs, new Array(n).fill(0)), [task('morf', maps, 4, 4, { baseline: 'grey', tile: 1 })]);
    const fx = r.original[0];
    const fb = r.baselineScores[0][0];
    for (let k = 0; k <= 16; k++) {
      const values = r.curves[0].map((c) => c[k]);
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      expect(Math.abs(mean - (fx + (k / 16) * (fb - fx))), `k=${k}`).toBeLessThanOrEqual(4 * sd / Math.sqrt(n) + 1e-5);
    }
    tf.dispose([x, xs]);
  });

  it('cancellation: an aborted signal stops with CANCELLED and leaves no tensor behind', async () => {
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 12);
      const maps = [0, 1].map(() => Array.from({ length: 100 }, (_, i) => i));
      const controller = new AbortController();
      const err = await appErrorOf(() => evaluateCurves(ctx(smooth, x, [0, 1], { signal: controller.signal, maxElementsPerPass: 400, onStep: (d) => d > 10 && controller.abort() }), [task('deletion', maps, 10, 10, { steps: 50 })]));
      expect(err.code).toBe('CANCELLED');
      x.dispose();
    });
  });
});
