/** Argument checks shared by the image-set loaders. */
import { AppError } from '../../../shared/errors';
import type { Preprocessing } from '../../../shared/types/model';
import { modelChannels, validatePreprocessing } from './preprocess';

/** Throws PARAM_INVALID unless every index is an integer in [0, count). */
export function checkIndices(indices: number[], count: number): void {
  const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= count);
  if (bad !== undefined) {
    throw new AppError('PARAM_INVALID', `Item index ${bad} is out of range: the set has ${count} items (0 … ${count - 1}).`);
  }
}

/** Throws PARAM_INVALID unless `size` is [h, w] of positive integers. */
export function checkSize(size: [number, number]): void {
  if (size.length !== 2 || size.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new AppError('PARAM_INVALID', `Mask size must be [height, width] in positive integers, got [${size.join(', ')}].`);
  }
}

/** Throws SHAPE_MISMATCH when the preprocessing does not produce the model's input shape [h, w, c]. */
export function checkPreprocessingShape(pre: Preprocessing, inputShape: [number, number, number]): void {
  validatePreprocessing(pre);
  const produced = [pre.resize[0], pre.resize[1], modelChannels(pre)];
  if (produced.some((d, i) => d !== inputShape[i])) {
    throw new AppError('SHAPE_MISMATCH', `The preprocessing produces inputs of shape [${produced.join(', ')}] but the model expects [${inputShape.join(', ')}].`);
  }
}
