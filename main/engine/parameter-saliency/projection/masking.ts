/**
 * The masking check of input-space projection (Levin et al.; algorithms.md §2.7, §8.3): if the
 * projection finds the pixels that make the top filters salient, masking the top `fraction` of
 * pixels by the projection map should lower those filters' z-scores more than masking the same
 * number of random pixels.
 *
 * Masked pixels take the image's mean colour (per channel, in model-input space). Pixels are
 * ranked by the reference display quantity |max_c G| (before its percentile clipping, which would
 * tie the top 1 %), ties by pixel index; random masks are seeded and `repeats` of them are
 * averaged. Reported per input: the mean z-score over the boosted filters before masking, after
 * the saliency mask and after each random mask, and the drops (before − after).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import { createRng } from '../../../../shared/random';
import type { ProjectionNetwork } from './network';
import type { ProjectionRow, ProjectionStats } from './input-saliency';
import { channelMaxAbs } from './postprocess';
import { differentiableProfile, releaseKept } from './profile';

type Tf = typeof tfTypes;

/** Share of pixels masked, random masks averaged, and their seed. */
export interface MaskingOptions {
  /** Share of pixels masked (default 0.1). */
  fraction?: number;
  /** Random masks averaged (default 5). */
  repeats?: number;
  seed?: number;
}

/** Mean z-score of the boosted filters before and after each mask, and the drops. */
export interface MaskingResult {
  filters: number[];
  masked: number;
  zBefore: number;
  zSaliencyMask: number;
  zRandomMasks: number[];
  dropSaliency: number;
  /** Mean drop over the random masks. */
  dropRandom: number;
}

/** Mean z-score over `filters` of every row of x. */
function meanZ(tf: Tf, net: ProjectionNetwork, x: tfTypes.Tensor4D, label: number, stats: ProjectionStats, filters: number[]): number[] {
  const kept: tfTypes.Tensor[] = [];
  try {
    const rows = x.shape[0];
    const p = tf.tidy(() => differentiableProfile(tf, net, x, new Array(rows).fill(label), kept).dataSync());
    const L = p.length / rows;
    return Array.from({ length: rows }, (_, r) => filters.reduce((s, g) => s + (p[r * L + g] - stats.mean[g]) / (stats.std[g] > 1e-14 ? stats.std[g] : 1), 0) / filters.length);
  } finally {
    releaseKept(tf, kept);
  }
}

/** The image with `pixels` set to its per-channel mean. */
function masked(image: Float32Array, pixels: Iterable<number>, channels: number): Float32Array {
  const out = image.slice();
  const mean = new Float64Array(channels);
  for (let i = 0; i < image.length; i++) mean[i % channels] += image[i] / (image.length / channels);
  for (const p of pixels) for (let c = 0; c < channels; c++) out[p * channels + c] = mean[c];
  return out;
}

function randomPixels(count: number, total: number, rng: ReturnType<typeof createRng>): number[] {
  const pool = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.uniform() * (total - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/**
 * Runs the check for one input x [1, H, W, C] with true label `label` and its projection `row`.
 * @throws AppError PARAM_INVALID for a fraction outside (0, 1) or repeats < 1
 */
export function maskingCheck(tf: Tf, net: ProjectionNetwork, x: tfTypes.Tensor4D, label: number, stats: ProjectionStats, row: ProjectionRow, options: MaskingOptions = {}): MaskingResult {
  const { fraction = 0.1, repeats = 5, seed = 0 } = options;
  if (!(fraction > 0 && fraction < 1)) throw new AppError('PARAM_INVALID', `masking: \`fraction\` must lie in (0, 1), got ${fraction}.`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new AppError('PARAM_INVALID', `masking: \`repeats\` must be a positive integer, got ${repeats}.`);
  const [, h, w, c] = x.shape;
  const total = h * w;
  const count = Math.max(1, Math.round(fraction * total));
  const importance = channelMaxAbs(row.gradient, total, c);
  const top = Array.from({ length: total }, (_, i) => i).sort((a, b) => importance[b] - importance[a] || a - b).slice(0, count);
  const image = x.dataSync() as Float32Array;
  const rng = createRng(seed);
  const variants = [image, masked(image, top, c), ...Array.from({ length: repeats }, () => masked(image, randomPixels(count, total, rng), c))];
  const batch = tf.tensor4d(Float32Array.from(variants.flatMap((v) => Array.from(v))), [variants.length, h, w, c]);
  const z = meanZ(tf, net, batch, label, stats, row.filters);
  batch.dispose();
  const zRandomMasks = z.slice(2);
  const dropRandom = zRandomMasks.reduce((s, v) => s + (z[0] - v), 0) / repeats;
  return { filters: row.filters, masked: count, zBefore: z[0], zSaliencyMask: z[1], zRandomMasks, dropSaliency: z[0] - z[1], dropRandom };
}
