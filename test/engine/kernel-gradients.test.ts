import fs from 'node:fs/promises';
import path from 'node:path';
import type { Scalar, Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { useBackend } from '../support/each-backend';
import { buildSmoothCnn, GRAPH_FIXTURES, makeTempDir, readAndDispose, seededInput, writeFixture } from '../support/make-fixtures';
import { expectNoLeak, maxAbs, relativeError } from '../support/tensor-asserts';
import { kernelGradFD, targetScore, topEntries } from './helpers/finite-differences';

describe('kernel gradients (native)', () => {
  const backend = useBackend();
  let root = '';

  beforeAll(async () => {
    root = await makeTempDir();
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** f = Σ_i logit[i, target_i], the score parameter saliency differentiates. */
  function score(model: ModelHandle, x: Tensor4D, targets: Int32Array): () => Scalar {
    const { tf } = backend;
    const k = model.descriptor.classNames.length;
    return () => tf.tidy(() => tf.sum(tf.gather(tf.reshape(model.logits(x), [-1]), Array.from(targets, (t, i) => i * k + t))));
  }

  /**
   * For kernels `which`, compares the analytic gradient at its 4 largest entries and 2 fixed ones
   * with central differences (ε = 1e-3), norm-wise relative error below `tol`.
   */
  async function checkAgainstFD(model: ModelHandle, x: Tensor4D, which: number[], tol: number): Promise<void> {
    const { tf } = backend;
    const targets = Int32Array.from({ length: x.shape[0] }, (_, i) => i % model.descriptor.classNames.length);
    const f = score(model, x, targets);
    const { value, grads } = model.kernelGradients(f);
    expect(grads.map((g) => g.shape)).toEqual(model.convKernels().map((k) => k.shape));
    expect(value.dataSync()[0]).toBeCloseTo(targetScore(tf, model, x, targets), 4);
    for (const i of which) {
      const g = grads[i].dataSync();
      const entries = [...topEntries(g, 4), 0, g.length - 1];
      const fd = kernelGradFD(tf, model, i, () => targetScore(tf, model, x, targets), 1e-3, entries);
      expect(maxAbs(fd), `kernel ${i} has a non-trivial gradient`).toBeGreaterThan(1e-3);
      expect(relativeError(entries.map((e) => g[e]), fd), `kernel ${i} (${model.descriptor.convLayers[i].name})`).toBeLessThan(tol);
    }
    tf.dispose([value, ...grads]);
  }

  it('Layers model: every conv kernel (conv, strided 1×1, depthwise, separable) matches finite differences (rel. 1e-2)', async () => {
    const { tf } = backend;
    const model = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
    expect(model.descriptor.convLayers.map((c) => c.name)).toEqual(['conv1', 'conv2', 'dw1', 'sep1/depthwise_kernel', 'sep1/pointwise_kernel']);
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 2);
      await checkAgainstFD(model, x, [0, 1, 2, 3, 4], 1e-2);
      x.dispose();
    });
  });

  it('Graph model (emotion): first, depthwise and last kernels match finite differences (rel. 2e-2, ReLU network)', async () => {
    const { tf } = backend;
    const model = await loadModel(path.join(GRAPH_FIXTURES, 'emotion'));
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.sub(tf.mul(seededInput([2, 64, 64, 1], 1), 2), 1)) as Tensor4D;
      const depthwise = model.descriptor.convLayers.findIndex((c) => c.depthwise);
      await checkAgainstFD(model, x, [0, depthwise, model.descriptor.convLayers.length - 1], 2e-2);
      x.dispose();
    });
  });

  it('gives all-zero gradients for kernels f does not depend on', async () => {
    const { tf } = backend;
    const model = await loadModel(path.join(GRAPH_FIXTURES, 'gender'));
    await expectNoLeak(tf, async () => {
      const { value, grads } = model.kernelGradients(() => tf.tidy(() => tf.sum(tf.mul(model.convKernels()[0], 2))));
      expect(grads).toHaveLength(23);
      expect(Array.from(grads[0].dataSync()).every((v) => v === 2)).toBe(true);
      expect(grads.slice(1).every((g) => g.dataSync().every((v) => v === 0))).toBe(true);
      tf.dispose([value, ...grads]);
    });
  });

  it('Graph model: setKernel changes the output, restoreKernels brings it back exactly', async () => {
    const { tf } = backend;
    const model = await loadModel(path.join(GRAPH_FIXTURES, 'gender'));
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 64, 64, 1], 3);
      const before = await readAndDispose(tf.tidy(() => model.logits(x)));
      const last = model.convKernels().length - 1;
      const scaled = tf.tidy(() => tf.mul(model.convKernels()[last], -1)) as Tensor4D;
      model.setKernel(last, scaled);
      model.setKernel(last, scaled); // a second edit of the same kernel keeps the first original
      const edited = await readAndDispose(tf.tidy(() => model.logits(x)));
      expect(Array.from(edited)).not.toEqual(Array.from(before));
      model.restoreKernels();
      expect(Array.from(await readAndDispose(tf.tidy(() => model.logits(x))))).toEqual(Array.from(before));
      tf.dispose([x, scaled]);
    });
  });
});
