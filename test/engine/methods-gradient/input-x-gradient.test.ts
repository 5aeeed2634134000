import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { getMethod, listMethods } from '../../../main/engine/saliency';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput, writeFixture } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { buildLinearRgb, buildReluCnn, makeCtx, rowOf, sidecarFor } from './helpers';

const ixg = getMethod('input-x-gradient');
const vanilla = getMethod('gradient');

/** Σ of a row's attributions in float64, and y_c(x) per row. */
function sums(raw: Float32Array, rows: number): number[] {
  const size = raw.length / rows;
  return Array.from({ length: rows }, (_, r) => rowOf(raw, r, size).reduce((s, v) => s + v, 0));
}

describe('input-x-gradient: registry and parameters', () => {
  it('is registered with the other gradient-family methods; takes no parameters', async () => {
    const ids = listMethods().map((m) => m.id);
    for (const id of ['gradient', 'input-x-gradient', 'smoothgrad', 'integrated-gradients']) expect(ids).toContain(id);
    expect(ixg.validate({})).toEqual({});
    expect(ixg.passesPerInput({})).toEqual({ forward: 1, backward: 1 });
    expect([ixg.score, ixg.stochastic]).toEqual(['logit', false]);
    const err = await appErrorOf(() => ixg.validate({ steps: 3 }));
    expect(err.code).toBe('PARAM_INVALID');
    expect(err.message).toContain('`steps`');
  });
});

describe('input-x-gradient (native)', () => {
  const backend = useBackend();
  let root = '';
  let reluFree: ModelHandle;
  let reluBias: ModelHandle;
  const logitsOf = (model: ModelHandle, x: tfTypes.Tensor4D, targets: number[]) =>
    backend.tf.tidy(() => model.logits(x).arraySync()).map((row, i) => row[targets[i]]);

  beforeAll(async () => {
    root = await makeTempDir();
    reluFree = await loadModel(await writeFixture(root, 'relu-nobias', () => buildReluCnn(false), sidecarFor(6)));
    reluBias = await loadModel(await writeFixture(root, 'relu-bias', () => buildReluCnn(true), sidecarFor(6)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('raw = x ⊙ vanilla gradient and map = Σ_c raw (signed), rtol 1e-6', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.sub(seededInput([2, 6, 6, 3], 1), 0.5)) as tfTypes.Tensor4D;
      const { raw, maps, height, width } = await ixg.run(makeCtx(reluBias, x, [0, 2], {}));
      const grad = await vanilla.run(makeCtx(reluBias, x, [0, 2], {}));
      const xData = x.dataSync();
      expect([height, width]).toEqual([6, 6]);
      expectClose(raw!, Float32Array.from(grad.raw!, (g, i) => g * xData[i]), { rtol: 1e-6, atol: 1e-9 });
      expectClose(maps, Float32Array.from(maps, (_, p) => raw![3 * p] + raw![3 * p + 1] + raw![3 * p + 2]), { rtol: 1e-6, atol: 1e-9 });
      expect(Math.min(...maps)).toBeLessThan(0);
      x.dispose();
    });
  });

  it('linear model: Σ A = y(x) without bias, = y(x) − b_c with bias (rel. 1e-5)', async () => {
    const { tf } = backend;
    for (const useBias of [false, true]) {
      const jsonPath = await writeFixture(root, `linear-${useBias}`, () => buildLinearRgb(useBias), sidecarFor(4));
      const model = await loadModel(jsonPath);
      const bias = useBias ? new Float32Array((await fs.readFile(path.join(path.dirname(jsonPath), 'weights.bin'))).buffer.slice(0), 48 * 3 * 4, 3) : new Float32Array(3);
      await expectNoLeak(tf, async () => {
        const x = seededInput([3, 4, 4, 3], 2);
        const targets = [0, 1, 2];
        const { raw } = await ixg.run(makeCtx(model, x, targets, {}));
        const y = logitsOf(model, x, targets);
        expectClose(sums(raw!, 3), y.map((v, i) => v - bias[targets[i]]), { rtol: 1e-5, atol: 1e-6 });
        x.dispose();
      });
    }
  });

  it('bias-free ReLU CNN (conv, max-pool, global average, dense): Σ A = y(x) to float32 rounding (rel. 1e-5) — Euler', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.sub(seededInput([4, 6, 6, 3], 3), 0.3)) as tfTypes.Tensor4D;
      const targets = [0, 1, 2, 1];
      const { raw } = await ixg.run(makeCtx(reluFree, x, targets, {}));
      const y = logitsOf(reluFree, x, targets);
      expect(Math.max(...y.map(Math.abs)), 'non-trivial logits').toBeGreaterThan(1e-2);
      expectClose(sums(raw!, 4), y, { rtol: 1e-5, atol: 1e-6 });
      x.dispose();
    });
  });

  it('with biases the identity fails by the bias contribution: |Σ A − y| ≫ float32 rounding', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.sub(seededInput([4, 6, 6, 3], 3), 0.3)) as tfTypes.Tensor4D;
      const targets = [0, 1, 2, 1];
      const { raw } = await ixg.run(makeCtx(reluBias, x, targets, {}));
      const y = logitsOf(reluBias, x, targets);
      const s = sums(raw!, 4);
      const worst = Math.max(...y.map((v, i) => Math.abs(v - s[i])));
      expect(worst).toBeGreaterThan(1e-2);
      x.dispose();
    });
  });

  it('stops with CANCELLED before and during the run, leaking nothing; rejects bad targets', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 4);
      const before = new AbortController();
      before.abort();
      expect((await appErrorOf(() => ixg.run(makeCtx(reluFree, x, [0, 0], {}, { signal: before.signal })))).code).toBe('CANCELLED');
      const during = new AbortController();
      const running = ixg.run(makeCtx(reluFree, x, [0, 0], {}, { signal: during.signal }));
      during.abort();
      const err = await appErrorOf(() => running);
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('input-x-gradient');
      expect((await appErrorOf(() => ixg.run(makeCtx(reluFree, x, [0, 5], {})))).code).toBe('PARAM_INVALID');
      x.dispose();
    });
  });
});
