/**
 * The lean batch-norm input gradient (lean-gradients.ts): same input gradients as tfjs' own
 * FusedBatchNorm gradient on a CNN with non-trivial batch-norm statistics and affine parameters,
 * through the gradient method's own call; the registry entry is swapped only during the call and
 * restored after it, also when the call throws; the other gradients are the original's.
 */
import fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { withLeanGradients } from '../../../main/engine/saliency/lean-gradients';
import { inputGradient } from '../../../main/engine/saliency/attribution';
import { getMethod } from '../../../main/engine/saliency';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { makeCtx, sidecarFor } from './helpers';

/** conv → batch norm (random γ, β, moving μ, σ²) → ReLU → conv → batch norm → GAP → dense, on 6×6×3. */
function buildBnCnn(): tf.LayersModel {
  const rnd = (seed: number, mean: number, stddev: number) => tf.initializers.randomNormal({ mean, stddev, seed });
  const bn = (name: string, seed: number) =>
    tf.layers.batchNormalization({ name, gammaInitializer: rnd(seed, 1, 0.5), betaInitializer: rnd(seed + 1, 0, 0.5), movingMeanInitializer: rnd(seed + 2, 0, 0.5), movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.2, maxval: 3, seed: seed + 3 }) });
  return tf.sequential({
    name: 'bn_cnn',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [6, 6, 3], filters: 5, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      bn('bn1', 10),
      tf.layers.reLU({ name: 'r1' }),
      tf.layers.conv2d({ name: 'c2', filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      bn('bn2', 20),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    ]
  });
}

describe('lean batch-norm input gradient (native)', () => {
  const backend = useBackend();
  let root = '';
  let model: ModelHandle;

  beforeAll(async () => {
    root = await makeTempDir();
    model = await loadModel(await writeFixture(root, 'bn-cnn', buildBnCnn, sidecarFor(6)));
  });
  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('gives the original input gradient (rtol 1e-5) and restores the registry entry', async () => {
    const { tf: t } = backend;
    const original = t.getGradient(t.FusedBatchNorm)!.gradFunc;
    await expectNoLeak(t, async () => {
      const x = t.tidy(() => t.mul(t.sub(seededInput([4, 6, 6, 3], 5), 0.5), 4)) as tf.Tensor4D;
      const ctx = makeCtx(model, x, [0, 1, 2, 1], {});
      const plain = t.tidy(() => t.grad((v: tf.Tensor) => t.sum(t.mul(model.logits(v as tf.Tensor4D), t.oneHot(t.tensor1d([0, 1, 2, 1], 'int32'), 3))))(x));
      const lean = inputGradient(ctx, getMethod('gradient'));
      expect(t.getGradient(t.FusedBatchNorm)!.gradFunc).toBe(original);
      const [p, l] = [plain.dataSync(), lean.dataSync()];
      expect(Math.max(...Array.from(p, Math.abs))).toBeGreaterThan(1e-3); // the check is not vacuous
      expectClose(l, p, { rtol: 1e-5, atol: 1e-7 });
      t.dispose([x, plain, lean]);
    });
  });

  it('is in place only during the call, and is restored when the call throws', () => {
    const { tf: t } = backend;
    const original = t.getGradient(t.FusedBatchNorm)!.gradFunc;
    expect(withLeanGradients(t, () => t.getGradient(t.FusedBatchNorm)!.gradFunc)).not.toBe(original);
    expect(() => withLeanGradients(t, () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(t.getGradient(t.FusedBatchNorm)!.gradFunc).toBe(original);
  });

  it('gradients of γ, β (not on the input path) still come from the original function', () => {
    const { tf: t } = backend;
    const x = t.tensor4d(Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => Math.sin(i)), [2, 2, 2, 3]);
    const [mean, variance, scale, offset] = [t.tensor1d([0.1, -0.2, 0.3]), t.tensor1d([0.5, 2, 1.5]), t.tensor1d([1.2, 0.7, -0.4]), t.tensor1d([0.0, 0.1, 0.2])];
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => t.sum(t.mul(t.batchNorm(a as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3), t.range(1, 25).reshape([2, 2, 2, 3])));
    const plain = t.grads(f)([x, scale, offset]);
    const lean = withLeanGradients(t, () => t.grads(f)([x, scale, offset]));
    plain.forEach((g, i) => expectClose(lean[i].dataSync(), g.dataSync(), { rtol: 1e-5, atol: 1e-7 }));
    t.dispose([x, mean, variance, scale, offset, ...plain, ...lean]);
  });
});
