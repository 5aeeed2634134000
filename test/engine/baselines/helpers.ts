/** Shared by the baseline tests: preprocessings, a context builder, and read-and-dispose. */
import * as tf from '@tensorflow/tfjs';
import type { Baseline, BaselineContext } from '../../../main/engine/baselines';
import { fromRawPixels } from '../../../main/engine/data/preprocess';
import type { Preprocessing } from '../../../shared/types/model';

/** BGR with per-channel mean/std: raw 0, raw 127.5 and model 0 are three different points. */
export const BGR: Preprocessing = { resize: [6, 6], colorMode: 'rgb', channelOrder: 'bgr', scale: 1 / 255, mean: [0.41, 0.46, 0.49], std: [0.22, 0.23, 0.25] };
/** Caffe-style grey model: raw minus a mean, no scaling. */
export const GREY: Preprocessing = { resize: [6, 6], colorMode: 'grey', channelOrder: 'rgb', scale: 1, mean: [120], std: [58] };

/** Model-space x `[n, h, w, c]` from raw pixels. */
export function modelInput(raw: Float32Array, shape: [number, number, number, number], pre: Preprocessing): tf.Tensor4D {
  return tf.tensor4d(fromRawPixels(raw, pre), shape);
}

/** Raw pixels in 0–255 from a deterministic pattern, `[n, h, w, c]`. */
export function rawPattern(shape: [number, number, number, number]): Float32Array {
  const [n, h, w, c] = shape;
  const out = new Float32Array(n * h * w * c);
  for (let i = 0; i < out.length; i++) {
    const ch = i % c;
    const x = Math.floor(i / c) % w;
    const y = Math.floor(i / (c * w)) % h;
    const row = Math.floor(i / (c * w * h));
    out[i] = (y * 37 + x * 53 + ch * 91 + y * x * 7 + row * 11) % 256;
  }
  return out;
}

export function baselineCtx(x: tf.Tensor4D, pre: Preprocessing, extra: Partial<BaselineContext> = {}): BaselineContext {
  return { tf, x, descriptor: { preprocessing: pre }, ...extra };
}

/** Materialises, checks the shape equals x's, reads the values and frees the tensor. */
export async function materialize(baseline: Baseline, ctx: BaselineContext): Promise<Float32Array> {
  const t = await baseline.materialize(ctx);
  try {
    if (t.shape.join() !== ctx.x.shape.join()) throw new Error(`baseline ${baseline.spec}: shape [${t.shape.join(', ')}], x is [${ctx.x.shape.join(', ')}]`);
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}
