/** The loss parameter saliency differentiates (algorithms.md §1.2, §2.2). */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';

type Tf = typeof tfTypes;

/**
 * Cross-entropy with the TRUE label, summed over the rows of x, in inference mode:
 *
 *   L = Σ_n ( log Σ_k exp z_nk − z_n,y_n ),   z = model.logits(x)
 *
 * A sum, not a mean: row n's loss then depends on row n only (BatchNorm uses its moving
 * statistics), so ∂L/∂(row n's activations) = ∂L_n/∂(row n's activations) — the property that
 * lets one backward pass serve every sample (per-sample.ts). When the model only exposes
 * probabilities, `logits` returns log p and log Σ p = 0, so the same formula gives −log p_y.
 * @throws AppError LABELS_INVALID when a label is missing or out of range, MODEL_CAPABILITY_MISSING
 *   for a model with fewer than 2 classes
 */
export function trueLabelLoss(tf: Tf, model: ModelHandle, x: tfTypes.Tensor4D, labels: ArrayLike<number>): () => tfTypes.Scalar {
  const classes = model.descriptor.classNames.length;
  checkLabels(labels, x.shape[0], classes);
  const oneHot = Array.from(labels);
  return () =>
    tf.tidy(() => {
      const z = model.logits(x);
      const picked = tf.sum(tf.mul(z, tf.oneHot(oneHot, classes)), 1);
      return tf.sum(tf.sub(tf.logSumExp(z, 1), picked)) as tfTypes.Scalar;
    });
}

function checkLabels(labels: ArrayLike<number>, rows: number, classes: number): void {
  if (classes < 2) {
    throw new AppError('MODEL_CAPABILITY_MISSING', `parameter saliency needs a classifier with at least 2 classes; this model has ${classes} output.`, {
      hint: 'The filter profile differentiates a cross-entropy over classes; a single-output (regression or sigmoid) model has none.'
    });
  }
  if (labels.length !== rows) {
    throw new AppError('LABELS_INVALID', `parameter saliency needs one true label per input: ${rows} inputs, ${labels.length} labels.`);
  }
  for (let i = 0; i < rows; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new AppError('LABELS_INVALID', `parameter saliency: the true label of input ${i} must be a class index in 0…${classes - 1}, got ${y}.`, {
        hint: 'The filter profile differentiates the cross-entropy of the true class: give labelled inputs (class folders, a manifest label column, or --labels for .npy).'
      });
    }
  }
}
