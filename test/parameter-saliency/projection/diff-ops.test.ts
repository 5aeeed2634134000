import type * as tfTypes from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxPoolByMaximum, perSampleKernelGradient, samePadding, type WindowSpec } from '../../../main/engine/parameter-saliency/projection/diff-ops';
import { registerComparisonGradients } from '../../../main/engine/parameter-saliency/projection/second-order-grads';
import { twiceDifferentiable } from '../../../main/engine/parameter-saliency/projection/twice-differentiable';
import { useBackend } from '../../support/each-backend';
import { expectNoLeak, maxAbs, relativeError } from '../../support/tensor-asserts';

describe('twice-differentiable building blocks', () => {
  const backend = useBackend();

  const convCases: Array<[string, [number, number, number, number], WindowSpec]> = [
    ['3×3 stride 1 same', [2, 7, 7, 3], { kernel: [3, 3], strides: [1, 1], padding: 'same' }],
    ['3×3 stride 2 same, even size', [2, 8, 8, 2], { kernel: [3, 3], strides: [2, 2], padding: 'same' }],
    ['3×3 stride 2 same, odd size', [2, 9, 7, 2], { kernel: [3, 3], strides: [2, 2], padding: 'same' }],
    ['3×3 stride 2 valid', [2, 9, 8, 2], { kernel: [3, 3], strides: [2, 2], padding: 'valid' }],
    ['1×1 stride 2 same', [2, 7, 7, 4], { kernel: [1, 1], strides: [2, 2], padding: 'same' }],
    ['5×3 strides (1, 2) valid', [2, 9, 9, 2], { kernel: [5, 3], strides: [1, 2], padding: 'valid' }]
  ];

  it.each(convCases)('slice-and-matMul kernel gradient, %s: rows are the batch-1 filter gradients and sum to TF\'s (rel. 1e-5)', async (_name, shape, spec) => {
    const { tf } = backend;
    await expectNoLeak(tf, () => tf.tidy(() => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tfTypes.Tensor4D;
      const w = tf.randomNormal([spec.kernel[0], spec.kernel[1], shape[3], 5], 0, 1, 'float32', 2) as tfTypes.Tensor4D;
      const y = tf.conv2d(x, w, spec.strides, spec.padding);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tfTypes.Tensor4D;
      const ours = perSampleKernelGradient(tf, x, dy, spec);
      for (let n = 0; n < shape[0]; n++) {
        const xn = tf.slice(x, n, 1) as tfTypes.Tensor4D;
        const dyn = tf.slice(dy, n, 1);
        const reference = tf.grad((k: tfTypes.Tensor) => tf.sum(tf.mul(tf.conv2d(xn, k as tfTypes.Tensor4D, spec.strides, spec.padding), dyn)))(w);
        const row = tf.slice(ours, n, 1);
        expect(relativeError(row.dataSync(), reference.dataSync())).toBeLessThan(1e-5);
      }
    }));
  });

  const poolCases: Array<[string, [number, number, number, number], WindowSpec]> = [
    ['2×2 stride 2 valid', [2, 8, 8, 3], { kernel: [2, 2], strides: [2, 2], padding: 'valid' }],
    ['2×2 stride 2 valid, odd size', [1, 7, 9, 2], { kernel: [2, 2], strides: [2, 2], padding: 'valid' }],
    ['3×3 stride 2 same', [1, 9, 8, 2], { kernel: [3, 3], strides: [2, 2], padding: 'same' }],
    ['3×3 stride 1 same', [1, 5, 5, 1], { kernel: [3, 3], strides: [1, 1], padding: 'same' }]
  ];

  it.each(poolCases)('max-pool from tf.maximum, %s: values and input gradient equal tf.maxPool\'s', async (_name, shape, spec) => {
    const { tf } = backend;
    registerComparisonGradients(tf);
    await expectNoLeak(tf, () => tf.tidy(() => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 4) as tfTypes.Tensor4D;
      const ours = maxPoolByMaximum(tf, x, spec);
      const theirs = tf.maxPool(x, spec.kernel, spec.strides, spec.padding);
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
      const r = tf.randomNormal(theirs.shape, 0, 1, 'float32', 5);
      const g1 = tf.grad((v: tfTypes.Tensor) => tf.sum(tf.mul(maxPoolByMaximum(tf, v as tfTypes.Tensor4D, spec), r)))(x);
      const g2 = tf.grad((v: tfTypes.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tfTypes.Tensor4D, spec.kernel, spec.strides, spec.padding), r)))(x);
      expect(maxAbs(tf.sub(g1, g2).dataSync())).toBeLessThan(1e-6);
    }));
  });

  it('TF \'same\' padding puts the odd pixel at the bottom/right', () => {
    expect(samePadding(8, 3, 2)).toEqual({ out: 4, before: 0, after: 1 });
    expect(samePadding(7, 3, 2)).toEqual({ out: 4, before: 1, after: 1 });
    expect(samePadding(7, 4, 1)).toEqual({ out: 7, before: 1, after: 2 });
  });

  it('customGrad logSumExp / sigmoid / tanh: built-in values, and second derivatives that match the closed forms', () => {
    const { tf } = backend;
    tf.tidy(() => checkTwiceDifferentiable(tf));
  });

  function checkTwiceDifferentiable(tf: typeof tfTypes): void {
    const ops = twiceDifferentiable(tf);
    const z = tf.tensor2d([[0.3, -1.2, 2.0]]);
    expect(maxAbs(tf.sub(ops.logSumExp(z), tf.logSumExp(z, 1)).dataSync())).toBeLessThan(1e-6);
    expect(maxAbs(tf.sub(ops.sigmoid(z), tf.sigmoid(z)).dataSync())).toBeLessThan(1e-7);
    expect(maxAbs(tf.sub(ops.tanh(z), tf.tanh(z)).dataSync())).toBeLessThan(1e-7);
    // d²/dz² of Σ σ(z) = σ(1 − σ)(1 − 2σ); of Σ tanh(z) = −2 tanh (1 − tanh²).
    const second = (f: (t: tfTypes.Tensor) => tfTypes.Tensor) => tf.grad((v: tfTypes.Tensor) => tf.sum(tf.grad((u: tfTypes.Tensor) => tf.sum(f(u)))(v)))(z).dataSync();
    const zs = [0.3, -1.2, 2.0];
    const sig = zs.map((v) => 1 / (1 + Math.exp(-v)));
    const th = zs.map(Math.tanh);
    expect(relativeError(second(ops.sigmoid), sig.map((s) => s * (1 - s) * (1 - 2 * s)))).toBeLessThan(1e-4);
    expect(relativeError(second(ops.tanh), th.map((t) => -2 * t * (1 - t * t)))).toBeLessThan(1e-4);
    // Σ_k ∂/∂z_k of softmax_k = 0, so the second derivative of logSumExp summed this way vanishes; check one Hessian row instead.
    const e = zs.map(Math.exp);
    const s = e.map((v) => v / e.reduce((a, b) => a + b, 0));
    const hessianRow0 = tf.grad((v: tfTypes.Tensor) => tf.slice(tf.grad((u: tfTypes.Tensor) => tf.sum(ops.logSumExp(u)))(v), [0, 0], [1, 1]).sum())(z).dataSync();
    expect(relativeError(hessianRow0, [s[0] * (1 - s[0]), -s[0] * s[1], -s[0] * s[2]])).toBeLessThan(1e-4);
  }
});
