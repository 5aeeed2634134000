import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { withFilterGradCapture } from '../../../main/engine/parameter-saliency/profile/capture';
import { buildFilterTable, type FilterTable } from '../../../main/engine/parameter-saliency/profile/filters';
import { trueLabelLoss } from '../../../main/engine/parameter-saliency/profile/loss';
import { filterProfiles, type ProfileOptions } from '../../../main/engine/parameter-saliency/profile/profile';
import { ROOT } from '../../cli/helpers';
import { useBackend } from '../../support/each-backend';
import { buildConvZoo, buildNestedModel, buildSmoothCnn, GRAPH_FIXTURES, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak, maxAbs, relativeError } from '../../support/tensor-asserts';
import { blockError, buildLargeOutput, buildSharedConv, buildSinglePosition } from './helpers';

const DEMO = path.join(ROOT, 'demo', 'models', 'digits-cnn-malicious');

describe('filter profile: one backward pass per batch equals one per image (native)', () => {
  const backend = useBackend();
  let root = '';

  beforeAll(async () => {
    root = await makeTempDir('saliency-batched-');
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** Profiles of a seeded batch both ways; returns [batched, per-sample] and checks the strategy used. */
  async function bothWays(model: ModelHandle, rows: number, options: ProfileOptions = {}): Promise<{ table: FilterTable; batched: Float32Array; perSample: Float32Array; strategy: string }> {
    const { tf } = backend;
    const table = buildFilterTable(model.descriptor);
    const classes = model.descriptor.classNames.length;
    const labels = Array.from({ length: rows }, (_, i) => (i * 7 + 1) % classes);
    return expectNoLeak(tf, async () => {
      const x = seededInput([rows, ...model.descriptor.inputShape], 31) as Tensor4D;
      const a = filterProfiles(tf, model, table, x, labels, { strategy: 'auto', ...options });
      const b = filterProfiles(tf, model, table, x, labels, { strategy: 'per-sample' });
      x.dispose();
      return { table, batched: a.values, perSample: b.values, strategy: a.strategy };
    });
  }

  const cases: Array<[string, () => Promise<string>, number]> = [
    ['smooth CNN (conv, strided 1×1, depthwise ×2, separable)', () => writeFixture(root, 'smooth', () => buildSmoothCnn(1)), 5],
    ['conv zoo (BatchNorm, Dropout, transpose, separable, strided)', () => writeFixture(root, 'zoo', () => buildConvZoo()), 5],
    ['nested Sequential', () => writeFixture(root, 'nested', () => buildNestedModel()), 4],
    ['single output position (rank-1 shortcut, conv and depthwise)', () => writeFixture(root, 'single', () => buildSinglePosition()), 6],
    ['large outputs (per-sample kernel calls: conv, depthwise, transpose)', () => writeFixture(root, 'large', () => buildLargeOutput()), 3],
    ['demo digits-cnn-malicious', async () => DEMO, 16]
  ];

  for (const [title, file, rows] of cases) {
    it(`${title}: equal to 1e-5 of each kernel's largest value`, async () => {
      const model = await loadModel(await file());
      const { table, batched, perSample, strategy } = await bothWays(model, rows);
      expect(strategy).toBe('batched');
      expect(batched.some((v) => v > 0)).toBe(true);
      expect(blockError(table, batched, perSample, rows)).toBeLessThan(1e-5);
    });
  }

  it('Graph model emotion (fused and depthwise convs): the capture path equals one pass per image at the same batch size', async () => {
    // At batch > 1 the native kernels' float32 rounding differs from batch 1 by ~1e-7, which can flip a
    // ReLU or max-pool decision near a tie and change a row's whole backward pass (seen on this graph:
    // 1e-4 for one row in four; exact on the cpu backend, see cpu.test.ts). So the batched formulation
    // is checked here at equal batch size, where both paths share the forward and backward passes.
    const { tf } = backend;
    const model = await loadModel(path.join(GRAPH_FIXTURES, 'emotion'));
    const table = buildFilterTable(model.descriptor);
    await expectNoLeak(tf, async () => {
      const x = seededInput([4, ...model.descriptor.inputShape], 31) as Tensor4D;
      for (let n = 0; n < 4; n++) {
        const xn = tf.slice(x, n, 1) as Tensor4D;
        const a = filterProfiles(tf, model, table, xn, [n], { strategy: 'batched' });
        const b = filterProfiles(tf, model, table, xn, [n], { strategy: 'per-sample' });
        expect(a.strategy).toBe('batched');
        expect(blockError(table, a.values, b.values, 1), `row ${n}`).toBeLessThan(1e-5);
        xn.dispose();
      }
      x.dispose();
    });
  });

  it('chunked per-sample gradients (tiny element cap) give the same profiles', async () => {
    const model = await loadModel(await writeFixture(root, 'zoo-chunks', () => buildConvZoo(12)));
    const { table, batched, perSample } = await bothWays(model, 5, { maxElements: 64 });
    expect(blockError(table, batched, perSample, 5)).toBeLessThan(1e-5);
  });

  it('a shared kernel cannot be split per sample: auto falls back to one pass per image, with the same result', async () => {
    const { tf } = backend;
    const model = await loadModel(await writeFixture(root, 'shared', () => buildSharedConv()));
    const first = await bothWays(model, 3);
    expect(first.strategy).toBe('per-sample');
    expect(Array.from(first.batched)).toEqual(Array.from(first.perSample));
    // The capture saw two calls for one kernel and matched neither to it.
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 6, 6, 3], 32) as Tensor4D;
      const loss = trueLabelLoss(tf, model, x, [0, 1, 2]);
      const { result, captured } = withFilterGradCapture(tf, { rows: 3 }, () => model.kernelGradients(loss));
      expect(captured.records.size).toBe(2);
      expect(captured.records.has(result.grads[0].dataId)).toBe(false);
      tf.dispose([x, result.value, ...result.grads]);
    });
  });

  it('outside a capture session the wrapped kernels compute ordinary kernel gradients (batch = Σ of single rows)', async () => {
    const { tf } = backend;
    const model = await loadModel(await writeFixture(root, 'smooth-plain', () => buildSmoothCnn(2)));
    await bothWays(model, 2); // installs the wrapper
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 33) as Tensor4D;
      const whole = model.kernelGradients(trueLabelLoss(tf, model, x, [0, 1]));
      const rows = [0, 1].map((n) => tf.tidy(() => model.kernelGradients(trueLabelLoss(tf, model, tf.slice(x, n, 1), [n])).grads));
      whole.grads.forEach((g, k) => {
        const sum = tf.tidy(() => tf.add(rows[0][k], rows[1][k]).dataSync() as Float32Array);
        expect(maxAbs(sum), `kernel ${k}`).toBeGreaterThan(0);
        expect(relativeError(g.dataSync(), sum), `kernel ${k}`).toBeLessThan(1e-5);
      });
      tf.dispose([x, whole.value, ...whole.grads, ...rows.flat()]);
    });
  });
});
