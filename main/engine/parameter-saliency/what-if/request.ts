/**
 * The engine's live `whatIf` request (UI slider): one image of a set by index, a filter set and
 * an action, answered with what-if.ts's prediction and deltas. The preprocessed image is kept in
 * a small cache keyed by set, item and preprocessing, so dragging a slider decodes the image once;
 * the true label defaults to the set's label for the item.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import { getImageSet, labelToClass } from '../../inputs';
import type { FilterAction } from './kernel-edit';
import { whatIf, type WhatIfResult } from './what-if';

/** The `whatIf` engine request: one image of a set, a filter set and an action. */
export interface WhatIfRequest {
  modelPath: string;
  /** The image set and (for .npy) its labels. */
  inputs: { path: string; labelsPath?: string };
  /** Item index in the set. */
  index: number;
  /** Global filter indices. */
  filters: number[];
  action: FilterAction;
  /** Classes listed (default 5). */
  top?: number;
  /** True class; default: the item's label (null = unknown). */
  label?: number | null;
}

/** The what-if answer plus the engine-side latency. */
export interface WhatIfResponse extends WhatIfResult {
  index: number;
  /** Milliseconds from the edit to the restored weights (engine side, without messaging). */
  millis: number;
}

interface CachedImage {
  data: Float32Array;
  label: string | null;
}

const CACHE_SIZE = 16;
const images = new Map<string, CachedImage>();

async function loadImage(model: ModelHandle, inputs: WhatIfRequest['inputs'], index: number): Promise<CachedImage> {
  const d = model.descriptor;
  const key = JSON.stringify([inputs.path, inputs.labelsPath ?? null, index, d.inputShape, d.preprocessing]);
  const hit = images.get(key);
  if (hit) return hit;
  const set = await getImageSet(inputs.path, inputs.labelsPath);
  if (!Number.isInteger(index) || index < 0 || index >= set.items.length) throw new AppError('PARAM_INVALID', `what-if: \`index\` must be an item index in 0…${set.items.length - 1}, got ${index}.`);
  const batch = await set.loadBatch([index], d.preprocessing, d.inputShape);
  if (batch.indices.length === 0) throw new AppError('IMAGE_UNREADABLE', `what-if: ${set.items[index].path} could not be read (${batch.skipped[0]?.reason ?? 'unknown reason'}).`);
  const image = { data: batch.data, label: batch.labels[0] };
  images.set(key, image);
  // Oldest first in a Map's order: evict it once the cache is full.
  if (images.size > CACHE_SIZE) images.delete(images.keys().next().value as string);
  return image;
}

/** Answers one what-if request. @throws AppError PARAM_INVALID, IMAGE_UNREADABLE, MODEL_CAPABILITY_MISSING */
export async function runWhatIf(tf: typeof tfTypes, model: ModelHandle, request: WhatIfRequest): Promise<WhatIfResponse> {
  const image = await loadImage(model, request.inputs, request.index);
  const label = request.label !== undefined ? request.label : labelToClass(image.label, model.descriptor);
  const x = tf.tensor4d(image.data, [1, ...model.descriptor.inputShape]);
  try {
    const started = performance.now();
    const result = whatIf(tf, model, x, { filters: request.filters, action: request.action, top: request.top, label });
    return { index: request.index, millis: performance.now() - started, ...result };
  } finally {
    x.dispose();
  }
}
