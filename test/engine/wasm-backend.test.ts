import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireGradients } from '../../main/engine/backends';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import { getMethod } from '../../main/engine/saliency';
import { describeOnBackend } from '../support/each-backend';
import { buildSmoothCnn, GRAPH_FIXTURES, makeTempDir, seededInput, writeFixture } from '../support/make-fixtures';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from './helpers/errors';

const savedModel = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'engine', 'saved-model', 'tiny');

describeOnBackend('wasm', 'forward-only wasm backend', (backend) => {
  let root = '';
  let smoothPath = '';

  beforeAll(async () => {
    root = await makeTempDir();
    smoothPath = await writeFixture(root, 'smooth', () => buildSmoothCnn(1));
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('is selected when forced and describes itself as forward-only', () => {
    const { info, tf } = backend;
    expect(tf.getBackend()).toBe('wasm');
    expect(info).toMatchObject({ backend: 'wasm', device: 'CPU', canComputeGradients: false, tfVersion: null, oneDnn: null, nativePackage: null });
    expect(info.fallbackReason).toBe('SALIENCY_BACKEND=wasm is set');
  });

  it('loads Layers and Graph models with the engine IOHandler and runs them forward', async () => {
    const { tf } = backend;
    for (const p of [smoothPath, path.join(GRAPH_FIXTURES, 'emotion')]) {
      const model = await loadModel(p);
      const [h, w, c] = model.descriptor.inputShape;
      await expectNoLeak(tf, async () => {
        const x = seededInput([2, h, w, c], 1);
        const [soft, probs] = tf.tidy(() => [tf.softmax(model.logits(x)), model.probabilities(x)]);
        expectClose(await soft.data(), await probs.data(), { rtol: 1e-5, atol: 1e-7 });
        tf.dispose([x, soft, probs]);
      });
    }
  });

  it('refuses gradient work up front with BACKEND_UNSUPPORTED', async () => {
    const { tf } = backend;
    const model = await loadModel(smoothPath);
    await expectNoLeak(tf, async () => {
      const x = seededInput([1, 10, 10, 2], 2);
      expect((await appErrorOf(() => requireGradients())).code).toBe('BACKEND_UNSUPPORTED');
      const methodErr = await appErrorOf(() => getMethod('gradient').run({ tf, model, x, targets: Int32Array.from([0]), params: {}, signal: new AbortController().signal }));
      expect(methodErr.code).toBe('BACKEND_UNSUPPORTED');
      expect(methodErr.message).toContain("'wasm' backend");
      expect(methodErr.hint).toContain('setup-native');
      const kernelErr = await appErrorOf(() => model.kernelGradients(() => tf.tidy(() => tf.sum(model.logits(x)))));
      expect(kernelErr.code).toBe('BACKEND_UNSUPPORTED');
      x.dispose();
    });
  });

  it('says a SavedModel needs the native backend', async () => {
    const err = await appErrorOf(() => loadModel(savedModel));
    expect(err.code).toBe('BACKEND_UNSUPPORTED');
    expect(err.message).toContain('only the native TensorFlow backend can run');
  });
});
