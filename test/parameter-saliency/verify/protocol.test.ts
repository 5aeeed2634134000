import fs from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { filterLayout } from '../../../main/engine/parameter-saliency/verify/filters';
import { imageCurves } from '../../../main/engine/parameter-saliency/verify/protocol';
import { applyFilterAction, crossEntropyKernelGradients } from '../../../main/engine/parameter-saliency/what-if/kernel-edit';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { buildFlipModel, buildSmallCnn, softmax } from './toy-models';

describe('verification protocols on one input', () => {
  const backend = useBackend();
  let root = '';
  let flip: ModelHandle;
  let small: ModelHandle;

  beforeAll(async () => {
    root = await makeTempDir('ps-verify-');
    flip = await loadModel(await writeFixture(root, 'flip', buildFlipModel));
    small = await loadModel(await writeFixture(root, 'small', () => buildSmallCnn(3)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  function kernelBytes(model: ModelHandle): Float32Array[] {
    return model.convKernels().map((k) => k.dataSync() as Float32Array).map((a) => a.slice());
  }

  it('zero: the closed-form toy flips when filter 0 is zeroed, and k = 2 gives the tie [0, 0]', async () => {
    const { tf } = backend;
    const layout = filterLayout(flip.descriptor);
    const x = tf.ones([1, 4, 4, 1]) as tfTypes.Tensor4D;
    const result = await expectNoLeak(tf, () => imageCurves(tf, flip, layout, x, 1, [{ selector: 'a', filters: Int32Array.from([0, 1]) }, { selector: 'b', filters: Int32Array.from([1]) }], 'zero'));
    x.dispose();
    const [p0, p1] = softmax([2, 1]);
    expect(result.predicted).toBe(0);
    expect(result.pWrongBefore).toBeCloseTo(p0, 6);
    expect(result.pTrueBefore).toBeCloseTo(p1, 6);
    const [a, b] = result.curves;
    // k = 1: z = [0, 1]; k = 2: z = [0, 0] (argmax of a tie is class 0: not corrected).
    expect(a.deltaWrong[0]).toBeCloseTo(softmax([0, 1])[0] - p0, 6);
    expect(a.deltaTrue[0]).toBeCloseTo(softmax([0, 1])[1] - p1, 6);
    expect(Array.from(a.corrected)).toEqual([1, 0]);
    expect(a.deltaWrong[1]).toBeCloseTo(0.5 - p0, 6);
    // Zeroing only filter 1: z = [2, 0], still wrong, true class loses.
    expect(b.deltaTrue[0]).toBeCloseTo(softmax([2, 0])[1] - p1, 6);
    expect(Array.from(b.corrected)).toEqual([0]);
    expect(flip.convKernels()[0].dataSync()).toEqual(Float32Array.from([1, 1]));
  });

  it('finetune: one SGD step of the true-label cross-entropy matches the analytic gradient of the toy', async () => {
    const { tf } = backend;
    const layout = filterLayout(flip.descriptor);
    const x = tf.ones([1, 4, 4, 1]) as tfTypes.Tensor4D;
    const lr = 0.05;
    const result = await expectNoLeak(tf, () => imageCurves(tf, flip, layout, x, 1, [{ selector: 'r', filters: Int32Array.from([0, 1]) }], 'finetune', lr));
    x.dispose();
    // L = −log softmax(z)_1 with z = [2·w0, w1]: ∂L/∂w0 = 2·p0, ∂L/∂w1 = −(1 − p1) = −p0.
    const [p0, p1] = softmax([2, 1]);
    const w0 = 1 - lr * 2 * p0;
    const w1 = 1 + lr * p0;
    const after1 = softmax([2 * w0, 1]);
    const after2 = softmax([2 * w0, w1]);
    const curve = result.curves[0];
    expect(curve.deltaTrue[0]).toBeCloseTo(after1[1] - p1, 6);
    expect(curve.deltaTrue[1]).toBeCloseTo(after2[1] - p1, 6);
    expect(curve.deltaWrong[1]).toBeCloseTo(after2[0] - p0, 6);
  });

  it('finetune: the cumulative curve equals applying the k-filter update directly, for every k (one stored gradient)', async () => {
    const { tf } = backend;
    const layout = filterLayout(small.descriptor);
    const x = seededInput([1, 10, 10, 1], 5);
    const order = Int32Array.from([12, 3, 17, 0, 5, 9, 14, 1]);
    const label = 2;
    const lr = 0.5; // large, so that every step moves the probabilities visibly
    const original = kernelBytes(small);
    const curve = imageCurves(tf, small, layout, x, label, [{ selector: 's', filters: order }], 'finetune', lr).curves[0];
    const base = tf.tidy(() => small.probabilities(x).dataSync());
    const grads = crossEntropyKernelGradients(tf, small, x, [label]);
    let maxDiff = 0;
    for (let k = 1; k <= order.length; k++) {
      applyFilterAction(tf, small, layout, order.slice(0, k), { kind: 'finetune', lr }, grads);
      const p = tf.tidy(() => small.probabilities(x).dataSync());
      small.restoreKernels();
      maxDiff = Math.max(maxDiff, Math.abs(p[label] - base[label] - curve.deltaTrue[k - 1]));
    }
    tf.dispose([...grads, x]);
    expect(maxDiff).toBe(0);
    expect(Math.max(...Array.from(curve.deltaTrue, Math.abs))).toBeGreaterThan(1e-3);
    kernelBytes(small).forEach((k, i) => expect(k).toEqual(original[i]));
  });

  it('zero: edits outside the chosen filters keep their bits and every kernel is restored exactly', async () => {
    const { tf } = backend;
    const layout = filterLayout(small.descriptor);
    const original = kernelBytes(small);
    applyFilterAction(tf, small, layout, [5, 6], { kind: 'zero' });
    const edited = kernelBytes(small);
    small.restoreKernels();
    // Filters 5, 6 = c2 filters 1, 2 (c1 has 4): kernel 1 [3, 3, 4, 6], filter axis last.
    for (let e = 0; e < edited[1].length; e++) {
      const j = e % 6;
      // A zeroed negative weight is −0, which is 0.
      if (j === 1 || j === 2) expect(edited[1][e] === 0).toBe(true);
      else expect(edited[1][e]).toBe(original[1][e]);
    }
    expect(edited[0]).toEqual(original[0]);
    kernelBytes(small).forEach((k, i) => expect(k).toEqual(original[i]));
  });

  it('an empty selection gives an empty curve', () => {
    const { tf } = backend;
    const x = seededInput([1, 10, 10, 1], 6);
    const result = imageCurves(tf, small, filterLayout(small.descriptor), x, 0, [{ selector: 'none', filters: new Int32Array(0) }], 'zero');
    x.dispose();
    expect(result.curves[0].deltaWrong.length).toBe(0);
  });
});
