/**
 * Targets taken inside a method's own forward pass (targets-in-pass.ts): the maps, targets and
 * logits must equal those of a separate target pass followed by the method with explicit targets,
 * for every method that declares `resolvesTargets`, with no tensor left behind.
 */
import fs from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { listMethods } from '../../../main/engine/saliency';
import { pickInPass, type ResolvedTensors } from '../../../main/engine/saliency/targets-in-pass';
import { scoresFromLogits } from '../../../main/engine/run-saliency';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { buildSmoothRgbCnn, functionModel, makeCtx, sidecarFor } from '../methods-gradient/helpers';

/** argmax per row of a [rows, k] array, first index on ties (what resolveTargets does). */
function argmaxRows(values: Float32Array, k: number): number[] {
  return Array.from({ length: values.length / k }, (_, r) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[r * k + j] > values[r * k + best]) best = j;
    return best;
  });
}

describe('targets in the method pass (native)', () => {
  const backend = useBackend();
  let root = '';
  let model: ModelHandle;

  beforeAll(async () => {
    root = await makeTempDir();
    model = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothRgbCnn(), sidecarFor(6)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  const resolving = () => listMethods().filter((m) => m.resolvesTargets);

  it('is declared by exactly the single-pass logit methods', () => {
    expect(resolving().map((m) => m.id).sort()).toEqual(['grad-cam', 'grad-cam-pp', 'gradient', 'input-x-gradient']);
  });

  it('predicted: same maps (rtol 1e-6), targets = argmax of the logits, logits = model.logits(x) (rtol 1e-6)', async () => {
    const { tf: t } = backend;
    const x = t.tidy(() => t.mul(t.sub(seededInput([8, 6, 6, 3], 7), 0.5), 12)) as tf.Tensor4D;
    const logits = t.tidy(() => model.logits(x).dataSync()) as Float32Array;
    const predicted = argmaxRows(logits, 3);
    expect(new Set(predicted).size).toBeGreaterThan(1); // the check is not vacuous: rows differ in class
    for (const method of resolving()) {
      await expectNoLeak(t, async () => {
        const fused = await method.run(makeCtx(model, x, new Array(8).fill(0), {}, { inPassTargets: 'predicted' }));
        const separate = await method.run(makeCtx(model, x, predicted, {}));
        expect(Array.from(fused.resolved!.targets), method.id).toEqual(predicted);
        expectClose(fused.resolved!.logits, logits, { rtol: 1e-6, atol: 1e-7 });
        expectClose(fused.maps, separate.maps, { rtol: 1e-6, atol: 1e-9 });
        if (separate.raw) expectClose(fused.raw!, separate.raw, { rtol: 1e-6, atol: 1e-9 });
        expect(separate.resolved, 'no resolved field unless asked').toBeUndefined();
      });
    }
    x.dispose();
  });

  it('given: explicit targets are kept and the logits reported; prob score is not resolved in pass', async () => {
    const { tf: t } = backend;
    const x = seededInput([3, 6, 6, 3], 8);
    const targets = [2, 0, 1];
    for (const method of resolving()) {
      await expectNoLeak(t, async () => {
        const fused = await method.run(makeCtx(model, x, targets, {}, { inPassTargets: 'given' }));
        const plain = await method.run(makeCtx(model, x, targets, {}));
        expect(Array.from(fused.resolved!.targets)).toEqual(targets);
        expectClose(fused.maps, plain.maps, { rtol: 1e-6, atol: 1e-9 });
        const prob = await method.run(makeCtx(model, x, targets, {}, { inPassTargets: 'predicted', score: 'prob' }));
        expect(prob.resolved, `${method.id} with score prob`).toBeUndefined();
      });
    }
    x.dispose();
  });

  it('pickInPass: value Y[i, t_i], gradient onehot(t_i)·dy, ties → first index; kept tensors are the only survivors', async () => {
    const { tf: t } = backend;
    await expectNoLeak(t, async () => {
      const y = t.tensor2d([[1, 3, 3], [5, -1, 2], [0, 0, 0]]);
      let kept: ResolvedTensors | null = null;
      const { value, grads } = t.tidy(() => {
        const f = (v: tf.Tensor) => t.sum(t.mul(pickInPass(t, v as tf.Tensor2D, new Int32Array(3), true, (r) => (kept = r)), t.tensor1d([1, 2, 3])));
        const out = t.valueAndGrad(f)(y);
        return { value: out.value, grads: out.grad };
      });
      expect(value.dataSync()[0]).toBeCloseTo(3 * 1 + 5 * 2 + 0 * 3, 6);
      expect(Array.from(grads.dataSync())).toEqual([0, 1, 0, 2, 0, 0, 3, 0, 0]);
      expect(Array.from(kept!.targets.dataSync())).toEqual([1, 0, 0]);
      expect(Array.from(kept!.logits.dataSync())).toEqual(Array.from(y.dataSync()));
      t.dispose([y, value, grads, kept!.targets, kept!.logits]);
    });
  });

  it('scoresFromLogits: float64 softmax, picker sees the argmax, matches a direct computation', () => {
    const logits = Float32Array.from([0.5, 2, -1, 10, 10, 3]);
    const s = scoresFromLogits(logits, 3, (row, predicted) => (row === 0 ? 2 : predicted));
    const softmax = (row: number[]) => row.map((v) => Math.exp(v) / row.reduce((a, u) => a + Math.exp(u), 0));
    const p0 = softmax([0.5, 2, -1]);
    const p1 = softmax([10, 10, 3]);
    expect(Array.from(s.targets)).toEqual([2, 0]);
    expect(Array.from(s.predicted)).toEqual([1, 0]);
    expect(s.probs[0]).toBeCloseTo(p0[2], 6);
    expect(s.predictedProbs[0]).toBeCloseTo(p0[1], 6);
    expect(s.probs[1]).toBeCloseTo(p1[0], 6);
    expect(Array.from(s.logits)).toEqual([-1, 10]);
  });

  it('a function model (no layers) works too: gradient of Σ x² picks the predicted row class', async () => {
    const { tf: t } = backend;
    const w = t.tensor2d([[1, -1], [2, 0.5], [-3, 1]]); // [C=3... flattened 1×1×3] → 2 classes
    const fm = functionModel([1, 1, 3], 2, (x) => t.matMul(t.reshape(x, [-1, 3]), w));
    const x = t.tensor4d([1, 0, 0, 0, 0, 1], [2, 1, 1, 3]);
    const method = listMethods().find((m) => m.id === 'gradient')!;
    const out = await method.run(makeCtx(fm, x, [0, 0], {}, { inPassTargets: 'predicted' }));
    expect(Array.from(out.resolved!.targets)).toEqual([0, 1]); // logits [1, −1] and [−3, 1]
    expectClose(out.raw!, [1, 2, -3, -1, 0.5, 1], { rtol: 1e-6 });
    t.dispose([w, x]);
  });
});
