/**
 * Walks a measure's inputs in batches: preprocessed model inputs with their item indices, paths
 * and labels, progress per image (the host throttles it), cancellation checked before every
 * batch (AppError CANCELLED), unreadable files collected as skipped. The callback owns nothing:
 * the batch tensor is disposed here after it returns.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { SkippedFile } from '../../../shared/types/images';
import type { ModelDescriptor } from '../../../shared/types/model';
import { countInputs, getImageSet, inputBatches } from '../inputs';
import type { InputsSpec } from '../protocol';
import type { JobProgress } from '../../../shared/types/jobs';

export interface WalkBatch {
  x: tfTypes.Tensor4D;
  indices: number[];
  paths: string[];
  /** Model class of each item's label, null when it has none. */
  labels: Array<number | null>;
}

export interface WalkOptions {
  tf: typeof tfTypes;
  inputs: InputsSpec;
  descriptor: ModelDescriptor;
  batchSize: number;
  signal: AbortSignal;
  progress(p: JobProgress): void;
  /** Progress message, e.g. the measure id. */
  label: string;
}

/** Throws CANCELLED when the signal is aborted. */
export function checkCancelled(signal: AbortSignal, label: string): void {
  if (signal.aborted) throw new AppError('CANCELLED', `The ${label} measure was cancelled.`);
}

/** Calls `step` on every batch in order; returns the skipped files. */
export async function walkInputs(opts: WalkOptions, step: (batch: WalkBatch) => Promise<void>): Promise<SkippedFile[]> {
  const skipped: SkippedFile[] = [];
  const set = await getImageSet(opts.inputs.path, opts.inputs.labelsPath);
  const total = await countInputs(opts.inputs);
  if (total === 0) throw new AppError('IMAGE_SET_EMPTY', `${opts.inputs.path} has no inputs to measure.`);
  let done = 0;
  opts.progress({ done, total, message: opts.label });
  for await (const batch of inputBatches(opts.tf, opts.inputs, opts.descriptor, opts.batchSize, opts.signal, (s) => skipped.push(...s))) {
    try {
      checkCancelled(opts.signal, opts.label);
      await step({ x: batch.x, indices: batch.indices, labels: batch.labels, paths: batch.indices.map((i) => set.items[i].path) });
    } finally {
      batch.x.dispose();
    }
    done += batch.indices.length;
    opts.progress({ done: done + skipped.length, total, message: opts.label });
  }
  checkCancelled(opts.signal, opts.label);
  return skipped;
}

/** Loads the items `indices` of `inputs` preprocessed for another model (stability's other runs). */
export async function loadFor(tf: typeof tfTypes, inputs: InputsSpec, descriptor: ModelDescriptor, indices: number[]): Promise<tfTypes.Tensor4D> {
  const set = await getImageSet(inputs.path, inputs.labelsPath);
  const batch = await set.loadBatch(indices, descriptor.preprocessing, descriptor.inputShape);
  if (batch.indices.length !== indices.length) throw new AppError('IMAGE_UNREADABLE', `Some of items ${indices.join(', ')} could not be read a second time.`);
  const [h, w, c] = descriptor.inputShape;
  return tf.tensor4d(batch.data, [indices.length, h, w, c]);
}
