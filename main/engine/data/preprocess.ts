/**
 * Raw pixels ⇄ model input, per a model's `Preprocessing`. Plain typed arrays only (no tfjs), so the
 * same code serves every backend and the CLI.
 *
 * Spaces (algorithms.md §5.0): *raw pixel space* is HWC floats in 0–255 with channels in **RGB**
 * order (one luma channel for grey models); *model space* is what the network is fed:
 * `x[c] = (raw[order(c)] · scale − mean[c]) / std[c]`, where `order` swaps R and B for `bgr` models.
 * `mean`/`std` are indexed in the model's channel order (Keras "caffe" means are BGR, for example).
 */
import { AppError } from '../../../shared/errors';
import type { Preprocessing } from '../../../shared/types/model';
import type { DecodedImage } from './decode';

/** ITU-R BT.601 luma weights for R, G, B (the weights of tf.image.rgbToGrayscale and PIL's `L`). */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

/** Number of channels the model expects for this preprocessing: 1 for grey, 3 for RGB/BGR. */
export function modelChannels(pre: Preprocessing): 1 | 3 {
  return pre.colorMode === 'grey' ? 1 : 3;
}

/** Throws PARAM_INVALID naming the first field that cannot be used. */
export function validatePreprocessing(pre: Preprocessing): void {
  const c = modelChannels(pre);
  const bad = (what: string): never => {
    throw new AppError('PARAM_INVALID', `Invalid preprocessing: ${what}.`, { hint: 'Fix the preprocessing in the model descriptor (sidecar file).' });
  };
  if (pre.resize.length !== 2 || pre.resize.some((d) => !Number.isInteger(d) || d <= 0)) bad(`resize must be two positive integers, got [${pre.resize.join(', ')}]`);
  if (!Number.isFinite(pre.scale) || pre.scale === 0) bad(`scale must be a non-zero number, got ${pre.scale}`);
  for (const [name, values] of [['mean', pre.mean], ['std', pre.std]] as const) {
    if (values.length !== 1 && values.length !== c) bad(`${name} must have 1 or ${c} values, got ${values.length}`);
    if (values.some((v) => !Number.isFinite(v))) bad(`${name} must hold finite numbers`);
  }
  if (pre.std.some((v) => v === 0)) bad('std must not be 0');
}

/**
 * Bilinear resize of an HWC image with half-pixel centres and edge clamping: output pixel (y, x)
 * samples the source at ((y + ½)·inH/outH − ½, (x + ½)·inW/outW − ½), coordinates clamped to the
 * image. This is the formula of `tf.image.resizeBilinear(img, size, false, true)` (alignCorners
 * false, halfPixelCenters true) in both the tfjs cpu kernel and TensorFlow's native kernel, and of
 * `tf.image.resize(method='bilinear', antialias=False)` in Python; the tests hold it to 1e-3 of tfjs.
 * Like them, it does not low-pass filter when shrinking, so large downscales alias.
 */
export function resizeBilinear(src: ArrayLike<number>, inH: number, inW: number, channels: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW * channels);
  if (inH === outH && inW === outW) {
    out.set(src as ArrayLike<number>);
    return out;
  }
  const xs = samplePositions(inW, outW);
  for (let y = 0; y < outH; y++) {
    const sy = Math.max(0, ((y + 0.5) * inH) / outH - 0.5);
    const y0 = Math.min(Math.floor(sy), inH - 1);
    const y1 = Math.min(y0 + 1, inH - 1);
    const fy = sy - y0;
    for (let x = 0; x < outW; x++) {
      const [x0, x1, fx] = [xs.lo[x], xs.hi[x], xs.frac[x]];
      for (let c = 0; c < channels; c++) {
        const top = src[(y0 * inW + x0) * channels + c] * (1 - fx) + src[(y0 * inW + x1) * channels + c] * fx;
        const bottom = src[(y1 * inW + x0) * channels + c] * (1 - fx) + src[(y1 * inW + x1) * channels + c] * fx;
        out[(y * outW + x) * channels + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

function samplePositions(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const s = Math.max(0, ((i + 0.5) * inSize) / outSize - 0.5);
    lo[i] = Math.min(Math.floor(s), inSize - 1);
    hi[i] = Math.min(lo[i] + 1, inSize - 1);
    frac[i] = s - lo[i];
  }
  return { lo, hi, frac };
}

/**
 * Converts HWC pixels between 1 and 3 channels: RGB → grey by BT.601 luma, grey → RGB by
 * replication. Returns the input unchanged when the counts already match.
 */
export function convertChannels(pixels: Float32Array, from: 1 | 3, to: 1 | 3): Float32Array {
  if (from === to) return pixels;
  const n = pixels.length / from;
  const out = new Float32Array(n * to);
  for (let i = 0; i < n; i++) {
    if (to === 1) {
      out[i] = LUMA_WEIGHTS[0] * pixels[i * 3] + LUMA_WEIGHTS[1] * pixels[i * 3 + 1] + LUMA_WEIGHTS[2] * pixels[i * 3 + 2];
    } else {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = pixels[i];
    }
  }
  return out;
}

/**
 * Decoded image → model input `[h, w, c]`: bilinear resize to `pre.resize` (see resizeBilinear),
 * grey/RGB conversion, then `fromRawPixels` (channel order, scale, mean, std).
 */
export function preprocessImage(image: DecodedImage, pre: Preprocessing): Float32Array {
  validatePreprocessing(pre);
  const [h, w] = pre.resize;
  const resized = resizeBilinear(image.data, image.height, image.width, image.channels, h, w);
  return fromRawPixels(convertChannels(resized, image.channels, modelChannels(pre)), pre);
}

/**
 * Raw pixel space → model space for any tensor-shaped array whose last axis is the model's
 * channels (`[h, w, c]`, `[n, h, w, c]`, …). Used for images and for baselines defined in raw pixels
 * (black = 0, mean colour, blurred copies). Returns a new array.
 */
export function fromRawPixels(raw: Float32Array, pre: Preprocessing): Float32Array {
  const c = checkLayout(raw, pre);
  const { mean, std, swap } = channelParams(pre, c);
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i += c) {
    for (let k = 0; k < c; k++) out[i + k] = (raw[i + swap[k]] * pre.scale - mean[k]) / std[k];
  }
  return out;
}

/**
 * Model space → raw pixel space (0–255, RGB order), the exact inverse of `fromRawPixels`. Values are
 * not clamped: model-space points off the image manifold (noise, steps) map outside 0–255.
 */
export function toRawPixels(modelSpace: Float32Array, pre: Preprocessing): Float32Array {
  const c = checkLayout(modelSpace, pre);
  const { mean, std, swap } = channelParams(pre, c);
  const out = new Float32Array(modelSpace.length);
  for (let i = 0; i < modelSpace.length; i += c) {
    // swap is its own inverse: model channel k holds raw channel swap[k].
    for (let k = 0; k < c; k++) out[i + swap[k]] = (modelSpace[i + k] * std[k] + mean[k]) / pre.scale;
  }
  return out;
}

function checkLayout(data: Float32Array, pre: Preprocessing): number {
  validatePreprocessing(pre);
  const c = modelChannels(pre);
  if (data.length % c !== 0) {
    throw new AppError('SHAPE_MISMATCH', `An array of ${data.length} values cannot hold whole pixels of ${c} channels.`);
  }
  return c;
}

function channelParams(pre: Preprocessing, c: number): { mean: number[]; std: number[]; swap: number[] } {
  const pick = (v: number[]): number[] => Array.from({ length: c }, (_, k) => (v.length === 1 ? v[0] : v[k]));
  const swap = c === 3 && pre.channelOrder === 'bgr' ? [2, 1, 0] : Array.from({ length: c }, (_, k) => k);
  return { mean: pick(pre.mean), std: pick(pre.std), swap };
}
