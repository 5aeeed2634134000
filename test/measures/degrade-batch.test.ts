/**
 * The batched tensor degradation (degrade-batch.ts) against the float64 JS reference
 * (degrade.ts, itself checked against scipy in degrade.test.ts): float32 agreement, radii beyond
 * the image, per-image guides in one batch, no tensor leaks.
 */
import { describe, expect, it } from 'vitest';
import { degradeImage, DEGRADE_DEFAULTS, guideFor, guideLevels } from '../../main/engine/measures/degrade';
import { degradeBatch, gaussianBlurBatch } from '../../main/engine/measures/degrade-batch';
import { gaussianFilter } from '../../main/engine/measures/gaussian-filter';
import { useBackend } from '../support/each-backend';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';

const H = 12;
const W = 10;
const C = 2;
const image = (phase: number) => Float32Array.from({ length: H * W * C }, (_, i) => 100 + 80 * Math.sin(0.7 * Math.floor(i / (C * W)) + 1.3 * (Math.floor(i / C) % W) + 2.1 * (i % C) + phase));
const blob = (cy: number, cx: number) => Float64Array.from({ length: H * W }, (_, i) => Math.floor(255 * Math.exp(-((Math.floor(i / W) - cy) ** 2 + ((i % W) - cx) ** 2) / 8)));

describe('degradeBatch (tensor backend)', () => {
  const backend = useBackend();

  it('gaussianBlurBatch equals scipy-style gaussianFilter, also for a radius (40) beyond the 12×10 image (atol 1e-3 on values ≤ 180)', async () => {
    const { tf } = backend;
    const img = image(0);
    for (const sigma of [0.4, 1.3, 5, 10]) {
      const x = tf.tensor4d(img, [1, H, W, C]);
      const got = await expectNoLeak(tf, async () => {
        const y = gaussianBlurBatch(tf, x, sigma);
        const data = (await y.data()) as Float32Array;
        y.dispose();
        return data;
      });
      x.dispose();
      expectClose(got, gaussianFilter(img, H, W, C, sigma), { rtol: 1e-5, atol: 1e-3 });
    }
  });

  it('a batch of two images with their own guides, both modes, equals degradeImage per image (float32: atol 1e-3)', async () => {
    const { tf } = backend;
    const imgs = [image(0), image(1.7)];
    const cams = [blob(4, 6), blob(8, 2)];
    for (const mode of ['background', 'object'] as const) {
      const x = tf.tensor4d(Float32Array.from([...imgs[0], ...imgs[1]]), [2, H, W, C]);
      const got = await expectNoLeak(tf, async () => {
        const y = degradeBatch(tf, x, cams.map((c) => guideLevels(guideFor(c, mode), H, W, DEGRADE_DEFAULTS)), DEGRADE_DEFAULTS);
        const data = (await y.data()) as Float32Array;
        y.dispose();
        return data;
      });
      x.dispose();
      imgs.forEach((img, n) => expectClose(got.subarray(n * H * W * C, (n + 1) * H * W * C), degradeImage(img, H, W, C, guideFor(cams[n], mode)).image, { rtol: 1e-5, atol: 1e-3 }));
    }
  });

  it('levels of 10 everywhere (no blur) return the batch unchanged', async () => {
    const { tf } = backend;
    const x = tf.tensor4d(image(0.3), [1, H, W, C]);
    const y = degradeBatch(tf, x, [new Float64Array(H * W).fill(10)], DEGRADE_DEFAULTS);
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y]);
  });
});
