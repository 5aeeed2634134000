/**
 * Resolves an InputsSpec to an open image set (cached per path) and walks it in batches of
 * preprocessed model inputs. Files that fail to decode are reported and skipped, never fatal.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { SkippedFile } from '../../shared/types/images';
import type { ModelDescriptor } from '../../shared/types/model';
import { openImageSet, type ImageSet } from './data/image-set';
import type { InputsSpec } from './protocol';

const cache = new Map<string, Promise<ImageSet>>();

/** Opens (or reuses) the image set at `path`; a failed open is not cached. */
export function getImageSet(path: string, labelsPath?: string): Promise<ImageSet> {
  const key = `${path}\u0000${labelsPath ?? ''}`;
  let set = cache.get(key);
  if (!set) {
    set = openImageSet(path, { labelsPath });
    cache.set(key, set);
    set.catch(() => cache.delete(key));
  }
  return set;
}

/** Maps a set's label (class name or index text) to the model's class index; null when unknown. */
export function labelToClass(label: string | null, descriptor: ModelDescriptor): number | null {
  if (label === null) return null;
  const byName = descriptor.classNames.indexOf(label);
  if (byName >= 0) return byName;
  const n = Number(label);
  return Number.isInteger(n) && n >= 0 && n < descriptor.classNames.length ? n : null;
}

export interface InputBatch {
  x: tf.Tensor4D;
  indices: number[];
  labels: Array<number | null>;
}

/**
 * Yields batches of model inputs for the requested items. The caller owns (and must dispose)
 * each batch's tensor. Checks `signal` before each batch.
 */
export async function* inputBatches(
  tfl: typeof tf,
  spec: InputsSpec,
  descriptor: ModelDescriptor,
  batchSize: number,
  signal: AbortSignal,
  onSkipped: (skipped: SkippedFile[]) => void
): AsyncGenerator<InputBatch> {
  const set = await getImageSet(spec.path, spec.labelsPath);
  const wanted = spec.indices ?? set.items.map((item) => item.index);
  for (const index of wanted) {
    if (!Number.isInteger(index) || index < 0 || index >= set.items.length) {
      throw new AppError('PARAM_INVALID', `Input index ${index} is out of range: the set has ${set.items.length} items.`);
    }
  }
  const [h, w, c] = descriptor.inputShape;
  for (let start = 0; start < wanted.length; start += batchSize) {
    if (signal.aborted) throw new AppError('CANCELLED', 'The job was cancelled.');
    const batch = await set.loadBatch(wanted.slice(start, start + batchSize), descriptor.preprocessing, descriptor.inputShape);
    if (batch.skipped.length) onSkipped(batch.skipped);
    if (batch.indices.length === 0) continue;
    const x = tfl.tensor4d(batch.data, [batch.indices.length, h, w, c]);
    yield { x, indices: batch.indices, labels: batch.labels.map((l) => labelToClass(l, descriptor)) };
  }
}

/** Number of items a spec selects (for progress totals). */
export async function countInputs(spec: InputsSpec): Promise<number> {
  if (spec.indices) return spec.indices.length;
  return (await getImageSet(spec.path, spec.labelsPath)).items.length;
}
