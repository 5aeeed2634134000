/**
 * The scored model output of each row: s_c = p_c (softmax probability, the spec's default for
 * perturbation metrics, §5.0) or the pre-softmax logit y_c, read back to float64.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelHandle } from '../model/model-handle';

export type MetricScore = 'prob' | 'logit';

/** s_{targets[i]}(input_i) as a tensor (call inside tf.tidy). */
export function scoreTensor(t: typeof tf, model: ModelHandle, input: tf.Tensor4D, targets: Int32Array, score: MetricScore): tf.Tensor1D {
  const out = score === 'prob' ? model.probabilities(input) : model.logits(input);
  const k = out.shape[1];
  const picks = t.tensor1d(Int32Array.from(targets, (c, i) => i * k + c), 'int32');
  return t.gather(t.reshape(out, [-1]), picks) as tf.Tensor1D;
}

/** s_{targets[i]}(input_i) read back as float64. */
export async function scoreRows(t: typeof tf, model: ModelHandle, input: tf.Tensor4D, targets: Int32Array, score: MetricScore): Promise<Float64Array> {
  const s = t.tidy(() => scoreTensor(t, model, input, targets, score));
  try {
    return Float64Array.from((await s.data()) as Float32Array);
  } finally {
    s.dispose();
  }
}

/** Class predicted on each row (argmax of the probabilities). */
export async function predictedClasses(t: typeof tf, model: ModelHandle, x: tf.Tensor4D): Promise<Int32Array> {
  const arg = t.tidy(() => t.argMax(model.probabilities(x), 1));
  try {
    return Int32Array.from((await arg.data()) as Int32Array);
  } finally {
    arg.dispose();
  }
}
