/**
 * scipy.ndimage.gaussian_filter on one 2-D channel (algorithms.md §3.7, §6), in float64:
 * a separable correlation with the sampled Gaussian
 *   w_j = exp(−j²/(2σ²)) / Σ_i exp(−i²/(2σ²)),   j = −r … r,   r = ⌊4σ + ½⌋ (truncate = 4),
 * along rows (axis 0) then columns (axis 1), with scipy's default boundary mode `reflect`:
 * the half-sample symmetric extension d c b a | a b c d | d c b a (the edge sample repeated;
 * TF's mirrorPad `symmetric`), folded repeatedly for radii longer than the axis.
 * σ = 0 is the identity. Unlike scipy on 8-bit arrays, the result is not rounded to integers.
 */
import { AppError } from '../../../shared/errors';

/** scipy's kernel radius for σ with truncate = 4. */
export function gaussianRadius(sigma: number): number {
  return Math.floor(4 * sigma + 0.5);
}

/** The normalised 1-D kernel of length 2r + 1. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = gaussianRadius(sigma);
  const w = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let j = -r; j <= r; j++) sum += w[j + r] = Math.exp((-0.5 * j * j) / (sigma * sigma));
  for (let j = 0; j < w.length; j++) w[j] /= sum;
  return w;
}

/** Index i folded into [0, n) by half-sample symmetric reflection (period 2n). */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/**
 * Filters `src` (height × width × channels, row-major, any numeric array) channel by channel
 * with σ in pixels; returns float64.
 */
export function gaussianFilter(src: ArrayLike<number>, height: number, width: number, channels: number, sigma: number): Float64Array {
  if (!Number.isFinite(sigma) || sigma < 0) throw new AppError('PARAM_INVALID', `gaussian filter: \`sigma\` must be a finite number ≥ 0, got ${sigma}.`);
  const out = Float64Array.from(src);
  if (sigma === 0 || gaussianRadius(sigma) === 0) return out;
  const w = gaussianKernel(sigma);
  const r = (w.length - 1) / 2;
  const tmp = new Float64Array(out.length);
  // Axis 0 (down the rows), then axis 1 (along each row), as scipy iterates the axes.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < channels; k++) {
        let s = 0;
        for (let j = -r; j <= r; j++) s += w[j + r] * out[(reflectIndex(y + j, height) * width + x) * channels + k];
        tmp[(y * width + x) * channels + k] = s;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < channels; k++) {
        let s = 0;
        for (let j = -r; j <= r; j++) s += w[j + r] * tmp[(y * width + reflectIndex(x + j, width)) * channels + k];
        out[(y * width + x) * channels + k] = s;
      }
    }
  }
  return out;
}
