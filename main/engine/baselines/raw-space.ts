/**
 * Conversions between the inputs (model space) and raw pixel space (0–255, RGB) for baselines,
 * always through the preprocessing functions `fromRawPixels`/`toRawPixels`, so a baseline "black"
 * really is raw 0 whatever the model's scale, mean, std and channel order are.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { fromRawPixels, modelChannels, toRawPixels } from '../data/preprocess';
import type { BaselineContext } from './types';

/** @throws AppError SHAPE_MISMATCH when x's channels are not the preprocessing's */
function checkChannels(ctx: BaselineContext): number {
  const c = modelChannels(ctx.descriptor.preprocessing);
  if (ctx.x.rank !== 4 || ctx.x.shape[3] !== c) {
    throw new AppError('SHAPE_MISMATCH', `baseline: raw pixel space needs inputs [N, H, W, ${c}] for this preprocessing, got [${ctx.x.shape.join(', ')}].`, {
      hint: 'Inputs that are not grey or RGB images have no raw pixel space: use a model-space baseline (constant, mean-colour).'
    });
  }
  return c;
}

/** A model-space tensor shaped like x holding the raw pixel value `raw` in every channel. */
export function constantFromRaw(ctx: BaselineContext, raw: number): tf.Tensor4D {
  const c = checkChannels(ctx);
  const pixel = fromRawPixels(new Float32Array(c).fill(raw), ctx.descriptor.preprocessing);
  const { tf: t, x } = ctx;
  return t.tidy(() => t.add(t.zerosLike(x), t.tensor1d(pixel)) as tf.Tensor4D);
}

/** x in raw pixel space, `[N, H, W, C]` row-major (RGB channel order). */
export async function rawFromInput(ctx: BaselineContext): Promise<Float32Array> {
  checkChannels(ctx);
  return toRawPixels((await ctx.x.data()) as Float32Array, ctx.descriptor.preprocessing);
}

/** Raw pixels shaped like x → the model-space tensor (caller disposes). */
export function modelFromRaw(ctx: BaselineContext, raw: Float32Array): tf.Tensor4D {
  checkChannels(ctx);
  return ctx.tf.tensor4d(fromRawPixels(raw, ctx.descriptor.preprocessing), ctx.x.shape);
}

/** @throws AppError SHAPE_MISMATCH unless `shape` is x's `[H, W, C]` */
export function checkImageShape(ctx: BaselineContext, shape: readonly number[], what: string): [number, number, number] {
  const [, h, w, c] = ctx.x.shape;
  if (shape.length !== 3 || shape[0] !== h || shape[1] !== w || shape[2] !== c) {
    throw new AppError('SHAPE_MISMATCH', `baseline: ${what} has shape [${shape.join(', ')}], the inputs are [${h}, ${w}, ${c}].`);
  }
  return [h, w, c];
}

/** One model-space image `[H, W, C]` repeated for every row of x. @throws AppError SHAPE_MISMATCH */
export function repeatImage(ctx: BaselineContext, image: Float32Array, shape: readonly number[], what: string): tf.Tensor4D {
  const [h, w, c] = checkImageShape(ctx, shape, what);
  const { tf: t } = ctx;
  return t.tidy(() => t.tile(t.tensor4d(image, [1, h, w, c]), [ctx.x.shape[0], 1, 1, 1]) as tf.Tensor4D);
}
