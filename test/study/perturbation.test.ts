/**
 * The perturbation study on a few demo digits (demo/models/digits-cnn, 28×28×1): structure of
 * study.json and its invariants — a map agrees with itself (matrix diagonals 1), identical
 * baselines give τ = 1 and no winner changes, the spread ratio follows from the means, neutrality
 * is f_c(B) as a direct forward pass gives it, metric scores match a direct evaluation — plus grid
 * validation, cancellation and tensor leaks.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBaseline } from '../../main/engine/baselines';
import { getImageSet } from '../../main/engine/inputs';
import { getMetric } from '../../main/engine/metrics';
import { aopc } from '../../main/engine/metrics/curve';
import { evaluateCurves } from '../../main/engine/metrics/evaluate';
import { getMethod } from '../../main/engine/saliency';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { parseGrid } from '../../main/engine/study/grid';
import { runPerturbationStudy } from '../../main/engine/study/perturbation';
import { sampleSd } from '../../main/engine/study/rankings';
import type { StudyFile, StudyResult } from '../../main/engine/study/types';
import { useBackend } from '../support/each-backend';
import { appErrorOf } from '../engine/helpers/errors';

const ROOT = path.resolve(__dirname, '..', '..');
const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn', 'model.json');
const INPUTS = { path: path.join(ROOT, 'demo', 'test.csv') };

const GRID = {
  baselines: ['black', 'constant:value=0', 'blur:sigma=2', 'uniform-noise'],
  occlusion: { window: [4, 7], stride: [2] },
  rise: { n: [40, 80], grid: [4], p: [0.5], seeds: [0, 1] },
  methods: ['gradient', 'input-x-gradient', 'integrated-gradients', 'grad-cam', 'occlusion', 'rise'],
  controls: ['random', 'centre-gaussian'],
  metrics: ['morf', 'lerf', 'deletion'],
  metricParams: { tile: 7, draws: 2 },
  images: 4,
  bootstrap: 200,
  batchSize: 3
};

describe('perturbation study (demo model, native)', () => {
  useBackend();
  let root = '';
  let model: ModelHandle;
  let result: StudyResult;
  let file: StudyFile;
  const progress: Array<{ done: number; total: number }> = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-study-'));
    model = await loadModel(MODEL);
    const before = tf.memory().numTensors;
    result = await runPerturbationStudy(tf, model, { modelPath: MODEL, inputs: INPUTS, grid: GRID, out: path.join(root, 'study.json') }, { signal: new AbortController().signal, progress: (p) => progress.push(p) });
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
    file = JSON.parse(await fs.readFile(path.join(root, 'study.json'), 'utf8'));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('writes every section, per image, with the grid in canonical form', () => {
    expect(file.format).toBe('saliency-study-perturbation-v1');
    expect(file.images).toHaveLength(4);
    expect(file.grid.baselines).toEqual(['black', 'constant:value=0', 'blur:sigma=2,radius=8', 'uniform-noise:low=0,high=255']);
    expect(file.neutrality.map((n) => n.perImage.length)).toEqual([4, 4, 4, 4]);
    expect(file.rankings.map((r) => r.metric)).toEqual(['morf', 'lerf', 'deletion']);
    const ranked = ['gradient', 'input-x-gradient', 'integrated-gradients', 'grad-cam', 'occlusion', 'rise', 'integrated-gradients:matched', 'random', 'centre-gaussian'];
    for (const r of file.rankings) {
      expect(r.methods).toEqual(ranked);
      expect(r.perImage).toHaveLength(4);
      for (const perMethod of r.perImage) for (const values of perMethod) expect(values.every(Number.isFinite)).toBe(true);
      expect(r.betweenBaselines).toHaveLength(6);
    }
    expect(file.betweenMetrics).toHaveLength(4 * 3);
    const families = file.agreement.map((f) => `${f.method}:${f.varies}`);
    expect(families).toEqual(['methods:method', 'occlusion:baseline', 'occlusion:window,stride', 'rise:baseline', 'rise:n,grid,p']);
    expect(file.agreement[0].matrices.map((m) => m.spec)).toEqual(['spearman', 'topk:0.05', 'topk:0.1', 'ssim']);
    expect(file.riseConvergence).toHaveLength(1);
    expect(file.riseConvergence[0].rows.map((r) => r.n)).toEqual([40, 80]);
    expect(progress.at(-1)).toMatchObject({ done: progress.at(-1)!.total });
    expect(result.headline.map((h) => h.metric)).toEqual(['morf', 'lerf', 'deletion']);
  });

  it('a map agrees with itself: every matrix diagonal is 1 wherever the statistic is defined', () => {
    for (const family of file.agreement) for (const m of family.matrices) {
      m.mean.forEach((row, i) => {
        if (m.defined[i][i] > 0) expect(row[i], `${family.method}/${family.varies} ${m.spec} ${m.labels[i]}`).toBeCloseTo(1, 10);
      });
    }
    // RISE with the largest N agrees with itself exactly.
    expect(file.riseConvergence[0].rows[1].withLargestN.mean).toBeCloseTo(1, 10);
  });

  it('identical baselines (black = constant 0 raw on a [0, 1] model) give τ = 1 and no winner changes; τ is symmetric', () => {
    for (const r of file.rankings) {
      const same = r.betweenBaselines.find((p) => p.a === 'black' && p.b === 'constant:value=0')!;
      expect(same.winnerChanged).toBe(0);
      expect(same.meanTau.mean).toBeCloseTo(1, 10);
      expect(r.tauMatrix[0][1]).toBe(r.tauMatrix[1][0]);
      // Maps made under the two baselines (occlusion, RISE, matched IG) agree up to float32 rounding.
      for (let m = 0; m < r.methods.length; m++) r.perImage[0][m].forEach((v, t) => expect(r.perImage[1][m][t]).toBeCloseTo(v, 6));
    }
  });

  it('spread ratio follows from the per-baseline means; means are the means of the per-image values', () => {
    for (const r of file.rankings) {
      const means = r.perImage.map((perMethod) => perMethod.map((v) => v.reduce((a, b) => a + b, 0) / v.length));
      means.forEach((row, b) => row.forEach((m, k) => expect(r.means[b][k].mean).toBeCloseTo(m, 12)));
      const across = r.methods.map((_, k) => sampleSd(means.map((row) => row[k])));
      const between = means.map((row) => sampleSd(row));
      const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      expect(r.spread.ratio).toBeCloseTo(avg(across) / avg(between), 10);
    }
  });

  it('neutrality is f_c(B) of a direct forward pass (c = class predicted on x), chance 1/10', async () => {
    const images = file.images;
    // `black` does not depend on x, so any x of the right shape gives the same B.
    const x = tf.zeros([4, 28, 28, 1]) as tf.Tensor4D;
    const ref = await getBaseline('black').materialize({ tf, x, descriptor: model.descriptor });
    const probs = tf.tidy(() => model.probabilities(ref).arraySync());
    tf.dispose([x, ref]);
    const black = file.neutrality[0];
    expect(black.chance).toBeCloseTo(0.1, 12);
    black.perImage.forEach((v, i) => expect(v).toBeCloseTo(probs[i][images[i].predicted], 5));
  });

  it('a ranked score equals a direct evaluation: gradient maps under MoRF (black, 7×7 tiles) give the stored AOPC (atol 1e-6)', async () => {
    const set = await getImageSet(INPUTS.path);
    const loaded = await set.loadBatch(file.images.map((i) => i.index), model.descriptor.preprocessing, model.descriptor.inputShape);
    const x = tf.tensor4d(loaded.data, [4, 28, 28, 1]);
    const targets = Int32Array.from(file.images.map((i) => i.predicted));
    const maps = await getMethod('gradient').run({ tf, model, x, targets, params: {}, signal: new AbortController().signal });
    const metric = getMetric('morf');
    const params = metric.validate({ baseline: 'black', tile: 7, draws: 2 });
    const schedules = [0, 1, 2, 3].map((r) => metric.schedule(maps.maps.subarray(r * 784, (r + 1) * 784), 28, 28, params));
    const r = await evaluateCurves({ tf, model, x, targets, score: 'prob', signal: new AbortController().signal }, [{ metric, params, schedules }]);
    x.dispose();
    const morf = file.rankings[0];
    r.curves[0].forEach((curve, i) => expect(morf.perImage[0][0][i]).toBeCloseTo(aopc(curve), 6));
  });

  it('rejects bad grids with PARAM_INVALID naming the field', async () => {
    expect((await appErrorOf(() => parseGrid({ images: 0 }))).message).toContain('`images`');
    expect((await appErrorOf(() => parseGrid({ baselines: ['purple'] }))).message).toContain('Unknown baseline');
    expect((await appErrorOf(() => parseGrid({ methods: ['magic'] }))).message).toContain('Unknown saliency method');
    expect((await appErrorOf(() => parseGrid({ occlusion: { window: [3], stride: [5] } }))).message).toContain('stride 5');
    expect((await appErrorOf(() => parseGrid({ metrics: ['morf', 'morf'] }))).message).toContain('twice');
    expect((await appErrorOf(() => parseGrid({ colour: 'red' }))).message).toContain('colour');
    expect(parseGrid({}).methods).toHaveLength(7);
  });

  it('cancellation stops the study with CANCELLED, writes nothing and leaks nothing', async () => {
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const out = path.join(root, 'cancelled.json');
    const err = await appErrorOf(() => runPerturbationStudy(tf, model, { modelPath: MODEL, inputs: INPUTS, grid: GRID, out }, { signal: controller.signal, progress: (p) => p.done >= 2 && controller.abort() }));
    expect(err.code).toBe('CANCELLED');
    expect(tf.memory().numTensors).toBe(before);
    await expect(fs.stat(out)).rejects.toThrow();
  });
});
