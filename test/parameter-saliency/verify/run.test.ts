import fs from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputBatch } from '../../../main/engine/inputs';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { aggregateCurves } from '../../../main/engine/parameter-saliency/verify/aggregate';
import type { ImageCurves } from '../../../main/engine/parameter-saliency/verify/protocol';
import { runVerification, type VerifyOptions } from '../../../main/engine/parameter-saliency/verify/run';
import { appErrorOf } from '../../engine/helpers/errors';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { buildSmallCnn, fakeSource } from './toy-models';

describe('verification run over a set', () => {
  const backend = useBackend();
  let root = '';
  let model: ModelHandle;
  const N = 24;
  let predicted: number[] = [];

  beforeAll(async () => {
    root = await makeTempDir('ps-verify-run-');
    model = await loadModel(await writeFixture(root, 'small', () => buildSmallCnn(3)));
    const { tf } = backend;
    const x = tf.randomUniform([N, 10, 10, 1], 0, 1, 'float32', 9);
    predicted = Array.from(tf.tidy(() => tf.argMax(model.probabilities(x as tfTypes.Tensor4D), 1).dataSync()));
    x.dispose();
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** Labels: rows 0–2 right, row 3 unlabelled, the rest wrong (predicted + 1 mod 4). Batches of 5. */
  async function* batches(): AsyncGenerator<InputBatch> {
    const { tf } = backend;
    const all = tf.randomUniform([N, 10, 10, 1], 0, 1, 'float32', 9) as tfTypes.Tensor4D;
    try {
      for (let start = 0; start < N; start += 5) {
        const indices = Array.from({ length: Math.min(5, N - start) }, (_, i) => start + i);
        const labels = indices.map((i) => (i < 3 ? predicted[i] : i === 3 ? null : (predicted[i] + 1) % 4));
        yield { x: tf.slice(all, start, indices.length), indices, labels };
      }
    } finally {
      all.dispose();
    }
  }

  const options = (protocol: 'zero' | 'finetune'): VerifyOptions => ({
    protocol, K: 6, selectors: [{ kind: 'ranking', name: 'zscore' }, { kind: 'ranking', name: 'pot' }, { kind: 'random', seed: 3 }, { kind: 'least' }, { kind: 'last-stage' }]
  });

  function kernels(): Float32Array[] {
    return model.convKernels().map((k) => (k.dataSync() as Float32Array).slice());
  }

  it('counts inputs, runs only the errors, keeps available-case counts per k, restores every kernel and leaks nothing', async () => {
    const { tf } = backend;
    const before = kernels();
    const result = await expectNoLeak(tf, () => runVerification(tf, model, batches(), fakeSource(18, 1), options('zero'), { signal: new AbortController().signal }));
    expect(result.counts).toEqual({ inputs: N, misclassified: N - 4, correct: 3, unlabelled: 1 });
    expect(result.images.map((i) => i.index)).toEqual(Array.from({ length: N - 4 }, (_, i) => i + 4));
    const pot = result.curves.find((c) => c.selector === 'pot')!;
    const lengths = result.images.map((img) => img.curves.find((c) => c.selector === 'pot')!.filters.length);
    expect(pot.count).toEqual([1, 2, 3, 4, 5, 6].map((k) => lengths.filter((n) => n >= k).length));
    expect(result.curves.find((c) => c.selector === 'zscore')!.count).toEqual(new Array(6).fill(N - 4));
    // last stage = c3 (filters 10…17); least = ascending z-scores.
    expect(result.lastStage).toEqual({ name: 'c3', firstFilter: 10, filters: 8 });
    for (const img of result.images) expect([...img.curves.find((c) => c.selector === 'last-stage')!.filters].every((g) => g >= 10)).toBe(true);
    kernels().forEach((k, i) => expect(k).toEqual(before[i]));
  });

  it('zero logs the BatchNorm caveat once for c1 (which feeds bn1); finetune does not', async () => {
    const { tf } = backend;
    const logged: string[] = [];
    const zero = await runVerification(tf, model, batches(), fakeSource(18, 1), { ...options('zero'), selectors: [{ kind: 'random', seed: 1 }] }, { signal: new AbortController().signal, log: (m) => logged.push(m) });
    expect(zero.warnings).toHaveLength(1);
    expect(zero.warnings[0]).toContain('"c1" feeds a BatchNormalization');
    expect(logged).toEqual(zero.warnings);
    const tune = await runVerification(tf, model, batches(), fakeSource(18, 1), { ...options('finetune'), selectors: [{ kind: 'random', seed: 1 }] }, { signal: new AbortController().signal });
    expect(tune.warnings).toEqual([]);
  });

  it('is deterministic: two runs with the same seed give identical curves', async () => {
    const { tf } = backend;
    const a = await runVerification(tf, model, batches(), fakeSource(18, 2), options('finetune'), { signal: new AbortController().signal });
    const b = await runVerification(tf, model, batches(), fakeSource(18, 2), options('finetune'), { signal: new AbortController().signal });
    expect(a.curves).toEqual(b.curves);
  });

  it('cancels before the next input with CANCELLED, leaving the kernels restored and no tensors behind', async () => {
    const { tf } = backend;
    const before = kernels();
    const controller = new AbortController();
    let calls = 0;
    const source = fakeSource(18, 1);
    const stopping = (x: unknown, labels: number[], indices: number[]) => {
      if (++calls === 2) controller.abort();
      return source(x, labels, indices);
    };
    const error = await expectNoLeak(tf, () => appErrorOf(() => runVerification(tf, model, batches(), stopping, options('zero'), { signal: controller.signal })));
    expect(error.code).toBe('CANCELLED');
    kernels().forEach((k, i) => expect(k).toEqual(before[i]));
  });

  it('rejects bad options and selector output naming the problem', async () => {
    const { tf } = backend;
    const run = (o: Partial<VerifyOptions>, source = fakeSource(18, 1)) => appErrorOf(() => runVerification(tf, model, batches(), source, { ...options('zero'), ...o }, { signal: new AbortController().signal }));
    expect((await run({ K: 0 })).message).toContain('`K`');
    expect((await run({ protocol: 'prune' as never })).message).toContain('`protocol`');
    expect((await run({ selectors: [{ kind: 'least' }, { kind: 'least' }] })).message).toContain('listed twice');
    const duplicate = (_x: unknown, _l: number[], indices: number[]) => indices.map((index) => ({ index, rankings: { zscore: [3, 3] } }));
    expect((await run({ selectors: [{ kind: 'ranking', name: 'zscore' }] }, duplicate)).message).toContain('listed twice');
    const missing = (_x: unknown, _l: number[], indices: number[]) => indices.map((index) => ({ index }));
    expect((await run({ selectors: [{ kind: 'last-stage' }] }, missing)).message).toContain('raw profile');
  });

  it('available-case means: each k averages only the inputs that reached it (hand example)', () => {
    const curve = (selector: string, wrong: number[], right: number[], corrected: number[]): ImageCurves['curves'][number] => ({
      selector, filters: Int32Array.from(wrong, (_, i) => i), deltaWrong: Float64Array.from(wrong), deltaTrue: Float64Array.from(right), corrected: Uint8Array.from(corrected)
    });
    const image = (curves: ImageCurves['curves']): ImageCurves => ({ label: 0, predicted: 1, pWrongBefore: 0.9, pTrueBefore: 0.05, curves });
    const images = [image([curve('pot', [-0.1, -0.3, -0.6], [0.1, 0.2, 0.5], [0, 0, 1])]), image([curve('pot', [-0.2], [0.3], [1])]), image([curve('pot', [], [], [])])];
    const [summary] = aggregateCurves(images, 4);
    expect(summary.count).toEqual([2, 1, 1, 0]);
    expect(summary.meanDeltaWrong[0]).toBeCloseTo(-0.15, 15);
    expect(summary.meanDeltaTrue[0]).toBeCloseTo(0.2, 15);
    expect(summary.correctedFraction[0]).toBe(0.5);
    expect(summary.meanDeltaWrong[2]).toBeCloseTo(-0.6, 15);
    expect(summary.meanDeltaWrong[3]).toBeNull();
    expect(summary.k).toEqual([1, 2, 3, 4]);
  });
});
