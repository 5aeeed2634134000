/**
 * Out-of-set corruptions of one image in raw pixel space (0…255; algorithms.md §3.4), each
 * followed by the authors' 8-bit storage step (×255 of the [0, 1] image, truncated, i.e.
 * ⌊value⌋ clamped to 0…255):
 * - `salt-pepper` (the paper's, scikit-image `random_noise(mode='s&p')`): independently for
 *   every array element (each channel of each pixel), with probability `amount` the element is
 *   replaced, by 255 (salt) or 0 (pepper) with equal probability (two uniforms per element);
 * - `gaussian` (option): u + σ·z on the [0, 1] scale, z ~ N(0, 1) per element, clipped to [0, 1];
 * - `blur` (option): Gaussian filter with σ in pixels per channel (gaussian-filter.ts).
 * Level 0 of every corruption only applies the 8-bit truncation. Draws come from the caller's
 * seeded stream (one per image and level).
 */
import type { Rng } from '../../../shared/random';
import { gaussianFilter } from './gaussian-filter';

export const CORRUPTIONS = ['salt-pepper', 'gaussian', 'blur'] as const;
export type CorruptionId = (typeof CORRUPTIONS)[number];

/** Default ladders: the paper's amounts for salt-and-pepper; σ ladders of our choosing for the options. */
export const DEFAULT_LEVELS: Record<CorruptionId, number[]> = {
  'salt-pepper': [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1],
  gaussian: [0, 0.02, 0.05, 0.1, 0.2, 0.3],
  blur: [0, 0.5, 1, 2, 3, 4]
};

/** ⌊v⌋ clamped to the 8-bit range. */
export function to8bit(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v);
}

/** Corrupts raw (H × W × C, 0…255) at `level`; returns a new array. */
export function corrupt(raw: Float32Array, height: number, width: number, channels: number, kind: CorruptionId, level: number, rng: Rng): Float32Array {
  const out = new Float32Array(raw.length);
  if (kind === 'salt-pepper') {
    for (let i = 0; i < raw.length; i++) {
      const flipped = rng.uniform() < level;
      const salted = rng.uniform() < 0.5;
      out[i] = flipped ? (salted ? 255 : 0) : to8bit(raw[i]);
    }
  } else if (kind === 'gaussian') {
    for (let i = 0; i < raw.length; i++) out[i] = to8bit(Math.min(1, Math.max(0, raw[i] / 255 + level * rng.normal())) * 255);
  } else {
    const blurred = gaussianFilter(raw, height, width, channels, level);
    for (let i = 0; i < raw.length; i++) out[i] = to8bit(blurred[i]);
  }
  return out;
}
