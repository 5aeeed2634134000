import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfjs from '@tensorflow/tfjs';
import type { Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod } from '../../../main/engine/saliency';
import type { SaliencyContext } from '../../../main/engine/saliency';
import { resizeMaps } from '../../../main/engine/saliency/upsample';
import { useBackend } from '../../support/each-backend';
import { buildLinearModel, GRAPH_FIXTURES, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { buildGapModel } from './cam-fixtures';

const savedModel = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'engine', 'saved-model', 'tiny');
const gradCam = getMethod('grad-cam');
const gradCamPP = getMethod('grad-cam-pp');

/** The GAP model with class 2's dense column (and bias) set to zero: its logit does not depend on A. */
function buildGapModelDeadClass(): tfjs.LayersModel {
  const model = buildGapModel();
  const out = model.getLayer('out');
  // getWeights returns the live variables: only the new values are freed here.
  const [kernel, bias] = out.getWeights();
  const edited = tfjs.tidy(() => [tfjs.mul(kernel, tfjs.tensor1d([1, 1, 0])), tfjs.mul(bias, tfjs.tensor1d([1, 1, 0]))]);
  out.setWeights(edited);
  tfjs.dispose(edited);
  return model;
}

describe('Grad-CAM and Grad-CAM++', () => {
  const backend = useBackend();
  let root = '';
  let gap: ModelHandle;
  let dead: ModelHandle;
  /** In-memory twin of the GAP fixture (same seeds): A from a sub-model, W from the dense layer. */
  let twin: tfjs.LayersModel;
  const ctx = (model: ModelHandle, x: Tensor4D, targets: number[], params: Record<string, unknown> = {}, extra: Partial<SaliencyContext> = {}): SaliencyContext =>
    ({ tf: backend.tf, model, x, targets: Int32Array.from(targets), params, signal: new AbortController().signal, ...extra });

  beforeAll(async () => {
    root = await makeTempDir();
    gap = await loadModel(await writeFixture(root, 'gap', () => buildGapModel()));
    dead = await loadModel(await writeFixture(root, 'dead', buildGapModelDeadClass));
    twin = buildGapModel();
  });

  afterAll(async () => {
    twin.dispose();
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** A [N, 4, 4, 6] and W [6, 3] of the GAP model, read independently of the method. */
  function activationsAndWeights(x: Tensor4D): { a: number[][][][]; w: number[][] } {
    return tfjs.tidy(() => {
      const features = tfjs.model({ inputs: twin.inputs, outputs: twin.getLayer('feat').output as tfjs.SymbolicTensor });
      return { a: (features.predict(x) as Tensor4D).arraySync(), w: twin.getLayer('out').getWeights()[0].arraySync() as number[][] };
    });
  }

  /** ReLU(Σ_k weight(k) A_k) on the 4×4 grid, flattened row by row, in float64. */
  function camOf(a: number[][][][], row: number, weight: (k: number) => number): number[] {
    return a[row].flatMap((line) => line.map((cell) => Math.max(0, cell.reduce((s, v, k) => s + weight(k) * v, 0))));
  }

  /** The closed form must exercise both branches of the map's ReLU, or a method returning zeros would pass. */
  function expectNonTrivial(expected: number[]): void {
    expect(Math.max(...expected), 'some cells above 0').toBeGreaterThan(1e-3);
    expect(expected.some((v) => v === 0), 'some cells cut by the ReLU').toBe(true);
  }

  it('validates parameters, naming them', async () => {
    expect(gradCam.validate({})).toEqual({ layer: null, upsample: 'bilinear', normalize: 'none' });
    expect(gradCam.requires).toEqual(['gradients', 'layer-activations']);
    expect((await appErrorOf(() => gradCam.validate({ upsample: 'lanczos' }))).message).toContain('`upsample`');
    expect((await appErrorOf(() => gradCamPP.validate({ layer: 3 }))).message).toContain('`layer`');
    expect((await appErrorOf(() => gradCamPP.validate({ steps: 3 }))).message).toContain('`steps`');
  });

  it('GAP head: Grad-CAM = ReLU(CAM)/(h·w) on the native grid; min-max normalised = min-max ReLU(CAM) (atol 1e-6)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 8, 8, 2], 1);
      const targets = [0, 1, 2];
      const { a, w } = activationsAndWeights(x);
      const result = await gradCam.run(ctx(gap, x, targets, { upsample: 'none' }));
      expect([result.height, result.width, result.raw]).toEqual([4, 4, null]);
      const expected = targets.flatMap((c, row) => camOf(a, row, (k) => w[k][c] / 16));
      expectNonTrivial(expected);
      expectClose(result.maps, expected, { rtol: 1e-5, atol: 1e-6 });
      const normalised = await gradCam.run(ctx(gap, x, targets, { upsample: 'none', normalize: 'minmax' }));
      targets.forEach((c, row) => {
        const cam = camOf(a, row, (k) => w[k][c]);
        const max = Math.max(...cam);
        const min = Math.min(...cam);
        if (max > 0) expectClose(normalised.maps.subarray(row * 16, (row + 1) * 16), cam.map((v) => (v - min) / (max - min)), { atol: 1e-5 });
      });
      x.dispose();
    });
  });

  it('GAP head, score = prob: α_k = p_c (W_kc − Σ_j p_j W_kj)/(h·w) (atol 1e-6)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 8, 8, 2], 2);
      const { a, w } = activationsAndWeights(x);
      const probs = tf.tidy(() => gap.probabilities(x).arraySync());
      const result = await gradCam.run(ctx(gap, x, [1, 0], { upsample: 'none' }, { score: 'prob' }));
      const expected = [1, 0].flatMap((c, row) => camOf(a, row, (k) => (probs[row][c] * (w[k][c] - probs[row].reduce((s, p, j) => s + p * w[k][j], 0))) / 16));
      expectNonTrivial(expected);
      expectClose(result.maps, expected, { rtol: 1e-4, atol: 1e-6 });
      x.dispose();
    });
  });

  it('GAP head: Grad-CAM++ closed form w_k = h·w·ReLU(γ_k)/(2 + γ_k S_k), γ_k = W_kc/(h·w) (rel. 1e-4)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 8, 8, 2], 3);
      const targets = [2, 0, 1];
      const { a, w } = activationsAndWeights(x);
      const result = await gradCamPP.run(ctx(gap, x, targets, { upsample: 'none' }));
      const expected = targets.flatMap((c, row) => camOf(a, row, (k) => {
        const gamma = w[k][c] / 16;
        const s = a[row].flat().reduce((sum, cell) => sum + cell[k], 0);
        return (16 * Math.max(gamma, 0)) / (2 + gamma * s);
      }));
      // w_k ≥ 0 and A ≥ 0 here, so only the ReLU(γ_k) in the weights cuts: check it does.
      expect(Math.max(...expected)).toBeGreaterThan(1e-3);
      expect(targets.some((c) => w.some((col) => col[c] < 0))).toBe(true);
      expectClose(result.maps, expected, { rtol: 1e-4, atol: 1e-6 });
      x.dispose();
    });
  });

  it('a class whose logit does not depend on A gets an all-zero map (both methods)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 8, 8, 2], 4);
      for (const method of [gradCam, gradCamPP]) {
        const { maps } = await method.run(ctx(dead, x, [2, 2]));
        expect(maps.every((v) => v === 0), method.id).toBe(true);
      }
      x.dispose();
    });
  });

  it('upsampling: bilinear = resize of the native map, bicubic = Keys resize clamped to the native range; native map as artifact', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 8, 8, 2], 5);
      const native = await gradCamPP.run(ctx(gap, x, [0, 1], { upsample: 'none' }));
      expect(Math.max(...native.maps)).toBeGreaterThan(1e-3);
      const bilinear = await gradCamPP.run(ctx(gap, x, [0, 1]));
      const bicubic = await gradCamPP.run(ctx(gap, x, [0, 1], { upsample: 'bicubic' }));
      expect([bilinear.height, bilinear.width]).toEqual([8, 8]);
      expect(bilinear.artifacts!.native).toEqual({ data: native.maps, shape: [2, 4, 4] });
      const [up, cubic] = tf.tidy(() => {
        const m = tf.tensor3d(native.maps, [2, 4, 4]);
        const bounds = (t: Tensor3D) => tf.minimum(tf.maximum(t, tf.min(m, [1, 2], true)), tf.max(m, [1, 2], true));
        return [tf.image.resizeBilinear(tf.expandDims(m, 3) as Tensor4D, [8, 8], false, true).dataSync(), bounds(resizeMaps(tf, m, 8, 8, 'bicubic')).dataSync()];
      });
      expectClose(bilinear.maps, up, { rtol: 1e-5, atol: 1e-6 });
      expectClose(bicubic.maps, cubic, { rtol: 1e-5, atol: 1e-6 });
      x.dispose();
    });
  });

  it('Graph model (gender, conv → GAP → softmax): Grad-CAM = ReLU(A_c)/(h·w) at the default layer (atol 1e-6)', async () => {
    const { tf } = backend;
    const gender = await loadModel(path.join(GRAPH_FIXTURES, 'gender'));
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.sub(tf.mul(seededInput([2, 64, 64, 1], 6), 2), 1)) as Tensor4D;
      const result = await gradCam.run(ctx(gender, x, [1, 0], { upsample: 'none' }));
      const a = tf.tidy(() => (gender.layerActivations!.split(x).activations).arraySync());
      const expected = [1, 0].flatMap((c, row) => a[row].flatMap((line) => line.map((cell) => Math.max(0, cell[c]) / 16)));
      expectNonTrivial(expected);
      expectClose(result.maps, expected, { rtol: 1e-5, atol: 1e-6 });
      tf.dispose(x);
    });
  });

  it('rows are independent: a batched run equals single-row runs (rel. 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 8, 8, 2], 7);
      const batched = await gradCamPP.run(ctx(gap, x, [0, 1, 2], { upsample: 'bicubic' }));
      for (const row of [0, 1, 2]) {
        const alone = tf.slice(x, [row, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D;
        const single = await gradCamPP.run(ctx(gap, alone, [row], { upsample: 'bicubic' }));
        expectClose(single.maps, batched.maps.subarray(row * 64, (row + 1) * 64), { rtol: 1e-5, atol: 1e-7 });
        alone.dispose();
      }
      x.dispose();
    });
  });

  it('refuses models without layer activations or conv layers, and unknown layers, before computing', async () => {
    const { tf } = backend;
    const saved = await loadModel(savedModel);
    const linear = await loadModel(await writeFixture(root, 'linear', () => buildLinearModel('softmax')));
    await expectNoLeak(tf, async () => {
      const xs = tf.zeros([1, 8, 8, 1]) as Tensor4D;
      expect((await appErrorOf(() => gradCam.run(ctx(saved, xs, [0])))).code).toBe('MODEL_CAPABILITY_MISSING');
      const xl = seededInput([1, 4, 4, 2], 8);
      expect((await appErrorOf(() => gradCamPP.run(ctx(linear, xl, [0])))).code).toBe('MODEL_CAPABILITY_MISSING');
      const xg = seededInput([1, 8, 8, 2], 8);
      const unknown = await appErrorOf(() => gradCam.run(ctx(gap, xg, [0], { layer: 'nope' })));
      expect(unknown.code).toBe('PARAM_INVALID');
      expect(unknown.message).toContain('c1, feat');
      tf.dispose([xs, xl, xg]);
    });
  });

  it('stops with CANCELLED when aborted before or during the run, leaking nothing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 8, 8, 2], 9);
      const before = new AbortController();
      before.abort();
      expect((await appErrorOf(() => gradCam.run(ctx(gap, x, [0, 1], {}, { signal: before.signal })))).code).toBe('CANCELLED');
      const during = new AbortController();
      const running = gradCamPP.run(ctx(gap, x, [0, 1], { upsample: 'bicubic' }, { signal: during.signal }));
      during.abort();
      const err = await appErrorOf(() => running);
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('grad-cam-pp');
      x.dispose();
    });
  });
});
