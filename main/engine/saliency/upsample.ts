/**
 * Bringing low-resolution grids to the input size, for three methods:
 * - CAM maps `[N, h, w] → [N, H, W]` (`resizeMaps`: bilinear or Keys bicubic, edges clamped);
 * - RISE's mask grids (`interpolationMatrix` with `mirror` taps, as skimage's resize);
 * - extremal perturbation's mask parameters (`smoothMaxUpsample`, a smooth max-convolution).
 *
 * Resizing uses two interpolation matrices, out_n = R_y · A_n · R_xᵀ, with R [out, in] built in
 * float64 from the kernels below.
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

/**
 * Smooth max-convolution (Fong, Patrick & Vedaldi 2019, "smooth masks"; TorchRay's MaskGenerator,
 * re-derived here): a parameter grid m [P, h', w'], h' = ⌈H/step⌉, with control point k at the
 * centre of its step×step cell, p_k = step·k + (step − 1)/2, becomes the mask
 *
 *   M(u) = smax_k v_k(u),   v_k(u) = m_k · K(‖u − p_k‖ / σ),   smax(v) = Σ_k v_k softmax(τ·v)_k
 *
 * over the (2R+1)² control points around u's cell (zero beyond the grid), τ = 20 (TorchRay's
 * coldness). K(z) = 1 for z ≤ ½, ½(1 + cos π(z − ½)) for ½ < z < 3/2, 0 beyond: a flat top of
 * radius σ/2 as TorchRay's exp(−2(z − ½)₊²), but compactly supported, so R = ⌈(1.5σ + step/2)/step⌉
 * cells reach every non-zero term and M is continuous (TorchRay truncates its kernel at about
 * 1.3σ, where it is still 0.28). M is a convex combination of values in [0, 1], so M ∈ [0, 1]; a
 * single m_k = 1 gives a flat-topped blob of height ≈ 1 (a max, not a blur, so small areas stay
 * reachable). Differentiable in m (gather, softmax).
 */
export interface SmoothMaxGeometry {
  height: number;
  width: number;
  /** Parameter grid [h', w']. */
  grid: [number, number];
  radius: number;
  /**
   * Slots per pixel, K: the pixel's candidates that can be non-zero (inside the grid, K > 0), then
   * one slot standing for all the others, then unused slots.
   */
  slots: number;
  /** Per pixel and slot: flat index into the grid [h'·w'] (0 for the non-candidate slots), [H·W·K]. */
  index: Int32Array;
  /** Per pixel and slot: K(‖u − p_k‖/σ), 0 for the non-candidate slots, [H·W·K]. */
  weights: Float32Array;
  /** Per pixel and slot: 0 for a candidate, ln(n₀) for the zero slot (−∞ when n₀ = 0), −∞ for unused slots. */
  bias: Float32Array;
}

/** Softmax coldness τ of the smooth max (TorchRay's value). */
export const SMOOTH_MAX_COLDNESS = 20;

/** Stands for −∞ in softmax logits: exp underflows to exactly 0 and no inf − inf arises. */
const NEVER = -1e30;

function bump(z: number): number {
  if (z <= 0.5) return 1;
  return z < 1.5 ? 0.5 * (1 + Math.cos(Math.PI * (z - 0.5))) : 0;
}

/**
 * Index and kernel tables for an H×W mask from a grid of `step`-pixel cells with smoothing σ (px).
 *
 * Of a pixel's (2R+1)² terms, those outside the grid (m = 0 there) or beyond the kernel's support
 * (K = 0) are v_k = 0 whatever m is; there are n₀(u) of them. They still count in the softmax, each
 * adding e^{τ·0} = 1 to its denominator and 0 to the sum, so they are folded into one slot with
 * v = 0 and softmax logit ln n₀:  smax(v) = Σ_k v_k e^{τv_k} / (Σ_k e^{τv_k} + n₀)  over the live
 * terms only: the same function with 70 slots instead of 121 at the defaults (step 7, σ 21).
 */
export function smoothMaxGeometry(height: number, width: number, step: number, sigma: number): SmoothMaxGeometry {
  const grid: [number, number] = [Math.ceil(height / step), Math.ceil(width / step)];
  const radius = Math.ceil((1.5 * sigma + step / 2) / step);
  const side = 2 * radius + 1;
  const centre = (cell: number): number => step * cell + (step - 1) / 2;
  const live: Array<Array<[number, number]>> = [];
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) {
    const [a, b] = [Math.floor(i / step), Math.floor(j / step)];
    const terms: Array<[number, number]> = [];
    for (let ky = 0; ky < side; ky++) for (let kx = 0; kx < side; kx++) {
      const [cy, cx] = [a + ky - radius, b + kx - radius];
      if (cy < 0 || cy >= grid[0] || cx < 0 || cx >= grid[1]) continue;
      const weight = bump(Math.hypot(i - centre(cy), j - centre(cx)) / sigma);
      if (weight > 0) terms.push([cy * grid[1] + cx, weight]);
    }
    live.push(terms);
  }
  const slots = Math.max(...live.map((t) => t.length)) + 1;
  const index = new Int32Array(height * width * slots);
  const weights = new Float32Array(index.length);
  const bias = new Float32Array(index.length).fill(NEVER);
  live.forEach((terms, u) => {
    terms.forEach(([cell, weight], k) => {
      index[u * slots + k] = cell;
      weights[u * slots + k] = weight;
      bias[u * slots + k] = 0;
    });
    const zeros = side * side - terms.length;
    bias[u * slots + terms.length] = zeros > 0 ? Math.log(zeros) : NEVER;
  });
  return { height, width, grid, radius, slots, index, weights, bias };
}

/** The geometry's tables as tensors, made once per run (they are H·W·K long). The caller disposes them. */
export interface SmoothMaxTables { index: tfTypes.Tensor1D; weights: tfTypes.Tensor3D; bias: tfTypes.Tensor3D }

export function smoothMaxTables(tf: typeof tfTypes, g: SmoothMaxGeometry): SmoothMaxTables {
  const shape: [number, number, number] = [g.height, g.width, g.slots];
  return { index: tf.tensor1d(g.index, 'int32'), weights: tf.tensor3d(g.weights, shape), bias: tf.tensor3d(g.bias, shape) };
}

/** Masks [P, H, W] from parameters [P, h', w'] (see `smoothMaxGeometry`); call inside tf.tidy. */
export function smoothMaxUpsample(tf: typeof tfTypes, params: tfTypes.Tensor3D, g: SmoothMaxGeometry, tables: SmoothMaxTables): tfTypes.Tensor3D {
  const p = params.shape[0];
  const v = tf.mul(tf.reshape(tf.gather(tf.reshape(params, [p, -1]), tables.index, 1), [p, g.height, g.width, g.slots]), tables.weights);
  return tf.sum(tf.mul(v, tf.softmax(tf.add(tf.mul(v, SMOOTH_MAX_COLDNESS), tables.bias))), 3) as tfTypes.Tensor3D;
}
