import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearMeanImageCache, computeMeanImage, gaussianKernel, getBaseline } from '../../../main/engine/baselines';
import { openImageSet } from '../../../main/engine/data/image-set';
import { fromRawPixels, toRawPixels } from '../../../main/engine/data/preprocess';
import { serializeNpy } from '../../../shared/npy';
import { useBackend } from '../../support/each-backend';
import { makeTempDir, seededInput } from '../../support/make-fixtures';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { BGR, baselineCtx, materialize, modelInput, rawPattern } from './helpers';

/** scipy's "reflect" boundary (edge repeated), periodic with period 2n for any offset. */
function reflect(i: number, n: number): number {
  const m = ((i % (2 * n)) + 2 * n) % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

/** Direct 2-D convolution with the outer-product kernel, float64, NHWC raw pixels. */
function directBlur(raw: Float32Array, [n, h, w, c]: number[], sigma: number, radius: number): Float64Array {
  const k = gaussianKernel(sigma, radius);
  const out = new Float64Array(raw.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = -radius; i <= radius; i++) {
      for (let j = -radius; j <= radius; j++) sum += k[i + radius] * k[j + radius] * raw[((b * h + reflect(y + i, h)) * w + reflect(x + j, w)) * c + ch];
    }
    out[((b * h + y) * w + x) * c + ch] = sum;
  }
  return out;
}

describe('blur baseline (native)', () => {
  const backend = useBackend();

  it('matches scipy.ndimage.gaussian_filter(mode="reflect") on raw pixels, also when the radius exceeds the image (atol 5e-4 of 255)', async () => {
    const { tf } = backend;
    // scipy 1.17: gaussian_filter(raw, sigma=(s, s, 0), mode='reflect') at (y, x, c) below, raw = rawPattern([1, 5, 6, 3]).
    const points = [[0, 0, 0], [0, 5, 1], [2, 3, 2], [4, 0, 1], [4, 5, 0], [1, 2, 0]];
    const scipy: Record<string, number[]> = {
      0.8: [27.27132, 109.202292, 119.733385, 182.991669, 116.995232, 136.389028],
      1.3: [58.1709, 127.14719, 112.08876, 157.37526, 131.674414, 114.928534],
      3: [105.959689, 143.076731, 116.646746, 146.250052, 118.97255, 110.419991]
    };
    await expectNoLeak(tf, async () => {
      const x = modelInput(rawPattern([1, 5, 6, 3]), [1, 5, 6, 3], BGR);
      for (const [sigma, want] of Object.entries(scipy)) {
        const raw = toRawPixels(await materialize(getBaseline(`blur:sigma=${sigma}`), baselineCtx(x, BGR)), BGR);
        expectClose(points.map(([y, xx, c]) => raw[(y * 6 + xx) * 3 + c]), want, { rtol: 0, atol: 5e-4 });
      }
      x.dispose();
    });
  });

  it('equals a direct 2-D convolution with the same boundary (σ 0.7, 2.5 with radius 10 > 7×5, radius override 1; atol 5e-4 of 255)', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const shape: [number, number, number, number] = [2, 7, 5, 3];
      const raw = rawPattern(shape);
      const x = modelInput(raw, shape, BGR);
      for (const [sigma, radius] of [[0.7, 3], [2.5, 10], [4, 1]]) {
        const got = toRawPixels(await materialize(getBaseline({ id: 'blur', sigma, radius }), baselineCtx(x, BGR)), BGR);
        expectClose(got, directBlur(raw, shape, sigma, radius), { rtol: 0, atol: 5e-4 });
      }
      x.dispose();
    });
  });

  it('blurs a constant image to itself (model space, atol 1e-5) and radius 0 to x', async () => {
    const { tf } = backend;
    await expectNoLeak(tf, async () => {
      const x = modelInput(new Float32Array(2 * 8 * 8 * 3).fill(77), [2, 8, 8, 3], BGR);
      const xData = x.dataSync();
      expectClose(await materialize(getBaseline('blur:sigma=3'), baselineCtx(x, BGR)), xData, { rtol: 0, atol: 1e-5 });
      const y = seededInput([1, 4, 4, 3], 1);
      expectClose(await materialize(getBaseline('blur:sigma=1,radius=0'), baselineCtx(y, BGR)), y.dataSync(), { rtol: 0, atol: 1e-5 });
      x.dispose();
      y.dispose();
    });
  });
});

describe('mean-image and image baselines (native)', () => {
  const backend = useBackend();
  let root = '';
  const raws: Float32Array[] = [];

  beforeAll(async () => {
    root = await makeTempDir('saliency-baselines-');
    await fs.mkdir(path.join(root, 'set'));
    for (let k = 0; k < 3; k++) {
      const raw = rawPattern([1, 6, 6, 3]).map((v) => (v + 40 * k) % 256);
      raws.push(raw);
      await sharp(Buffer.from(Uint8Array.from(raw)), { raw: { width: 6, height: 6, channels: 3 } }).png().toFile(path.join(root, 'set', `img${k}.png`));
    }
    const odd = Uint8Array.from({ length: 9 * 7 * 3 }, (_, i) => (i * 29) % 256);
    await sharp(Buffer.from(odd), { raw: { width: 7, height: 9, channels: 3 } }).png().toFile(path.join(root, 'set', 'odd.png'));
  });

  afterAll(async () => {
    clearMeanImageCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('computeMeanImage: the per-pixel mean of the preprocessed set (hand computation, rtol 1e-5), cached by set id', async () => {
    const { tf } = backend;
    const set = await openImageSet(path.join(root, 'set'));
    const progress: number[] = [];
    const mean = await computeMeanImage(set, BGR, [6, 6, 3], { batchSize: 3, onProgress: (done) => progress.push(done) });
    expect(mean.count).toBe(4);
    expect(progress).toEqual([3, 4]);
    const inputs = await set.loadBatch([0, 1, 2, 3], BGR, [6, 6, 3]);
    expectClose(mean.data, Float64Array.from({ length: 108 }, (_, e) => [0, 1, 2, 3].reduce((s, r) => s + inputs.data[r * 108 + e], 0) / 4), { rtol: 1e-5, atol: 1e-6 });
    // The three 6×6 images are inputs unchanged by resizing: check one pixel against fromRawPixels by hand.
    const row = set.items.findIndex((i) => i.path === 'img0.png');
    expectClose(inputs.data.subarray(row * 108, row * 108 + 108), fromRawPixels(raws[0], BGR), { rtol: 1e-5, atol: 1e-5 });
    expect(computeMeanImage(set, BGR, [6, 6, 3])).toBe(computeMeanImage(set, BGR, [6, 6, 3]));
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 2);
      const got = await materialize(getBaseline('mean-image'), baselineCtx(x, BGR, { datasetMean: mean }));
      expect(Array.from(got)).toEqual([...mean.data, ...mean.data]);
      const small = seededInput([1, 5, 5, 3], 3);
      expect((await appErrorOf(() => materialize(getBaseline('mean-image'), baselineCtx(small, BGR, { datasetMean: mean })))).code).toBe('SHAPE_MISMATCH');
      expect((await appErrorOf(() => materialize(getBaseline('mean-image'), baselineCtx(x, BGR)))).code).toBe('PARAM_INVALID');
      x.dispose();
      small.dispose();
    });
  });

  it('computeMeanImage stops with CANCELLED and does not cache the failed pass', async () => {
    const set = await openImageSet(path.join(root, 'set'));
    clearMeanImageCache();
    const controller = new AbortController();
    controller.abort();
    expect((await appErrorOf(() => computeMeanImage(set, BGR, [6, 6, 3], { signal: controller.signal }))).code).toBe('CANCELLED');
    expect((await computeMeanImage(set, BGR, [6, 6, 3])).count).toBe(4);
  });

  it('image: a picture file is preprocessed exactly like an input of a set (resize included); a .npy is model space', async () => {
    const { tf } = backend;
    const set = await openImageSet(path.join(root, 'set'));
    const odd = set.items.findIndex((i) => i.path === 'odd.png');
    const asInput = await set.loadBatch([odd], BGR, [6, 6, 3]);
    await expectNoLeak(tf, async () => {
      const x = seededInput([2, 6, 6, 3], 4);
      const got = await materialize(getBaseline(`image:path=${path.join(root, 'set', 'odd.png')}`), baselineCtx(x, BGR));
      expect(Array.from(got)).toEqual([...asInput.data, ...asInput.data]);
      const values = Float32Array.from({ length: 108 }, (_, i) => i / 10 - 5);
      for (const shape of [[6, 6, 3], [1, 6, 6, 3]]) {
        const file = path.join(root, `ref-${shape.length}.npy`);
        await fs.writeFile(file, serializeNpy(values, shape));
        expect(Array.from(await materialize(getBaseline({ id: 'image', path: file }), baselineCtx(x, BGR)))).toEqual([...values, ...values]);
      }
      await fs.writeFile(path.join(root, 'wrong.npy'), serializeNpy(new Float32Array(75), [5, 5, 3]));
      expect((await appErrorOf(() => materialize(getBaseline(`image:path=${path.join(root, 'wrong.npy')}`), baselineCtx(x, BGR)))).code).toBe('SHAPE_MISMATCH');
      const missing = await appErrorOf(() => materialize(getBaseline(`image:path=${path.join(root, 'nope.png')}`), baselineCtx(x, BGR)));
      expect([missing.code, missing.message.includes('`path`')]).toEqual(['PARAM_INVALID', true]);
      x.dispose();
    });
  });
});
