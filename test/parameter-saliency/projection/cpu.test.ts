import fs from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { buildProjectionNetwork, type ProjectionNetwork } from '../../../main/engine/parameter-saliency/projection/network';
import { differentiableProfile, releaseKept } from '../../../main/engine/parameter-saliency/projection/profile';
import { inputSpaceSaliency } from '../../../main/engine/parameter-saliency/projection/input-saliency';
import { filterLayout } from '../../../main/engine/parameter-saliency/verify/filters';
import { imageCurves } from '../../../main/engine/parameter-saliency/verify/protocol';
import { crossEntropyKernelGradients } from '../../../main/engine/parameter-saliency/what-if/kernel-edit';
import { describeOnBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak, relativeError } from '../../support/tensor-asserts';
import { buildSmallCnn } from '../verify/toy-models';
import { boostedCosine, seededStats } from './helpers';

/** The projection and the protocols on the pure-JS backend (the maths must not depend on the native kernels). */
describeOnBackend('cpu', 'parameter-saliency projection and protocols', (backend) => {
  let root = '';
  let net: ProjectionNetwork;

  beforeAll(async () => {
    root = await makeTempDir('ps-cpu-');
  });

  afterAll(async () => {
    net?.dispose();
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('ReLU/BN/max-pool net: profile = handle profile, G = finite differences (step 1e-3, rel. 1e-2), protocol restores kernels', async () => {
    const { tf } = backend;
    expect(tf.getBackend()).toBe('cpu');
    const model = await loadModel(await writeFixture(root, 'small', () => buildSmallCnn(3)));
    net = await buildProjectionNetwork(tf, model);
    const x = seededInput([1, 10, 10, 1], 4);
    const kept: tfTypes.Tensor[] = [];
    const profile = tf.tidy(() => differentiableProfile(tf, net, x, [1], kept).dataSync());
    releaseKept(tf, kept);
    const grads = crossEntropyKernelGradients(tf, model, x, [1]);
    const reference = grads.flatMap((g) => Array.from(tf.tidy(() => tf.mean(tf.abs(g), [0, 1, 2]).dataSync())));
    tf.dispose(grads);
    expect(relativeError(profile, reference)).toBeLessThan(1e-5);
    const stats = seededStats(net, [10, 10, 1], 12, 104);
    const [row] = await expectNoLeak(tf, () => inputSpaceSaliency(tf, net, x, [1], stats, { k: 3 }));
    const target = Float64Array.from(row.zScores);
    for (const g of row.filters) target[g] *= 100;
    const base = x.dataSync() as Float32Array;
    const entries = Array.from(base.keys()).sort((a, b) => Math.abs(row.gradient[b]) - Math.abs(row.gradient[a])).slice(0, 6);
    const at = (e: number, d: number) => {
      const v = base.slice();
      v[e] += d;
      const t = tf.tensor4d(v, x.shape);
      const value = boostedCosine(net, t, 1, stats, target);
      t.dispose();
      return value;
    };
    const fd = entries.map((e) => (at(e, 1e-3) - at(e, -1e-3)) / 2e-3);
    expect(relativeError(entries.map((e) => row.gradient[e]), fd)).toBeLessThan(1e-2);
    const before = model.convKernels().map((k) => (k.dataSync() as Float32Array).slice());
    imageCurves(tf, model, filterLayout(model.descriptor), x, 1, [{ selector: 'a', filters: Int32Array.from([3, 7, 12]) }], 'finetune', 0.1);
    model.convKernels().forEach((k, i) => expect(k.dataSync()).toEqual(before[i]));
    x.dispose();
  });
});
