import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv1x1FilterGrad, isStrided1x1 } from '../../main/engine/ops/onednn-safe-conv-grad';
import { useBackend } from '../support/each-backend';
import { expectNoLeak, relativeError } from '../support/tensor-asserts';
import { runEngineScript } from './helpers/child';
import { filterGradReference } from './helpers/conv-reference';

describe('oneDNN-safe Conv2DBackpropFilter', () => {
  const backend = useBackend();

  it('computes 1×1 stride-2 filter gradients with oneDNN on, in a child process that must exit 0', async () => {
    const r = await runEngineScript('onednn-child.ts');
    // A crash of TensorFlow's own kernel ends the child with 134 (abort) or SIGSEGV.
    expect(r.signal, r.stderr.slice(-500)).toBeNull();
    expect(r.code, r.stderr.slice(-500)).toBe(0);
    const out = JSON.parse(r.lastLine);
    expect(out.backend).toBe('tensorflow');
    expect(out.oneDnn).toBe(true);
    // Matmul closed form, relative tolerance 1e-4.
    expect(out.same).toBeLessThan(1e-4);
    expect(out.valid).toBeLessThan(1e-4);
    expect(out.kernelError).toBeLessThan(1e-4);
    expect(out.inputGradFinite).toBe(true);
    expect(out.leaked).toBe(0);
  });

  it('recognises exactly the crashing case', () => {
    const base = { dataFormat: 'NHWC' as const, filterShape: [1, 1, 8, 16] as [number, number, number, number] };
    expect(isStrided1x1({ ...base, strides: 2, pad: 'same' })).toBe(true);
    expect(isStrided1x1({ ...base, strides: [1, 3], pad: 'valid' })).toBe(true);
    expect(isStrided1x1({ ...base, strides: 1, pad: 'same' })).toBe(false);
    expect(isStrided1x1({ ...base, filterShape: [3, 3, 8, 16], strides: 2, pad: 'same' })).toBe(false);
    expect(isStrided1x1({ ...base, strides: 2, pad: 1 })).toBe(false);
    expect(isStrided1x1({ ...base, dataFormat: 'NCHW', strides: 2, pad: 'same' })).toBe(false);
  });

  it('closed form matches the reference on odd sizes and unequal strides (rel. 1e-5)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.randomUniform([2, 7, 9, 3], -1, 1, 'float32', 11) as Tensor4D;
      const dy = tf.randomUniform([2, 4, 3, 5], -1, 1, 'float32', 12) as Tensor4D;
      const g = conv1x1FilterGrad(tf, x, dy, [2, 3]);
      expect(g).not.toBeNull();
      expect(g!.shape).toEqual([1, 1, 3, 5]);
      const ref = filterGradReference(await x.data() as Float32Array, x.shape, await dy.data() as Float32Array, dy.shape, [1, 1], [2, 3]);
      expect(relativeError(await g!.data(), ref)).toBeLessThan(1e-5);
      const mismatched = tf.zeros([2, 5, 3, 5]) as typeof dy;
      expect(conv1x1FilterGrad(tf, x, mismatched, [2, 3])).toBeNull();
      tf.dispose([x, dy, g!, mismatched]);
    });
  });

  it('passes every other case to the original kernel (3×3 stride 2, valid) unchanged', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.randomUniform([1, 9, 9, 2], 0, 1, 'float32', 21) as Tensor4D;
      const dy = tf.randomUniform([1, 4, 4, 3], 0, 1, 'float32', 22) as Tensor4D;
      const w = tf.zeros([3, 3, 2, 3]);
      // ∂/∂W Σ(conv2d(x, W) ⊙ dy) is Conv2DBackpropFilter(x, dy).
      const g = tf.grad((f: Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as typeof x, 2, 'valid'), dy)))(w);
      w.dispose();
      const ref = filterGradReference(await x.data() as Float32Array, x.shape, await dy.data() as Float32Array, dy.shape, [3, 3], [2, 2]);
      expect(relativeError(await g.data(), ref)).toBeLessThan(1e-5);
      tf.dispose([x, dy, g]);
    });
  });
});
