import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import { getMethod } from '../../main/engine/saliency';
import { describeOnBackend } from '../support/each-backend';
import { buildLinearModel, buildSmoothCnn, makeTempDir, seededInput, writeFixture } from '../support/make-fixtures';
import { expectNoLeak, relativeError } from '../support/tensor-asserts';
import { inputGradFD } from './helpers/finite-differences';

/** The same maths on the pure-JS backend: a small conformance subset (cpu is slow, so tiny models only). */
describeOnBackend('cpu', 'engine conformance', (backend) => {
  const gradient = getMethod('gradient');
  let root = '';

  beforeAll(async () => {
    root = await makeTempDir();
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('runs on the cpu backend', () => {
    expect(backend.tf.getBackend()).toBe('cpu');
    expect(backend.info.canComputeGradients).toBe(true);
  });

  it('gradient: G = W[:, c] exactly for a linear model behind a softmax', async () => {
    const { tf } = backend;
    const jsonPath = await writeFixture(root, 'linear', () => buildLinearModel('softmax'));
    const model = await loadModel(jsonPath);
    const w = new Float32Array((await fs.readFile(path.join(path.dirname(jsonPath), 'weights.bin'))).buffer.slice(0), 0, 32 * 3);
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 4, 4, 2], 5);
      const { raw } = await gradient.run({ tf, model, x, targets: Int32Array.from([1, 2]), params: {}, signal: new AbortController().signal });
      [1, 2].forEach((c, row) => expect(Array.from(raw!.subarray(row * 32, (row + 1) * 32))).toEqual(Array.from({ length: 32 }, (_, k) => w[k * 3 + c])));
      x.dispose();
    });
  });

  it('gradient: matches central finite differences on the small CNN (rel. err < 1e-2)', async () => {
    const { tf } = backend;
    const model = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 10, 10, 2], 3);
      const { raw } = await gradient.run({ tf, model, x, targets: Int32Array.from([2]), params: {}, signal: new AbortController().signal });
      const fd = inputGradFD(tf, model, x, Int32Array.from([2]), 1e-2);
      expect(relativeError(raw!, fd)).toBeLessThan(1e-2);
      x.dispose();
    });
  });

  it('StridedSlice gradient is registered here too', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.range(0, 10);
      const g = tf.grad((input: Tensor) => tf.sum(tf.stridedSlice(input, [1], [9], [3])))(x);
      expect(Array.from(await g.data())).toEqual([0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
      tf.dispose([x, g]);
    });
  });
});
