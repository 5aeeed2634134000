/**
 * Explains one batch of model inputs: predictions (logits and softmax probabilities, float32
 * read-back, indexed in float64 by the callers) and one saliency map per row for the given
 * target classes (default: each row's own predicted class, algorithms.md §3.2), as native and,
 * when asked, upsampled maps. Tensors stay inside; the caller owns `x`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { ModelHandle } from '../model/model-handle';
import { hasNativeGrid, type MapSpec } from './map-spec';

/** `n` maps of height × width, row-major, one after the other. */
export interface MapStack {
  data: Float32Array;
  height: number;
  width: number;
}

export interface Explained {
  /** Rows in the batch. */
  n: number;
  /** Classes K. */
  classes: number;
  /** [n, K] pre-softmax scores. */
  logits: Float32Array;
  /** [n, K] softmax probabilities. */
  probs: Float32Array;
  /** argmax of the logits per row. */
  predicted: Int32Array;
  /** The class each map explains. */
  targets: Int32Array;
  native: MapStack;
  /** Input-size maps; null unless asked for. */
  upsampled: MapStack | null;
}

export interface ExplainOptions {
  /** One class per row; default each row's predicted class. */
  targets?: Int32Array;
  /** Also return input-size maps. */
  upsampled?: boolean;
  /** Item index of each row (stochastic methods derive their streams from it). */
  indices?: number[];
  signal: AbortSignal;
}

/** Map `row` of a stack as its own array (a view). */
export function mapOf(stack: MapStack, row: number): Float32Array {
  const size = stack.height * stack.width;
  return stack.data.subarray(row * size, (row + 1) * size);
}

function argmaxRows(values: Float32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Runs the model and the map method on x [n, H, W, C]. */
export async function explain(tf: typeof tfTypes, model: ModelHandle, spec: MapSpec, x: tfTypes.Tensor4D, opts: ExplainOptions): Promise<Explained> {
  const n = x.shape[0];
  const k = model.descriptor.classNames.length;
  const [logitsT, probsT] = tf.tidy(() => [model.logits(x), model.probabilities(x)]);
  const [logits, probs] = (await Promise.all([logitsT.data(), probsT.data()])) as Float32Array[];
  tf.dispose([logitsT, probsT]);
  const predicted = argmaxRows(logits, n, k);
  const targets = opts.targets ?? predicted;
  const native = hasNativeGrid(spec);
  const wantUp = !!opts.upsampled;
  const params = native ? { ...spec.params, upsample: wantUp ? spec.params.upsample : 'none' } : spec.params;
  const result = await spec.method.run({ tf, model, x, targets, params, signal: opts.signal, indices: opts.indices, seed: spec.seed });
  const maps: MapStack = { data: result.maps, height: result.height, width: result.width };
  let nativeMaps = maps;
  if (native && wantUp) {
    const art = result.artifacts?.native;
    // A CAM method always returns its native grid when it upsamples (cam-common.ts); a bug otherwise.
    if (!art) throw new AppError('INTERNAL', `${spec.method.id} returned no native maps beside its upsampled ones.`);
    nativeMaps = { data: art.data, height: art.shape[1], width: art.shape[2] };
  }
  return { n, classes: k, logits, probs, predicted, targets, native: nativeMaps, upsampled: wantUp ? maps : null };
}
