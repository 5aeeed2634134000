import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { getMethod, listMethods } from '../../main/engine/saliency';
import type { SaliencyContext } from '../../main/engine/saliency';
import { useBackend } from '../support/each-backend';
import { buildLinearModel, buildSmoothCnn, makeTempDir, seededInput, writeFixture } from '../support/make-fixtures';
import { expectClose, expectNoLeak, maxAbs, relativeError } from '../support/tensor-asserts';
import { appErrorOf } from './helpers/errors';
import { inputGradFD } from './helpers/finite-differences';

const method = getMethod('gradient');

describe('saliency registry', () => {
  it('lists the gradient method and rejects unknown ids with the known ones', async () => {
    const ids = listMethods().map((m) => m.id);
    expect(ids[0]).toBe('gradient');
    expect(new Set(ids).size).toBe(ids.length); // persisted ids are unique
    expect(method.requires).toEqual(['gradients']);
    expect(method.reference).toContain('Simonyan');
    const err = await appErrorOf(() => getMethod('no-such-method'));
    expect(err.code).toBe('METHOD_UNKNOWN');
    expect(err.message).toContain('"no-such-method"');
    expect(err.message).toContain(`known methods: ${ids.join(', ')}`);
  });

  it('validates parameters: none accepted, unknown ones named', async () => {
    expect(method.validate({})).toEqual({});
    const err = await appErrorOf(() => method.validate({ steps: 3 }));
    expect(err.code).toBe('PARAM_INVALID');
    expect(err.message).toContain('`steps`');
  });
});

describe('gradient method (native)', () => {
  const backend = useBackend();
  let root = '';
  let smooth: ModelHandle;
  const ctx = (model: ModelHandle, x: Tensor4D, targets: number[], signal = new AbortController().signal): SaliencyContext =>
    ({ tf: backend.tf, model, x, targets: Int32Array.from(targets), params: {}, signal });

  beforeAll(async () => {
    root = await makeTempDir();
    smooth = await loadModel(await writeFixture(root, 'smooth', () => buildSmoothCnn(1)));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('matches central finite differences on a small CNN (float32, rel. err < 1e-2 per row)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 3);
      const targets = [2, 0];
      const result = await method.run(ctx(smooth, x, targets));
      expect([result.height, result.width]).toEqual([10, 10]);
      expect(result.raw).not.toBeNull();
      expect(result.raw!.length).toBe(2 * 10 * 10 * 2);
      const fd = inputGradFD(tf, smooth, x, Int32Array.from(targets), 1e-2);
      expect(maxAbs(fd), 'a non-trivial gradient').toBeGreaterThan(1e-3);
      for (const row of [0, 1]) {
        const err = relativeError(result.raw!.subarray(row * 200, (row + 1) * 200), fd.subarray(row * 200, (row + 1) * 200));
        expect(err, `row ${row}`).toBeLessThan(1e-2);
      }
      x.dispose();
    });
  });

  it('map = max over channels of |raw|', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 4);
      const { maps, raw } = await method.run(ctx(smooth, x, [1, 1]));
      expect(maps.length).toBe(2 * 10 * 10);
      const want = Float32Array.from(maps, (_, p) => Math.max(Math.abs(raw![2 * p]), Math.abs(raw![2 * p + 1])));
      expect(Array.from(maps)).toEqual(Array.from(want));
      x.dispose();
    });
  });

  it('for a linear model y = W·x + b gives G = W[:, c] exactly (also behind a softmax)', async () => {
    const { tf } = backend;
    for (const activation of ['linear', 'softmax'] as const) {
      const jsonPath = await writeFixture(root, `linear-${activation}`, () => buildLinearModel(activation));
      const model = await loadModel(jsonPath);
      // weights.bin holds dense/kernel W [32, 3] (flatten order h, w, c) then dense/bias.
      const w = new Float32Array((await fs.readFile(path.join(path.dirname(jsonPath), 'weights.bin'))).buffer.slice(0), 0, 32 * 3);
      await expectNoLeak(tf, async () => {
        const x = seededInput([3, 4, 4, 2], 5);
        const targets = [0, 2, 1];
        const { raw } = await method.run(ctx(model, x, targets));
        targets.forEach((c, row) => {
          const column = Array.from({ length: 32 }, (_, k) => w[k * 3 + c]);
          expect(Array.from(raw!.subarray(row * 32, (row + 1) * 32)), `${activation}, row ${row}`).toEqual(column);
        });
        x.dispose();
      });
    }
  });

  it('gives each row the gradient it would get alone (one batched pass)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([3, 10, 10, 2], 6);
      const batched = await method.run(ctx(smooth, x, [0, 1, 2]));
      for (const row of [0, 1, 2]) {
        const alone = tf.slice(x, [row, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D;
        const single = await method.run(ctx(smooth, alone, [row]));
        expectClose(single.raw!, batched.raw!.subarray(row * 200, (row + 1) * 200), { rtol: 1e-5, atol: 1e-8 });
        alone.dispose();
      }
      x.dispose();
    });
  });

  it('stops with CANCELLED when the signal is aborted, before or during the run, leaking nothing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 7);
      const before = new AbortController();
      before.abort();
      expect((await appErrorOf(() => method.run(ctx(smooth, x, [0, 0], before.signal)))).code).toBe('CANCELLED');
      const during = new AbortController();
      const running = method.run(ctx(smooth, x, [0, 0], during.signal));
      during.abort();
      const err = await appErrorOf(() => running);
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain('gradient');
      x.dispose();
    });
  });

  it('rejects bad targets and input shapes before computing', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 10, 10, 2], 8);
      expect((await appErrorOf(() => method.run(ctx(smooth, x, [0])))).message).toContain('got 1 targets for 2 inputs');
      const range = await appErrorOf(() => method.run(ctx(smooth, x, [0, 3])));
      expect(range.code).toBe('PARAM_INVALID');
      expect(range.message).toContain('target 3 (row 1)');
      const wrong = seededInput([2, 8, 8, 2], 9);
      expect((await appErrorOf(() => method.run(ctx(smooth, wrong, [0, 0])))).code).toBe('SHAPE_MISMATCH');
      tf.dispose([x, wrong]);
    });
  });
});
