/**
 * Display map of an input-space projection gradient, as the reference code post-processes it
 * (Levin et al.; algorithms.md §2.4 step 6): per pixel the MAXIMUM over channels of the signed
 * gradient G, then its absolute value; values above the 99th percentile are clipped down to it
 * and values below the 90th percentile raised up to it; finally min-max normalised to [0, 1]
 * (all zeros when the clipped map is constant). Percentiles interpolate linearly between order
 * statistics, as numpy.percentile does by default.
 */

/** numpy-style linear-interpolation percentile of `values` (0 ≤ p ≤ 100). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** |max_c G[h, w, c]| per pixel, for G stored row-major [H, W, C]. */
export function channelMaxAbs(gradient: ArrayLike<number>, pixels: number, channels: number): Float64Array {
  const out = new Float64Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let m = -Infinity;
    for (let c = 0; c < channels; c++) m = Math.max(m, gradient[p * channels + c]);
    out[p] = Math.abs(m);
  }
  return out;
}

/** The reference display map [H·W] in [0, 1] of one gradient [H, W, C]. */
export function projectionMap(gradient: ArrayLike<number>, pixels: number, channels: number, low = 90, high = 99): Float32Array {
  const raw = channelMaxAbs(gradient, pixels, channels);
  const lo = percentile(raw, low);
  const hi = percentile(raw, high);
  const clipped = raw.map((v) => Math.min(Math.max(v, lo), hi));
  let min = Infinity;
  let max = -Infinity;
  for (const v of clipped) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const range = max - min;
  return Float32Array.from(clipped, (v) => (range > 0 ? (v - min) / range : 0));
}
