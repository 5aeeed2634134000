/**
 * Salience-guided degradation of one image (algorithms.md §3.7, the authors' code), per channel:
 *  1. guide g (H × W, 0…255): the upscaled 8-bit CAM c for "background" degradation, 255 − c for
 *     "object" degradation;
 *  2. g_s = Gaussian filter of g with σ = `guideSigma` (5; scipy reflect, radius round(4σ));
 *  3. levels v = round(g_s / (max g_s / σ_max), 1), σ_max = 10 (≤ 101 distinct levels);
 *  4. per distinct level v: b = round(σ_max − v, 1), curved b' = b⁴/σ_max³ (b = 10 → 10,
 *     5 → 0.625, 1 → 0.001; `curved: false` keeps b' = b); if b' ≠ 0, blur every channel of the
 *     whole image with σ = b' and copy the blurred values into the pixels at level v.
 * Rounding to one decimal is numpy's (half to even on v·10). Values stay float (scipy on 8-bit
 * arrays would round them). Blurs are linear and per channel, so they commute with the model's
 * per-channel affine preprocessing and the image may be given in model space.
 *
 * Edge case (§3.7): a guide with max g_s = 0 (an all-zero guide) divides by zero in the
 * reference; here it means "no salience anywhere": every level is 0, so the whole image is
 * blurred with σ = σ_max. Hence a CAM that is 255 everywhere leaves the image unchanged under
 * background degradation and blurs it all with σ = 10 under object degradation (§3.11).
 */
import { gaussianFilter } from './gaussian-filter';

export type DegradationMode = 'background' | 'object';

export interface DegradeOptions {
  sigmaMax: number;
  guideSigma: number;
  curved: boolean;
}

export const DEGRADE_DEFAULTS: DegradeOptions = { sigmaMax: 10, guideSigma: 5, curved: true };

/** numpy's round(x, 1): rint(10·x)/10 with ties to even. */
export function round1(x: number): number {
  const t = x * 10;
  const f = Math.floor(t);
  const d = t - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return r / 10;
}

/** Blur σ b' for a level v. */
export function blurSigma(v: number, opts: DegradeOptions): number {
  const b = round1(opts.sigmaMax - v);
  return opts.curved ? b ** 4 / opts.sigmaMax ** 3 : b;
}

/** The per-pixel levels v of a guide (H × W, 0…255), steps 2–3; all 0 for an all-zero guide. */
export function guideLevels(guide: ArrayLike<number>, height: number, width: number, opts: DegradeOptions): Float64Array {
  const gs = gaussianFilter(guide, height, width, 1, opts.guideSigma);
  let max = 0;
  for (const v of gs) max = Math.max(max, v);
  const levels = new Float64Array(gs.length);
  if (max <= 0) return levels;
  const unit = max / opts.sigmaMax;
  for (let i = 0; i < gs.length; i++) levels[i] = round1(gs[i] / unit);
  return levels;
}

/** The guide for a mode from the 8-bit CAM c (0…255). */
export function guideFor(cam8: ArrayLike<number>, mode: DegradationMode): Float64Array {
  return Float64Array.from(cam8, (c) => (mode === 'background' ? c : 255 - c));
}

/**
 * Degrades `image` (H × W × C row-major) guided by `guide` (H × W). Returns float32 values and
 * the number of distinct levels used.
 */
export function degradeImage(image: ArrayLike<number>, height: number, width: number, channels: number, guide: ArrayLike<number>, opts: DegradeOptions = DEGRADE_DEFAULTS): { image: Float32Array; levels: number } {
  const levels = guideLevels(guide, height, width, opts);
  const out = Float32Array.from(image);
  const byLevel = new Map<number, number[]>();
  levels.forEach((v, p) => {
    const list = byLevel.get(v);
    if (list) list.push(p);
    else byLevel.set(v, [p]);
  });
  const blurred = new Map<number, Float64Array>();
  for (const [v, pixels] of byLevel) {
    const sigma = blurSigma(v, opts);
    if (sigma === 0) continue;
    let b = blurred.get(sigma);
    if (!b) blurred.set(sigma, (b = gaussianFilter(image, height, width, channels, sigma)));
    for (const p of pixels) for (let k = 0; k < channels; k++) out[p * channels + k] = b[p * channels + k];
  }
  return { image: out, levels: byLevel.size };
}
