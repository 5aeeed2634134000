import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DecodedImage } from '../../main/engine/data/decode';
import { convertChannels, fromRawPixels, preprocessImage, resizeBilinear, toRawPixels, validatePreprocessing } from '../../main/engine/data/preprocess';
import type { Preprocessing } from '../../shared/types/model';
import { pattern } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const IMAGENET: Preprocessing = { resize: [2, 2], colorMode: 'rgb', channelOrder: 'rgb', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const CAFFE: Preprocessing = { resize: [2, 2], colorMode: 'rgb', channelOrder: 'bgr', scale: 1, mean: [103.939, 116.779, 123.68], std: [1] };
const GREY: Preprocessing = { resize: [2, 2], colorMode: 'grey', channelOrder: 'rgb', scale: 1 / 127.5, mean: [1], std: [1] };

/** Seeded values in [0, 255) (mulberry32), so failures reproduce. */
function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 255;
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('fromRawPixels / toRawPixels (x = (raw·scale − mean) / std)', () => {
  it('applies scale, per-channel mean and std (ImageNet torchvision style), to 1e-6', () => {
    const x = fromRawPixels(Float32Array.from([255, 128, 0]), IMAGENET);
    expectClose(x, [(1 - 0.485) / 0.229, (128 / 255 - 0.456) / 0.224, (0 - 0.406) / 0.225], 1e-6);
  });

  it('swaps to BGR before subtracting a BGR mean (Keras caffe mode)', () => {
    const x = fromRawPixels(Float32Array.from([10, 20, 30, 200, 100, 50]), CAFFE);
    expectClose(x, [30 - 103.939, 20 - 116.779, 10 - 123.68, 50 - 103.939, 100 - 116.779, 200 - 123.68], 1e-4);
  });

  it('broadcasts a single mean/std over one grey channel ([-1, 1] inputs)', () => {
    expectClose(fromRawPixels(Float32Array.from([0, 127.5, 255]), GREY), [-1, 0, 1], 1e-6);
  });

  it('inverts exactly (to float32 rounding) for rgb, bgr and grey, on whole batches', () => {
    for (const pre of [IMAGENET, CAFFE, GREY]) {
      const c = pre.colorMode === 'grey' ? 1 : 3;
      const raw = seeded(2 * 3 * 4 * c, 7);
      expectClose(toRawPixels(fromRawPixels(raw, pre), pre), raw, 1e-3);
    }
    // Black in raw pixel space is not zero in model space (algorithms.md §5.0).
    expectClose(fromRawPixels(new Float32Array(3), IMAGENET), [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225], 1e-6);
    expectClose(toRawPixels(new Float32Array(3), IMAGENET), [0.485 * 255, 0.456 * 255, 0.406 * 255], 1e-3);
  });

  it('rejects unusable preprocessing with PARAM_INVALID and partial pixels with SHAPE_MISMATCH', () => {
    expect(() => validatePreprocessing({ ...IMAGENET, std: [0.2, 0, 0.2] })).toThrow(/std must not be 0/);
    expect(() => validatePreprocessing({ ...IMAGENET, mean: [0.5, 0.5] })).toThrow(/mean must have 1 or 3 values, got 2/);
    expect(() => validatePreprocessing({ ...IMAGENET, resize: [0, 4] })).toThrow(/resize must be two positive integers/);
    expect(() => fromRawPixels(new Float32Array(4), IMAGENET)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });
});

describe('convertChannels', () => {
  it('computes BT.601 luma from RGB and replicates grey', () => {
    expectClose(convertChannels(Float32Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]), 3, 1), [76.245, 149.685, 29.07, 0.299 * 10 + 0.587 * 20 + 0.114 * 30], 1e-4);
    expect(Array.from(convertChannels(Float32Array.from([7, 9]), 1, 3))).toEqual([7, 7, 7, 9, 9, 9]);
  });
});

describe('resizeBilinear agrees with tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=true)', () => {
  const cases: Array<[number, number, number, number, number]> = [
    // inH, inW, channels, outH, outW
    [5, 7, 3, 3, 4],
    [3, 4, 3, 8, 11],
    [6, 9, 1, 4, 6],
    [1, 1, 3, 3, 3],
    [37, 53, 3, 20, 31],
    [10, 10, 3, 10, 10],
    [4, 4, 1, 1, 1],
    [2, 8, 3, 5, 3]
  ];
  it.each(cases)('%i×%i×%i → %i×%i within 1e-3', (inH, inW, c, outH, outW) => {
    const src = seeded(inH * inW * c, inH * 100 + outW);
    const ours = resizeBilinear(src, inH, inW, c, outH, outW);
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(src, [inH, inW, c]), [outH, outW], false, true).dataSync());
    expectClose(ours, ref, 1e-3);
  });
});

describe('preprocessImage', () => {
  it('matches the same pipeline built from tfjs ops (resize → luma → normalise), within 1e-3', () => {
    const image: DecodedImage = { width: 9, height: 6, channels: 3, data: pattern(9, 6, 3) };
    const pre: Preprocessing = { resize: [4, 5], colorMode: 'grey', channelOrder: 'rgb', scale: 1 / 255, mean: [0.5], std: [0.25] };
    const ref = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(tf.tensor3d(image.data, [6, 9, 3], 'float32'), [4, 5], false, true);
      const grey = resized.mul(tf.tensor1d([0.299, 0.587, 0.114])).sum(-1, true);
      return grey.mul(1 / 255).sub(0.5).div(0.25).dataSync();
    });
    const ours = preprocessImage(image, pre);
    expect(ours.length).toBe(4 * 5);
    expectClose(ours, ref, 1e-3);
  });

  it('replicates a grey image for an RGB model, then swaps and normalises per channel', () => {
    const image: DecodedImage = { width: 1, height: 1, channels: 1, data: Uint8Array.of(100) };
    const x = preprocessImage(image, { ...CAFFE, resize: [1, 1] });
    expectClose(x, [100 - 103.939, 100 - 116.779, 100 - 123.68], 1e-4);
  });
});
