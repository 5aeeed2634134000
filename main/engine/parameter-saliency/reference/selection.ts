/**
 * The labelled inputs a parameter-saliency job walks: an image set opened afresh (so its id
 * reflects the files as they are now, not a cached listing), the selected item indices, and each
 * item's true class. Every item needs a true label (the profile differentiates the cross-entropy
 * of the true class), which is checked for all items before any work starts.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { SkippedFile } from '../../../../shared/types/images';
import type { ModelDescriptor } from '../../../../shared/types/model';
import { openImageSet, type ImageSet } from '../../data/image-set';
import { labelToClass } from '../../inputs';
import type { InputsSpec } from '../../protocol';

/** An opened set, the selected items in walk order, and their true classes. */
export interface LabelledSelection {
  set: ImageSet;
  /** Item indices in walk order. */
  indices: number[];
  /** True class per item index. */
  classOf: Map<number, number>;
}

/** A loaded batch: x [n, h, w, c] (owned by the caller), its item indices and true classes. */
export interface LabelledBatch {
  x: tfTypes.Tensor4D;
  indices: number[];
  labels: number[];
  skipped: SkippedFile[];
}

/**
 * Opens `spec` and resolves every selected item's class.
 * @throws AppError PARAM_INVALID (bad index), LABELS_INVALID (an item without a known class)
 */
export async function openLabelledSelection(spec: InputsSpec, descriptor: ModelDescriptor): Promise<LabelledSelection> {
  const set = await openImageSet(spec.path, { labelsPath: spec.labelsPath });
  const indices = spec.indices ?? set.items.map((item) => item.index);
  const classOf = new Map<number, number>();
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= set.items.length) {
      throw new AppError('PARAM_INVALID', `Input index ${index} is out of range: the set has ${set.items.length} items.`);
    }
    const item = set.items[index];
    const cls = labelToClass(item.label, descriptor);
    if (cls === null) {
      const why = item.label === null ? 'has no label' : `has the label "${item.label}", which is not one of the model's classes`;
      throw new AppError('LABELS_INVALID', `${item.path} ${why}; parameter saliency needs every input's true class.`, {
        hint: set.summary.kind === 'npy' ? 'Pass the labels of .npy inputs with --labels L.npy (integer class indices).' : 'Use class sub-folders or a manifest label column named after the model\'s classes (or their indices).'
      });
    }
    classOf.set(index, cls);
  }
  if (indices.length === 0) throw new AppError('IMAGE_SET_EMPTY', 'No inputs were selected.');
  return { set, indices, classOf };
}

/** Loads the items `indices` of the selection as one batch (unreadable files are skipped and reported). */
export async function loadLabelledBatch(tf: typeof tfTypes, selection: LabelledSelection, descriptor: ModelDescriptor, indices: number[]): Promise<LabelledBatch> {
  const batch = await selection.set.loadBatch(indices, descriptor.preprocessing, descriptor.inputShape);
  const [h, w, c] = descriptor.inputShape;
  const x = tf.tensor4d(batch.data, [batch.indices.length, h, w, c]);
  return { x, indices: batch.indices, labels: batch.indices.map((i) => selection.classOf.get(i)!), skipped: batch.skipped };
}
