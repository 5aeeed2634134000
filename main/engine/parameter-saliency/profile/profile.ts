/**
 * Filter-wise saliency profiles (Levin et al., arXiv 2108.01335; Wang & Sato, arXiv 2310.17951;
 * algorithms.md §1.2, §2.2, §6): for input x with true label y and L = CE(f_θ(x), y) in inference
 * mode, filter j with weight set I_j scores
 *
 *   s̄_j(x, y) = (1/|I_j|) Σ_{i ∈ I_j} |∂L/∂θ_i|     (abs first, then the mean; per sample)
 *
 * for every filter of every convolution kernel, in the global order of filters.ts.
 *
 * Strategies:
 *   batched     one forward and one backward pass for the whole batch; the per-sample kernel
 *               gradients are rebuilt from each conv's input and output gradient (per-sample.ts,
 *               captured by capture.ts). Measured 4–9× faster than one pass per image
 *               (bench/param-saliency.ts).
 *   per-sample  one backward pass per image (batch size 1), as the reference code does.
 *   auto        batched, falling back to per-sample (for this model from then on) when some
 *               kernel's gradient could not be attributed per sample (shared kernels, space-to-
 *               batch convolutions). Default.
 *
 * Checkable property: batched and per-sample give the same profiles to float32 rounding.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelHandle } from '../../model/model-handle';
import { withFilterGradCapture, type CaptureResult } from './capture';
import { filterAxes, type FilterTable } from './filters';
import { trueLabelLoss } from './loss';

type Tf = typeof tfTypes;

/** How profiles are computed (file doc). */
export type ProfileStrategy = 'auto' | 'batched' | 'per-sample';

/** Options of `filterProfiles`. */
export interface ProfileOptions {
  strategy?: ProfileStrategy;
  /** Cap on floats per chunk of per-sample gradients (per-sample.ts). */
  maxElements?: number;
}

/** Profiles of a batch: row n (length L) at [n·L, (n+1)·L). */
export interface ProfileBatch {
  values: Float32Array;
  rows: number;
  length: number;
  /** How they were computed. */
  strategy: 'batched' | 'per-sample';
}

/** Models whose gradients could not be attributed per sample: auto goes straight to per-sample. */
const notBatchable = new WeakSet<ModelHandle>();

/** Copies one kernel's per-sample block [rows, filters] into the [rows, L] matrix. */
function place(out: Float32Array, length: number, offset: number, block: Float32Array, rows: number): void {
  const filters = block.length / rows;
  for (let n = 0; n < rows; n++) out.set(block.subarray(n * filters, (n + 1) * filters), n * length + offset);
}

/** Matches the captured records to kernels; null when some kernel has none it should have. */
function assemble(table: FilterTable, grads: tfTypes.Tensor[], captured: CaptureResult, rows: number): Float32Array | null {
  if (captured.unattributed > 0) return null;
  const out = new Float32Array(rows * table.length);
  let matched = 0;
  for (const block of table.kernels) {
    const record = captured.records.get(grads[block.kernel].dataId);
    if (!record) continue; // no path from the loss to this kernel: its profile is 0 (or a shared kernel, caught below)
    matched++;
    const values = block.kind === 'transpose' ? record.axis2 : record.axis3;
    if (!values || values.length !== rows * block.filters) return null;
    place(out, table.length, block.offset, values, rows);
  }
  // A kernel used twice gets a summed gradient with a new dataId, leaving records unmatched.
  return matched === captured.records.size ? out : null;
}

function batched(tf: Tf, model: ModelHandle, table: FilterTable, x: tfTypes.Tensor4D, labels: ArrayLike<number>, options: ProfileOptions): Float32Array | null {
  const loss = trueLabelLoss(tf, model, x, labels);
  const transposeShapes = table.kernels.filter((k) => k.kind === 'transpose').map((k) => k.shape);
  const { result, captured } = withFilterGradCapture(tf, { rows: x.shape[0], transposeShapes, maxElements: options.maxElements }, () => model.kernelGradients(loss));
  try {
    return assemble(table, result.grads, captured, x.shape[0]);
  } finally {
    tf.dispose([result.value, ...result.grads]);
  }
}

/** One backward pass per row (the reference code's way). */
function perSample(tf: Tf, model: ModelHandle, table: FilterTable, x: tfTypes.Tensor4D, labels: ArrayLike<number>): Float32Array {
  const rows = x.shape[0];
  const out = new Float32Array(rows * table.length);
  for (let n = 0; n < rows; n++) {
    const row = tf.tidy(() => {
      const xn = tf.slice(x, n, 1);
      const { value, grads } = model.kernelGradients(trueLabelLoss(tf, model, xn, [labels[n]]));
      const parts = table.kernels.map((k) => tf.reshape(tf.mean(tf.abs(grads[k.kernel]), filterAxes(k.kind)), [-1]));
      value.dispose();
      return tf.concat(parts).dataSync() as Float32Array;
    });
    out.set(row, n * table.length);
  }
  return out;
}

/**
 * Profiles of the rows of x (true labels `labels`), [N, L] row-major float32.
 * @throws AppError LABELS_INVALID for a missing label, MODEL_CAPABILITY_MISSING without gradients
 */
export function filterProfiles(tf: Tf, model: ModelHandle, table: FilterTable, x: tfTypes.Tensor4D, labels: ArrayLike<number>, options: ProfileOptions = {}): ProfileBatch {
  const strategy = options.strategy ?? 'auto';
  const rows = x.shape[0];
  if (strategy !== 'per-sample' && !(strategy === 'auto' && notBatchable.has(model))) {
    const values = batched(tf, model, table, x, labels, options);
    if (values) return { values, rows, length: table.length, strategy: 'batched' };
    notBatchable.add(model);
  }
  return { values: perSample(tf, model, table, x, labels), rows, length: table.length, strategy: 'per-sample' };
}
