/**
 * Display thumbnails (RGBA, longest side = size) for the UI. Resampling uses sharp's default
 * Lanczos-3 kernel, which low-pass filters when shrinking (thumbnails are for the eye; model inputs
 * use ./preprocess's TensorFlow-compatible bilinear resize instead).
 */
import sharp from 'sharp';
import { AppError } from '../../../shared/errors';
import type { RgbaImage } from '../../../shared/types/images';

/** Throws PARAM_INVALID unless `size` is a positive integer no larger than 4096. */
export function checkThumbnailSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > 4096) {
    throw new AppError('PARAM_INVALID', `Thumbnail size must be an integer from 1 to 4096, got ${size}.`);
  }
}

/** Fits a width × height image into size × size, keeping the aspect ratio (each side at least 1). */
export function thumbnailDims(width: number, height: number, size: number): [number, number] {
  const scale = size / Math.max(width, height);
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Resizes 8-bit grey or RGB pixels (HWC) to a thumbnail, opaque RGBA. */
export async function thumbnailFromPixels(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, size: number): Promise<RgbaImage> {
  const [w, h] = thumbnailDims(width, height, size);
  const { data, info } = await sharp(pixels, { raw: { width, height, channels } })
    .resize(w, h, { fit: 'fill' })
    .toColourspace('srgb')
    .ensureAlpha(1)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new AppError('INTERNAL', `Thumbnail came out with ${info.channels} channels instead of 4.`);
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}

/** The stand-in for an image that cannot be decoded: an opaque mid-grey size × size square. */
export function placeholderThumbnail(size: number): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4).fill(128);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: size, height: size, data };
}

/**
 * Min-max scales one model-space image (`h·w·c` floats, HWC) to 0–255 for display: 1 channel stays
 * grey, 3 or more show the first three as RGB, 2 show the first as grey. A constant image (or one
 * without finite values) renders black. Channels are shown as stored (a BGR input looks blue-tinted).
 */
export function minMaxToBytes(values: Float32Array, channels: number): { data: Uint8Array; channels: 1 | 3 } {
  const outC = channels >= 3 ? 3 : 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  const n = values.length / channels;
  const data = new Uint8Array(n * outC);
  if (!(range > 0) || !Number.isFinite(range)) return { data, channels: outC };
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < outC; k++) data[i * outC + k] = Math.round(((values[i * channels + k] - lo) / range) * 255);
  }
  return { data, channels: outC };
}
