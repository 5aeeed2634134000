import fs from 'node:fs/promises';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { buildFilterTable } from '../../../main/engine/parameter-saliency/profile/filters';
import { trueLabelLoss } from '../../../main/engine/parameter-saliency/profile/loss';
import { filterProfiles } from '../../../main/engine/parameter-saliency/profile/profile';
import { kernelGradFD } from '../../engine/helpers/finite-differences';
import { useBackend } from '../../support/each-backend';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { makeTempDir, saveModel, seededInput } from '../../support/make-fixtures';
import { expectNoLeak, relativeError } from '../../support/tensor-asserts';
import { buildGapConv, buildGapDepthwise, gapProfile } from './helpers';

describe('filter profile: closed forms and finite differences (native)', () => {
  const backend = useBackend();
  let root = '';
  const labels = [2, 0, 3];

  beforeAll(async () => {
    root = await makeTempDir('saliency-profile-');
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** Saves the model and returns its path with the conv layer's kernel and bias values. */
  async function save(name: string, build: () => LayersModel): Promise<{ file: string; kernel: Float32Array; bias: Float32Array }> {
    const built = build();
    const [kernel, bias] = built.layers[0].getWeights().map((w) => w.dataSync() as Float32Array);
    const file = await saveModel(built, path.join(root, name));
    built.dispose();
    return { file, kernel, bias };
  }

  /** Closed-form profiles of every row, [N, L] float64. */
  function closedForm(model: ModelHandle, x: Tensor4D, weights: { kernel: Float32Array; bias: Float32Array }, depthwise: boolean): Float64Array {
    const [n, h, w, c] = x.shape;
    const data = x.dataSync() as Float32Array;
    const shape = model.convKernels()[0].shape;
    const rows = Array.from({ length: n }, (_, i) => gapProfile(data.subarray(i * h * w * c, (i + 1) * h * w * c), [h, w, c], weights.kernel, shape, weights.bias, labels[i], depthwise));
    return Float64Array.from(rows.flatMap((r) => Array.from(r)));
  }

  /** s̄ by central differences of the summed loss over every kernel weight (ε = 1e-3), per row. */
  function finiteDifference(model: ModelHandle, x: Tensor4D, row: number, axes: 'conv' | 'depthwise'): Float64Array {
    const { tf } = backend;
    const xn = tf.slice(x, row, 1) as Tensor4D;
    const loss = trueLabelLoss(tf, model, xn, [labels[row]]);
    const shape = model.convKernels()[0].shape;
    const size = shape.reduce((a, b) => a * b, 1);
    const fd = kernelGradFD(tf, model, 0, () => tf.tidy(() => loss().dataSync()[0]), 1e-3, Array.from({ length: size }, (_, i) => i));
    xn.dispose();
    const filters = axes === 'conv' ? shape[3] : shape[2] * shape[3];
    const out = new Float64Array(filters);
    // Kernel entry e belongs to filter e % outC (conv) or to (c, m) = e % (C·M) (depthwise): both the last index.
    fd.forEach((g, e) => (out[e % filters] += Math.abs(g) / (size / filters)));
    return out;
  }

  it('one conv layer + GAP: batched and per-sample profiles equal |softmax − onehot|·mean|patch| (1e-5) and finite differences (1e-3)', async () => {
    const { tf } = backend;
    const saved = await save('gap-conv', () => buildGapConv());
    const model = await loadModel(saved.file);
    const table = buildFilterTable(model.descriptor);
    expect(table.length).toBe(4);
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 6, 6, 2], 21);
      const exact = closedForm(model, x, saved, false);
      for (const strategy of ['batched', 'per-sample'] as const) {
        const got = filterProfiles(tf, model, table, x, labels, { strategy });
        expect(got.strategy).toBe(strategy);
        expect(relativeError(got.values, exact), strategy).toBeLessThan(1e-5);
      }
      for (let row = 0; row < 3; row++) {
        const fd = finiteDifference(model, x, row, 'conv');
        expect(relativeError(fd, exact.subarray(row * 4, row * 4 + 4)), `row ${row}`).toBeLessThan(1e-3);
      }
      x.dispose();
    });
  });

  it('depthwise kernel: one value per (channel, multiplier), in c·M + m order, equal to the closed form and finite differences', async () => {
    const { tf } = backend;
    const saved = await save('gap-dw', () => buildGapDepthwise());
    const model = await loadModel(saved.file);
    const table = buildFilterTable(model.descriptor);
    expect(table.kernels[0]).toMatchObject({ kind: 'depthwise', filters: 4, shape: [3, 3, 2, 2] });
    expect(table.ids.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 6, 6, 2], 22);
      const exact = closedForm(model, x, saved, true);
      for (const strategy of ['batched', 'per-sample'] as const) {
        expect(relativeError(filterProfiles(tf, model, table, x, labels, { strategy }).values, exact), strategy).toBeLessThan(1e-5);
      }
      for (let row = 0; row < 3; row++) expect(relativeError(finiteDifference(model, x, row, 'depthwise'), exact.subarray(row * 4, row * 4 + 4))).toBeLessThan(1e-3);
      x.dispose();
    });
  });

  it('rejects missing or out-of-range labels and single-output models before any pass', async () => {
    const { tf } = backend;
    const model = await loadModel((await save('gap-conv-2', () => buildGapConv(4))).file);
    const table = buildFilterTable(model.descriptor);
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 2], 23);
      expect(() => filterProfiles(tf, model, table, x, [0])).toThrow(/2 inputs, 1 labels/);
      expect(() => filterProfiles(tf, model, table, x, [0, 4])).toThrow(/class index in 0…3, got 4/);
      x.dispose();
    });
  });
});
