/**
 * Salience-guided degradation (degrade.ts, algorithms.md §3.7) of a whole batch on the tensor
 * backend: the per-pixel levels come from degrade.ts (`guideLevels`, float64 in JS), and every
 * distinct blur σ = b' used anywhere in the batch (at most 101) is applied once to the whole batch
 * and copied into the pixels whose level asks for it. The Gaussian is scipy's (radius round(4σ),
 * mode `reflect`), built as a gather of reflected rows and columns (any radius, even beyond the
 * image) followed by two 1-D depthwise convolutions; values are float32. `degradeImage` stays the
 * reference implementation; the two agree to float32 rounding (test/measures/degrade.test.ts).
 * Per 224×224×3 image and mode: JS reference 8.9 / 10.4 s, this version 0.83 / 1.1 s (background /
 * object; `node bin/run-ts.mjs bench/measures.ts` on the shared 2-core machine at load ≈ 15).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { blurSigma, type DegradeOptions } from './degrade';
import { gaussianKernel, reflectIndex } from './gaussian-filter';

type Tf = typeof tfTypes;

/** scipy's gaussian_filter of every channel of x [N, H, W, C] (caller disposes the result). */
export function gaussianBlurBatch(tf: Tf, x: tfTypes.Tensor4D, sigma: number): tfTypes.Tensor4D {
  const w = gaussianKernel(sigma);
  const r = (w.length - 1) / 2;
  if (r === 0) return tf.clone(x);
  const [, h, wd, c] = x.shape;
  const fold = (n: number) => Int32Array.from({ length: n + 2 * r }, (_, i) => reflectIndex(i - r, n));
  return tf.tidy(() => {
    const padded = tf.gather(tf.gather(x, tf.tensor1d(fold(h), 'int32'), 1), tf.tensor1d(fold(wd), 'int32'), 2) as tfTypes.Tensor4D;
    const taps = tf.tensor1d(Float32Array.from(w));
    const ky = tf.tile(tf.reshape(taps, [w.length, 1, 1, 1]), [1, 1, c, 1]) as tfTypes.Tensor4D;
    const kx = tf.tile(tf.reshape(taps, [1, w.length, 1, 1]), [1, 1, c, 1]) as tfTypes.Tensor4D;
    return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, ky, 1, 'valid'), kx, 1, 'valid');
  });
}

/**
 * Degrades every image of x [N, H, W, C] by its own per-pixel levels (`levels[n]`, H × W, from
 * `guideLevels`). Returns a new tensor (caller disposes).
 */
export function degradeBatch(tf: Tf, x: tfTypes.Tensor4D, levels: Float64Array[], opts: DegradeOptions): tfTypes.Tensor4D {
  const [n, h, w, c] = x.shape;
  const sigmaAt = new Float64Array(n * h * w);
  levels.forEach((lv, row) => lv.forEach((v, p) => (sigmaAt[row * h * w + p] = blurSigma(v, opts))));
  const distinct = [...new Set(sigmaAt)].filter((s) => s !== 0);
  let out = tf.clone(x);
  for (const sigma of distinct) {
    const mask = new Uint8Array(n * h * w * c);
    sigmaAt.forEach((s, p) => s === sigma && mask.fill(1, p * c, (p + 1) * c));
    const next = tf.tidy(() => {
      const blurred = gaussianBlurBatch(tf, x, sigma);
      return tf.where(tf.tensor4d(mask, [n, h, w, c], 'bool'), blurred, out) as tfTypes.Tensor4D;
    });
    out.dispose();
    out = next;
  }
  return out;
}
