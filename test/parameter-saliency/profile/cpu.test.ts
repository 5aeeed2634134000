import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { buildFilterTable } from '../../../main/engine/parameter-saliency/profile/filters';
import { filterProfiles } from '../../../main/engine/parameter-saliency/profile/profile';
import { describeOnBackend } from '../../support/each-backend';
import { buildConvZoo, GRAPH_FIXTURES, makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { blockError } from './helpers';

/**
 * The cpu backend computes every row the same way whatever the batch size, so here a batch of
 * 4 must match four single-image passes to float32 rounding even on Graph models with ReLU and
 * max-pool ties (where the native backend's batch-dependent kernels can flip a decision). The
 * cpu backend is slow on the larger Graph models, so one of them (gender) stands for the format.
 */
describeOnBackend('cpu', 'filter profile conformance', (backend) => {
  let root = '';

  beforeAll(async () => {
    root = await makeTempDir('saliency-profile-cpu-');
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  const cases: Array<[string, () => Promise<string>]> = [
    ['conv zoo (Layers)', () => writeFixture(root, 'zoo', () => buildConvZoo())],
    ['gender (Graph, strided 1×1 convs)', async () => path.join(GRAPH_FIXTURES, 'gender')]
  ];

  for (const [title, file] of cases) {
    it(`${title}: batched equals per-image to 1e-6 of each kernel's largest value`, async () => {
      const { tf } = backend;
      const model = await loadModel(await file());
      const table = buildFilterTable(model.descriptor);
      const labels = [0, 1, 0, 1].map((v, i) => (v + i) % model.descriptor.classNames.length);
      await expectNoLeak(tf, async () => {
        const x = seededInput([4, ...model.descriptor.inputShape], 41) as Tensor4D;
        const a = filterProfiles(tf, model, table, x, labels, { strategy: 'batched' });
        const b = filterProfiles(tf, model, table, x, labels, { strategy: 'per-sample' });
        x.dispose();
        expect(a.strategy).toBe('batched');
        expect(blockError(table, a.values, b.values, 4)).toBeLessThan(1e-6);
      });
    });
  }
});
