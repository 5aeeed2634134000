/**
 * Conformance subset on the pure-JS `cpu` backend (style.md: the maths must not depend on the
 * backend): the measures' map pipeline gives the same per-image numbers as on the default
 * (native) backend, recorded here from the demo model.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { computeMeasure } from '../../main/engine/measures/job';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { describeOnBackend } from '../support/each-backend';
import { expectNoLeak } from '../support/tensor-asserts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const io = () => ({ signal: new AbortController().signal, progress: () => {} });

describeOnBackend('cpu', 'measures', (backend) => {
  let model: ModelHandle;
  const inputs = { path: path.join(ROOT, 'demo', 'test.csv'), indices: [20, 45] };
  beforeAll(async () => {
    model = await loadModel(path.join(ROOT, 'demo', 'models', 'digits-cnn'));
  });
  afterAll(() => clearModelCache());

  it('entropy and hflip equivariance of two demo digits agree with the native backend\'s values (recorded; 1e-6)', async () => {
    const entropy = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], { measure: 'entropy', inputs }, io()));
    const eq = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], { measure: 'equivariance', inputs, params: { transforms: ['hflip'] } }, io()));
    const got = {
      normalized: entropy.perImage.map((r) => r.normalized as number),
      ssim: eq.perImage.map((r) => ((r.transforms as Array<{ equivariance: { native: { ssim: number } } }>)[0]).equivariance.native.ssim)
    };
    // Printed by this test with describeOnBackend('tensorflow') on the native backend (identical to all digits there).
    const native = { normalized: [0.894520691023233, 0.22624120952204788], ssim: [0.3021000529306647, 0.08696942148380603] };
    got.normalized.forEach((v, i) => expect(v).toBeCloseTo(native.normalized[i], 6));
    got.ssim.forEach((v, i) => expect(v).toBeCloseTo(native.ssim[i], 6));
  });
});
