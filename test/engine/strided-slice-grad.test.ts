import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../support/each-backend';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';

type Masks = [begin: number[], end: number[], strides: number[], beginMask?: number, endMask?: number, ellipsisMask?: number, newAxisMask?: number, shrinkAxisMask?: number];

describe('StridedSlice gradient', () => {
  const backend = useBackend();

  /** ∂/∂x Σ(stridedSlice(x) ⊙ w) for x = 0…size−1 reshaped; w = 1, 2, 3, … over the slice. */
  async function weightedGrad(shape: number[], masks: Masks): Promise<{ grad: Float32Array; picked: Float32Array }> {
    const { tf } = backend;
    return expectNoLeak(tf, async () => {
      const x = tf.tidy(() => tf.reshape(tf.range(0, shape.reduce((a, b) => a * b, 1)), shape));
      const picked = tf.stridedSlice(x, ...masks);
      const w = tf.tidy(() => tf.reshape(tf.range(1, picked.size + 1), picked.shape));
      const g = tf.grad((input: Tensor) => tf.sum(tf.mul(tf.stridedSlice(input, ...masks), w)))(x);
      const out = { grad: (await g.data()) as Float32Array, picked: (await picked.data()) as Float32Array };
      tf.dispose([x, picked, w, g]);
      return out;
    });
  }

  it('scatters dy to the picked positions of a strided 1-D slice (hand-computed)', async () => {
    const { grad, picked } = await weightedGrad([10], [[1], [9], [3]]);
    expect(Array.from(picked)).toEqual([1, 4, 7]);
    expect(Array.from(grad)).toEqual([0, 1, 0, 0, 2, 0, 0, 3, 0, 0]);
  });

  it('honours begin and end masks with strides in two dimensions', async () => {
    // rows 1::2 (end masked) and columns ::2 up to 4 (begin masked) of a 4×5 matrix.
    const { grad, picked } = await weightedGrad([4, 5], [[1, 3], [0, 4], [2, 2], 0b10, 0b01]);
    expect(Array.from(picked)).toEqual([5, 7, 15, 17]);
    const want = new Array(20).fill(0);
    [[5, 1], [7, 2], [15, 3], [17, 4]].forEach(([i, v]) => (want[i] = v));
    expect(Array.from(grad)).toEqual(want);
  });

  it('handles a shrink-axis mask (row picked as a vector)', async () => {
    const { grad, picked } = await weightedGrad([3, 4], [[1, 0], [2, 4], [1, 1], 0, 0, 0, 0, 0b01]);
    expect(Array.from(picked)).toEqual([4, 5, 6, 7]);
    expect(Array.from(grad)).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
  });

  it('handles negative strides and an ellipsis mask', async () => {
    const reversed = await weightedGrad([6], [[5], [0], [-2]]);
    expect(Array.from(reversed.picked)).toEqual([5, 3, 1]);
    expect(Array.from(reversed.grad)).toEqual([0, 3, 0, 2, 0, 1]);
    // x[..., 1:3] of a 2×3×4 tensor: 12 elements picked, each gradient entry is its weight.
    const ellipsis = await weightedGrad([2, 3, 4], [[0, 1], [0, 3], [1, 1], 0, 0, 0b01]);
    expect(ellipsis.picked.length).toBe(12);
    const nonZero = Array.from(ellipsis.grad).map((g, i) => (g !== 0 ? i % 4 : -1)).filter((c) => c >= 0);
    expect(nonZero).toEqual(new Array(6).fill([1, 2]).flat());
    expect(Array.from(ellipsis.grad).reduce((a, b) => a + b, 0)).toBe((12 * 13) / 2);
  });

  it('counts: the gradient of sum(slice) is the indicator of the picked elements', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = tf.randomUniform([5, 7, 3], 0, 1, 'float32', 3);
      const g = tf.grad((input: Tensor) => tf.sum(tf.stridedSlice(input, [1, 0, 0], [5, 7, 3], [2, 3, 2])))(x);
      const values = Array.from(await g.data());
      // rows 1, 3 × columns 0, 3, 6 × channels 0, 2 = 12 elements.
      expect(values.filter((v) => v === 1).length).toBe(12);
      expect(values.filter((v) => v !== 0 && v !== 1).length).toBe(0);
      tf.dispose([x, g]);
    });
  });

  it('matches central finite differences of a nonlinear function of the slice (rel. 1e-3)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const masks: Masks = [[0, 1], [4, 0], [2, 2], 0, 0b10];
      const f = (input: Tensor) => tf.sum(tf.square(tf.sin(tf.stridedSlice(input, ...masks))));
      const base = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i + 1));
      const x = tf.tensor2d(base, [4, 5]);
      const g = tf.grad(f)(x);
      const eps = 1e-2;
      const fd = base.map((_, i) => {
        const plus = base.slice();
        const minus = base.slice();
        plus[i] += eps;
        minus[i] -= eps;
        const [fp, fm] = tf.tidy(() => [f(tf.tensor2d(plus, [4, 5])).dataSync()[0], f(tf.tensor2d(minus, [4, 5])).dataSync()[0]]);
        return (fp - fm) / (2 * eps);
      });
      expectClose(await g.data(), fd, { rtol: 1e-3, atol: 1e-3 });
      tf.dispose([x, g]);
    });
  });
});
