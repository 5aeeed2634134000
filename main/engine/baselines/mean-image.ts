/**
 * `mean-image`: the per-pixel mean of an image set, the same for every row (spec §4.2 "mean
 * image"). It needs one pass over the set: `computeMeanImage` makes it and caches it by set id
 * (which changes whenever a file of the set changes) and preprocessing; callers pass the result
 * as `datasetMean` when they materialise the baseline. The mean is taken over the preprocessed
 * (model-space) inputs in float64; because the preprocessing is affine per pixel this equals
 * `fromRawPixels` of the raw-space mean image (up to float32 rounding). No options.
 */
import { AppError } from '../../../shared/errors';
import type { Preprocessing } from '../../../shared/types/model';
import type { ImageSet } from '../data/image-set';
import { rejectUnknownOptions } from './options';
import { repeatImage } from './raw-space';
import type { BaselineDefinition, MeanImage } from './types';

export const meanImage: BaselineDefinition = {
  id: 'mean-image',
  label: 'Mean image of the set',
  stochastic: false,
  dependsOnInput: false,
  defaults: {},
  validate(options) {
    rejectUnknownOptions('baseline mean-image', options, []);
    return {};
  },
  async materialize(ctx) {
    if (!ctx.datasetMean) {
      throw new AppError('PARAM_INVALID', 'baseline mean-image needs the image set\'s mean image, and none was given.', {
        hint: 'Compute it with computeMeanImage (one pass over the set) and pass it as datasetMean.'
      });
    }
    return repeatImage(ctx, ctx.datasetMean.data, ctx.datasetMean.shape, 'the dataset mean image');
  }
};

export interface MeanImageOptions {
  /** Images loaded per step (default 32). */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Most mean images kept; each is one model input, so a few are cheap. */
const CACHE_LIMIT = 8;
const cache = new Map<string, Promise<MeanImage>>();

/**
 * The mean of every loadable image of `set` after preprocessing, `[h, w, c]` in model space; items
 * that fail to load are left out (`count` says how many were averaged). Cached per (set id,
 * preprocessing, input shape); a failed or cancelled pass is not cached.
 * @throws AppError IMAGE_SET_EMPTY when no image loads, CANCELLED when the signal is aborted
 */
export function computeMeanImage(set: ImageSet, pre: Preprocessing, inputShape: [number, number, number], options: MeanImageOptions = {}): Promise<MeanImage> {
  const key = JSON.stringify([set.summary.id, pre, inputShape]);
  const cached = cache.get(key);
  if (cached) return cached;
  const pending = meanOfSet(set, pre, inputShape, options);
  cache.set(key, pending);
  pending.catch(() => cache.delete(key));
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return pending;
}

/** Empties the mean-image cache (tests; a project closing). */
export function clearMeanImageCache(): void {
  cache.clear();
}

async function meanOfSet(set: ImageSet, pre: Preprocessing, inputShape: [number, number, number], options: MeanImageOptions): Promise<MeanImage> {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const sum = new Float64Array(size);
  const total = set.items.length;
  const step = options.batchSize ?? 32;
  let count = 0;
  for (let start = 0; start < total; start += step) {
    if (options.signal?.aborted) throw new AppError('CANCELLED', 'Computing the mean image was cancelled.');
    const indices = Array.from({ length: Math.min(step, total - start) }, (_, k) => start + k);
    const batch = await set.loadBatch(indices, pre, inputShape);
    for (let i = 0; i < batch.data.length; i++) sum[i % size] += batch.data[i];
    count += batch.indices.length;
    options.onProgress?.(start + indices.length, total);
  }
  if (count === 0) throw new AppError('IMAGE_SET_EMPTY', `No image of ${set.summary.root} could be loaded, so it has no mean image.`);
  return { data: Float32Array.from(sum, (v) => v / count), shape: [...inputShape], count };
}
