import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { filterLayout } from '../../../main/engine/parameter-saliency/verify/filters';
import { imageCurves } from '../../../main/engine/parameter-saliency/verify/protocol';
import { runWhatIf } from '../../../main/engine/parameter-saliency/what-if/request';
import { whatIf } from '../../../main/engine/parameter-saliency/what-if/what-if';
import { appErrorOf } from '../../engine/helpers/errors';
import { useBackend } from '../../support/each-backend';
import { buildConvZoo, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { buildFlipModel, buildSmallCnn, softmax } from '../verify/toy-models';

const DEMO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../demo');

describe('what-if', () => {
  const backend = useBackend();
  let root = '';
  let flip: ModelHandle;
  let small: ModelHandle;
  let zoo: ModelHandle;

  beforeAll(async () => {
    root = await makeTempDir('ps-what-if-');
    flip = await loadModel(await writeFixture(root, 'flip', buildFlipModel));
    small = await loadModel(await writeFixture(root, 'small', () => buildSmallCnn(3)));
    zoo = await loadModel(await writeFixture(root, 'zoo', () => buildConvZoo(11)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  const bits = (model: ModelHandle) => model.convKernels().map((k) => (k.dataSync() as Float32Array).slice());

  it('zero / scale / finetune on the closed-form toy: predictions and deltas as computed by hand', () => {
    const { tf } = backend;
    const x = tf.ones([1, 4, 4, 1]) as tfTypes.Tensor4D;
    const [p0, p1] = softmax([2, 1]);
    const zero = whatIf(tf, flip, x, { filters: [0], action: { kind: 'zero' }, label: 1 });
    expect(zero.predictedBefore).toBe(0);
    expect(zero.predictedAfter).toBe(1);
    expect(zero.corrected).toBe(true);
    expect(zero.deltaTrue).toBeCloseTo(softmax([0, 1])[1] - p1, 6);
    expect(zero.after[0]).toEqual({ classIndex: 1, className: '1', probability: expect.closeTo(softmax([0, 1])[1], 6) });
    const scaled = whatIf(tf, flip, x, { filters: [1], action: { kind: 'scale', factor: 3 }, label: null });
    expect(scaled.deltas[1]).toBeCloseTo(softmax([2, 3])[1] - p1, 6);
    expect(scaled.deltaTrue).toBeNull();
    const tuned = whatIf(tf, flip, x, { filters: [0, 1], action: { kind: 'finetune', lr: 0.1 }, label: 1 });
    expect(tuned.deltaTrue).toBeCloseTo(softmax([2 * (1 - 0.2 * p0), 1 + 0.1 * p0])[1] - p1, 6);
    x.dispose();
  });

  it('restores every kernel bit for bit (BN, depthwise, separable, transposed kernels too), scale 1 changes nothing, and leaks nothing', async () => {
    const { tf } = backend;
    for (const model of [small, zoo]) {
      const before = bits(model);
      const [, h, w, c] = [1, ...model.descriptor.inputShape];
      const x = seededInput([1, h, w, c], 3);
      const L = filterLayout(model.descriptor).total;
      const all = Array.from({ length: L }, (_, g) => g);
      await expectNoLeak(tf, () => {
        whatIf(tf, model, x, { filters: all, action: { kind: 'zero' } });
        whatIf(tf, model, x, { filters: all.filter((g) => g % 3 === 0), action: { kind: 'finetune', lr: 0.5 }, label: 1 });
        const same = whatIf(tf, model, x, { filters: all, action: { kind: 'scale', factor: 1 } });
        expect(same.deltas.every((d) => d === 0)).toBe(true);
      });
      bits(model).forEach((k, i) => expect(k).toEqual(before[i]));
      x.dispose();
    }
  });

  it('agrees with the protocol: zeroing the first k filters of a ranking gives the protocol\'s k-th point', () => {
    const { tf } = backend;
    const x = seededInput([1, 10, 10, 1], 8);
    const order = Int32Array.from([4, 11, 2, 16]);
    const curve = imageCurves(tf, small, filterLayout(small.descriptor), x, 3, [{ selector: 's', filters: order }], 'zero').curves[0];
    for (let k = 1; k <= order.length; k++) {
      const r = whatIf(tf, small, x, { filters: Array.from(order.slice(0, k)), action: { kind: 'zero' }, label: 3 });
      expect(r.deltaTrue).toBe(curve.deltaTrue[k - 1]);
    }
    x.dispose();
  });

  it('validates before touching a kernel: finetune needs a label, filters in range and distinct, one image', async () => {
    const { tf } = backend;
    const x = seededInput([1, 10, 10, 1], 9);
    const before = bits(small);
    expect((await appErrorOf(() => whatIf(tf, small, x, { filters: [1], action: { kind: 'finetune', lr: 0.1 } }))).message).toContain('true label');
    expect((await appErrorOf(() => whatIf(tf, small, x, { filters: [18], action: { kind: 'zero' } }))).code).toBe('PARAM_INVALID');
    expect((await appErrorOf(() => whatIf(tf, small, x, { filters: [1, 1], action: { kind: 'zero' } }))).message).toContain('twice');
    expect((await appErrorOf(() => whatIf(tf, small, x, { filters: [1], action: { kind: 'scale', factor: NaN } }))).message).toContain('`action`');
    const two = seededInput([2, 10, 10, 1], 9);
    expect((await appErrorOf(() => whatIf(tf, small, two, { filters: [1], action: { kind: 'zero' } }))).code).toBe('SHAPE_MISMATCH');
    bits(small).forEach((k, i) => expect(k).toEqual(before[i]));
    tf.dispose([x, two]);
  });

  it('the engine request on the demo: label from the set, cached image, planted filter conv2 #11 (global 27) zeroed', async () => {
    const { tf } = backend;
    const model = await loadModel(path.join(DEMO, 'models/digits-cnn-malicious/model.json'));
    const request = { modelPath: '', inputs: { path: path.join(DEMO, 'test.csv') }, index: 0, filters: [27], action: { kind: 'zero' as const }, top: 3 };
    const first = await expectNoLeak(tf, () => runWhatIf(tf, model, request));
    expect(first.filters[0]).toEqual({ global: 27, kernel: 1, layer: 'conv2', index: 11 });
    expect(first.label).not.toBeNull();
    expect(first.after).toHaveLength(3);
    expect(first.millis).toBeGreaterThanOrEqual(0);
    const again = await runWhatIf(tf, model, { ...request, action: { kind: 'scale', factor: 1 } });
    expect(again.deltas.every((d) => d === 0)).toBe(true);
    expect((await appErrorOf(() => runWhatIf(tf, model, { ...request, index: 10_000 }))).message).toContain('`index`');
  });
});
