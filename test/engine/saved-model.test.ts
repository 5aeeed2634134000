import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import { getMethod } from '../../main/engine/saliency';
import { useBackend } from '../support/each-backend';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from './helpers/errors';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'engine', 'saved-model');
const expected = JSON.parse(fs.readFileSync(path.join(fixture, 'expected.json'), 'utf8')) as { probabilities: number[][] };

describe('TensorFlow SavedModel (forward only, native backend)', () => {
  const backend = useBackend();

  afterAll(() => clearModelCache());

  /** The fixture's fixed input: x[n, i, j, 0] = ((n·64 + i·8 + j) mod 17) / 16. */
  function fixedInput() {
    return backend.tf.tensor4d(Float32Array.from({ length: 128 }, (_, k) => (k % 17) / 16), [2, 8, 8, 1]);
  }

  it('loads the folder and describes it', async () => {
    const { descriptor: d } = await loadModel(path.join(fixture, 'tiny'));
    expect(d.format).toBe('saved-model');
    expect(d.inputShape).toEqual([8, 8, 1]);
    expect(d.classNames).toEqual(['0', '1', '2']);
    expect(d.outputIsProbability).toBe(true); // rows of the probe outputs sum to 1
    expect(d.canComputeGradients).toBe(false);
    expect(d.convLayers).toEqual([]);
    expect(d.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(d.preprocessing.colorMode).toBe('grey');
  });

  it('reproduces the probabilities TensorFlow (Python) computed for a fixed input (rel. 1e-5)', async () => {
    const { tf } = backend;
    const handle = await loadModel(path.join(fixture, 'tiny'));
    await expectNoLeak(tf, async () => {
      const x = fixedInput();
      const probs = tf.tidy(() => handle.probabilities(x));
      expectClose(await probs.data(), expected.probabilities.flat(), { rtol: 1e-5, atol: 1e-7 });
      // No pre-softmax node is visible: logits are log-probabilities.
      const logits = tf.tidy(() => handle.logits(x));
      expectClose(await logits.data(), expected.probabilities.flat().map(Math.log), { rtol: 1e-5, atol: 1e-6 });
      tf.dispose([x, probs, logits]);
    });
  });

  it('refuses gradient work with MODEL_CAPABILITY_MISSING', async () => {
    const { tf } = backend;
    const handle = await loadModel(path.join(fixture, 'tiny'));
    await expectNoLeak(tf, async () => {
      const x = fixedInput();
      const kernelErr = await appErrorOf(() => handle.kernelGradients(() => tf.scalar(0)));
      expect(kernelErr.code).toBe('MODEL_CAPABILITY_MISSING');
      expect(kernelErr.hint).toContain('tensorflowjs_converter');
      const methodErr = await appErrorOf(() => getMethod('gradient').run({ tf, model: handle, x, targets: new Int32Array([0, 1]), params: {}, signal: new AbortController().signal }));
      expect(methodErr.code).toBe('MODEL_CAPABILITY_MISSING');
      x.dispose();
    });
  });
});
