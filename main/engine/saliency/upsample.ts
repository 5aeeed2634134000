/**
 * Resizing of 2-D maps `[N, h, w] → [N, H, W]` (CAM upsampling) as two interpolation matrices,
 * out_n = R_y · A_n · R_xᵀ, with R [out, in] built in float64 from the kernels below.
 *
 * Coordinates use half-pixel centres: output pixel i samples the input at
 *   u_i = (i + ½) · in/out − ½
 * (TF `halfPixelCenters`, PIL, OpenCV, skimage, torch `align_corners=False`). Taps outside the
 * input are clamped to the edge pixel (`clamp`, the default) or mirrored about it without
 * repeating it (`mirror`: −1 → 1, as skimage's mode 'reflect', which RISE's reference code uses);
 * either way every row of R sums to 1 and a constant map stays constant.
 *
 * - `bilinear`: taps ⌊u⌋, ⌊u⌋+1 with weights 1 − t, t (t = u − ⌊u⌋); equals
 *   `tf.image.resizeBilinear(…, alignCorners = false, halfPixelCenters = true)`.
 * - `bicubic`: Keys (1981) cubic convolution, taps ⌊u⌋−1 … ⌊u⌋+2 with weights W(u − tap),
 *     W(d) = (a+2)|d|³ − (a+3)|d|² + 1        for |d| ≤ 1
 *     W(d) = a|d|³ − 5a|d|² + 8a|d| − 4a      for 1 < |d| < 2,   0 otherwise,
 *   a = −0.5 (PIL's BICUBIC, which the Explain-to-Me code uses for its "upscaled" Grad-CAMs; OpenCV
 *   and torch use a = −0.75). With a = −0.5 the interpolant reproduces quadratics exactly away
 *   from the border. Unlike PIL, taps beyond the border are clamped, not dropped and renormalised,
 *   so the two differ within two input pixels of the border. Bicubic can overshoot the input range.
 *
 * No anti-aliasing when shrinking (as TF's resize without `antialias`).
 */
import type * as tfTypes from '@tensorflow/tfjs';

export type InterpolationKernel = 'bilinear' | 'bicubic';
export type Boundary = 'clamp' | 'mirror';

/** Keys' parameter a for `bicubic` (PIL's value). */
export const KEYS_A = -0.5;

/** Keys' cubic convolution kernel W(d) with parameter a. */
export function keysWeight(d: number, a: number = KEYS_A): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Source coordinate of output pixel i (half-pixel centres). */
export function sourceCoordinate(i: number, inSize: number, outSize: number): number {
  return ((i + 0.5) * inSize) / outSize - 0.5;
}

/** Index k folded into [0, n): clamped, or mirrored about the edge samples (period 2n − 2). */
function fold(k: number, n: number, boundary: Boundary): number {
  if (boundary === 'clamp' || n === 1) return Math.min(n - 1, Math.max(0, k));
  const period = 2 * n - 2;
  const m = ((k % period) + period) % period;
  return m < n ? m : period - m;
}

/** The [outSize, inSize] row-major matrix R with out = R · in along one axis (float64). */
export function interpolationMatrix(inSize: number, outSize: number, kernel: InterpolationKernel, boundary: Boundary = 'clamp'): Float64Array {
  const r = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const u = sourceCoordinate(i, inSize, outSize);
    const base = Math.floor(u);
    const taps = kernel === 'bilinear' ? [0, 1] : [-1, 0, 1, 2];
    for (const k of taps) {
      const w = kernel === 'bilinear' ? (k === 0 ? 1 - (u - base) : u - base) : keysWeight(u - (base + k));
      r[i * inSize + fold(base + k, inSize, boundary)] += w;
    }
  }
  return r;
}

/**
 * Resizes each map of `maps` [N, h, w] to [N, height, width] (call inside tf.tidy). Rows do not
 * mix: the N maps go through the same two matrix products.
 */
export function resizeMaps(tf: typeof tfTypes, maps: tfTypes.Tensor3D, height: number, width: number, kernel: InterpolationKernel): tfTypes.Tensor3D {
  const [n, h, w] = maps.shape;
  const ry = tf.tensor2d(Float32Array.from(interpolationMatrix(h, height, kernel)), [height, h]);
  const rx = tf.tensor2d(Float32Array.from(interpolationMatrix(w, width, kernel)), [width, w]);
  // Along x: [N·h, w] · R_xᵀ → [N·h, W]; then along y on [h, N·W]: R_y · → [H, N·W].
  const alongX = tf.matMul(tf.reshape(maps, [n * h, w]), rx, false, true);
  const byRow = tf.reshape(tf.transpose(tf.reshape(alongX, [n, h, width]), [1, 0, 2]), [h, n * width]);
  const alongY = tf.matMul(ry, byRow);
  return tf.transpose(tf.reshape(alongY, [height, n, width]), [1, 0, 2]) as tfTypes.Tensor3D;
}
