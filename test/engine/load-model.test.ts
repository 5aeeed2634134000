import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import { cachedModelCount } from '../../main/engine/model/model-cache';
import { useBackend } from '../support/each-backend';
import { buildConvZoo, buildNestedModel, buildSmoothCnn, makeTempDir, readAndDispose, seededInput, writeFixture } from '../support/make-fixtures';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from './helpers/errors';

describe('loading Layers models', () => {
  const backend = useBackend();
  let root = '';
  let smooth = '';
  let zoo = '';

  beforeAll(async () => {
    root = await makeTempDir();
    smooth = await writeFixture(root, 'smooth', () => buildSmoothCnn(1));
    zoo = await writeFixture(root, 'zoo', () => buildConvZoo(11), { name: 'Conv zoo', classNames: ['a', 'b', 'c', 'd', 'e'], preprocessing: { scale: 1, mean: [0.5], std: [0.25, 0.5, 1] }, note: 'test' });
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('infers a descriptor from the files when there is no sidecar', async () => {
    const { descriptor: d } = await loadModel(path.dirname(smooth));
    expect(d.format).toBe('layers');
    expect(d.path).toBe(smooth);
    expect(d.name).toBe('smooth');
    expect(d.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(d.inputShape).toEqual([10, 10, 2]);
    expect(d.inputDtype).toBe('float32');
    expect(d.preprocessing).toEqual({ resize: [10, 10], colorMode: 'rgb', channelOrder: 'rgb', scale: 1 / 255, mean: [0], std: [1] });
    expect(d.classNames).toEqual(['0', '1', '2']);
    expect(d.outputIndex).toBe(0);
    expect(d.outputIsProbability).toBe(true);
    expect(d.canComputeGradients).toBe(true);
    expect(d.descriptorSource).toBe('inferred');
    // conv1 76 + conv2 30 + dw1 120 + sep1 (108 + 60 + 5) + out 18, counted by hand.
    expect(d.parameterCount).toBe(417);
  });

  it('hashes model.json + shards: equal for identical exports, different for other weights', async () => {
    const again = await writeFixture(root, 'smooth-again', () => buildSmoothCnn(1));
    const other = await writeFixture(root, 'smooth-other', () => buildSmoothCnn(2));
    const [a, b, c] = await Promise.all([smooth, again, other].map((p) => loadModel(p)));
    expect(b.descriptor.hash).toBe(a.descriptor.hash);
    expect(c.descriptor.hash).not.toBe(a.descriptor.hash);
  });

  it('lists every conv kernel in model order with filter counts and output sizes', async () => {
    const { descriptor } = await loadModel(zoo);
    expect(descriptor.convLayers).toEqual([
      { name: 'c1', kernelShape: [3, 3, 3, 8], filters: 8, depthwise: false, outputSize: [12, 12] },
      { name: 'dw', kernelShape: [3, 3, 8, 2], filters: 16, depthwise: true, outputSize: [6, 6] },
      { name: 'sep/depthwise_kernel', kernelShape: [3, 3, 16, 1], filters: 16, depthwise: true, outputSize: [6, 6] },
      { name: 'sep/pointwise_kernel', kernelShape: [1, 1, 16, 10], filters: 10, depthwise: false, outputSize: [6, 6] },
      { name: 'tr', kernelShape: [3, 3, 4, 10], filters: 4, depthwise: false, outputSize: [12, 12] },
      { name: 'c2', kernelShape: [1, 1, 4, 6], filters: 6, depthwise: false, outputSize: [6, 6] }
    ]);
    const nested = await writeFixture(root, 'nested', () => buildNestedModel());
    const n = await loadModel(nested);
    expect(n.descriptor.convLayers.map((c) => c.name)).toEqual(['inner', 'outer']);
    expect(n.descriptor.outputIsProbability).toBe(false);
  });

  it('takes name, class names and partial preprocessing from the sidecar', async () => {
    const { descriptor: d } = await loadModel(zoo);
    expect(d.descriptorSource).toBe('sidecar');
    expect(d.name).toBe('Conv zoo');
    expect(d.classNames).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(d.preprocessing).toEqual({ resize: [12, 12], colorMode: 'rgb', channelOrder: 'rgb', scale: 1, mean: [0.5], std: [0.25, 0.5, 1] });
  });

  it('caches by path and modification time, and drops disposed handles', async () => {
    const first = await loadModel(smooth);
    expect(await loadModel(path.dirname(smooth))).toBe(first);
    const later = new Date(Date.now() + 5000);
    await fs.utimes(smooth, later, later);
    const reloaded = await loadModel(smooth);
    expect(reloaded).not.toBe(first);
    const count = cachedModelCount();
    reloaded.dispose();
    expect(cachedModelCount()).toBe(count - 1);
    expect(await loadModel(smooth)).not.toBe(reloaded);
  });

  it('frees every weight tensor on dispose', async () => {
    const { tf } = backend;
    const dir = await writeFixture(root, 'leak', () => buildConvZoo(3));
    await expectNoLeak(tf, async () => {
      const handle = await loadModel(dir);
      const x = seededInput([2, 12, 12, 3], 4);
      tf.tidy(() => handle.logits(x)).dispose();
      x.dispose();
      handle.dispose();
    });
  });

  it('gives softmax(logits) = probabilities, in inference mode (BatchNorm statistics, no Dropout)', async () => {
    const { tf } = backend;
    for (const p of [smooth, zoo]) {
      const handle = await loadModel(p);
      const [h, w, c] = handle.descriptor.inputShape;
      await expectNoLeak(tf, async () => {
        const x = seededInput([3, h, w, c], 5);
        const [soft, probs, first, firstAlone, again] = tf.tidy(() => {
          const logits = handle.logits(x);
          return [tf.softmax(logits), handle.probabilities(x), tf.slice(logits, [0, 0], [1, -1]), handle.logits(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D), handle.logits(x)] as Tensor2D[];
        });
        expectClose(await soft.data(), await probs.data(), { rtol: 1e-5, atol: 1e-7 });
        // Rows do not interact and Dropout is off: same logits alone, in a batch, and twice.
        expectClose(await firstAlone.data(), await first.data(), { rtol: 1e-5, atol: 1e-6 });
        expectClose(await again.data(), await readAndDispose(tf.tidy(() => handle.logits(x))), { rtol: 0, atol: 0 });
        tf.dispose([x, soft, probs, first, firstAlone, again]);
      });
    }
  });

  it('edits and restores kernels (what-if), and rejects bad indices and shapes', async () => {
    const { tf } = backend;
    const handle = await loadModel(smooth);
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 6);
      const before = await readAndDispose(tf.tidy(() => handle.logits(x)));
      const zeros = tf.zeros(handle.convKernels()[1].shape) as Tensor4D;
      handle.setKernel(1, zeros);
      expect(Array.from(await handle.convKernels()[1].data()).every((v) => v === 0)).toBe(true);
      const edited = await readAndDispose(tf.tidy(() => handle.logits(x)));
      expect(Array.from(edited)).not.toEqual(Array.from(before));
      handle.restoreKernels();
      expect(Array.from(await readAndDispose(tf.tidy(() => handle.logits(x))))).toEqual(Array.from(before));
      expect((await appErrorOf(() => handle.setKernel(9, zeros))).code).toBe('PARAM_INVALID');
      expect((await appErrorOf(() => handle.setKernel(0, zeros))).code).toBe('SHAPE_MISMATCH');
      const wrong = seededInput([1, 8, 8, 2], 7);
      const err = await appErrorOf(() => handle.logits(wrong));
      expect(err.code).toBe('SHAPE_MISMATCH');
      expect(err.message).toContain('[N, 10, 10, 2]');
      tf.dispose([x, zeros, wrong]);
    });
  });
});
